"""One long-lived MCP session per upstream, shared by every concurrent call, reopened when it breaks.

Opening a session costs ~20 ms and several HTTP requests; a call on an open one ~2 ms. So the
session is opened once, by a task that owns it (the SDK requires the task that enters a client to
exit it), and every call borrows it. When a call finds it broken, the session is dropped and the
next call opens a new one. Concurrent callers that find no session share one connection attempt.

A child process (stdio) is different: restarting it costs a second and a crash-looping command
must not be respawned for every call. With a ``RestartPolicy`` the keeper restarts a lost session
in the background after a growing delay, and calls made while it waits fail at once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from contextlib import AbstractAsyncContextManager, AsyncExitStack
from types import TracebackType
from typing import Any

import anyio
import mcp_types as mt
from anyio.abc import TaskGroup, TaskStatus
from attrs import frozen
from mcp import Client

from gateway_domain import ErrorCode, GatewayError

from .call_scope import call_scope
from .connection import Connection
from .errors import classify

log = logging.getLogger(__name__)

Connector = Callable[[], AbstractAsyncContextManager[Connection]]
"""Opens one connected, negotiated session; leaving the context closes it and its transport."""

_CLOSE_GRACE = 2.0


@frozen
class RestartPolicy:
    """How a lost session is restarted in the background: after ``first_delay``, doubling up to
    ``max_delay``; a session that stayed up ``stable_after`` seconds resets the delay."""

    first_delay: float = 0.5
    max_delay: float = 30.0
    stable_after: float = 10.0

    def delay(self, failures: int) -> float:
        return float(min(self.first_delay * 2 ** min(max(failures - 1, 0), 30), self.max_delay))


async def _accept_as_sent(name: str, result: mt.CallToolResult) -> None:
    return None


def relay_results_unvalidated(client: Client) -> None:
    """Let results through as the upstream sent them.

    The SDK client checks each result against the tool's output schema and raises on a mismatch.
    The gateway is a relay: it passes the result on (the end client has the output schema from
    get_tool_schema and may check it), and it saves a JSON Schema validation on every call.
    """
    client.session.validate_tool_result = _accept_as_sent  # type: ignore[method-assign]


def _described(client: Client) -> str:
    """The server's ``serverInfo.description``, else its handshake ``instructions``, else its title."""
    info: Any = client.server_info
    for text in (getattr(info, "description", None), client.instructions, getattr(info, "title", None)):
        if isinstance(text, str) and text.strip():
            return text.strip()
    return ""


class _Attempt:
    """One connection attempt that several callers may wait on."""

    def __init__(self) -> None:
        self.done = anyio.Event()
        self.connection: Connection | None = None
        self.generation = 0
        self.error: GatewayError | None = None


class SessionKeeper:
    """Keeps one session open to one upstream for as long as the keeper is entered."""

    def __init__(
        self,
        domain: str,
        connect: Connector,
        *,
        connect_timeout: float = 10.0,
        restart: RestartPolicy | None = None,
        handshake_headers: Mapping[str, str] | None = None,
    ) -> None:
        self._domain = domain
        self._handshake_headers = dict(handshake_headers or {})
        self._connect = connect
        self._connect_timeout = connect_timeout
        self._restart = restart
        self._connection: Connection | None = None
        self._generation = 0
        self._stop: anyio.Event | None = None
        self._owner_done: anyio.Event | None = None
        self._attempt: _Attempt | None = None
        self._group: TaskGroup | None = None
        self._stack: AsyncExitStack | None = None
        self._failures = 0
        self._restart_at: float | None = None
        self._last_error: GatewayError | None = None
        self.self_description = ""
        """What the server said about itself at the last handshake ('' if nothing yet)."""

    async def __aenter__(self) -> SessionKeeper:
        stack = AsyncExitStack()
        self._group = await stack.enter_async_context(anyio.create_task_group())
        self._stack = stack
        self._failures, self._restart_at = 0, None
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        group, stack = self._group, self._stack
        self._group = self._stack = None
        if group is None or stack is None:
            return
        self.drop()
        if self._owner_done is not None:
            # Let the session close politely (a DELETE on legacy HTTP), but never wait on a dead peer;
            # shielded so that a shutdown arriving as a cancellation still gets the polite close.
            with anyio.CancelScope(shield=True), anyio.move_on_after(_CLOSE_GRACE):
                await self._owner_done.wait()
        group.cancel_scope.cancel()
        await stack.aclose()

    @property
    def connected(self) -> bool:
        return self._connection is not None

    async def session(self) -> tuple[Connection, int]:
        """The open session and its generation number, opening one if there is none.

        Raises ``upstream_unavailable``/``upstream_timeout``/``upstream_unauthorized`` when the
        upstream cannot be reached; the next call tries again (or, for a restarting child, once its
        restart delay has passed).
        """
        connection = self._connection
        if connection is not None:
            return connection, self._generation
        if self._group is None:
            raise GatewayError(ErrorCode.UPSTREAM_UNAVAILABLE, f"Upstream server '{self._domain}' is shut down.")
        if self._restart_at is not None and self._attempt is None:
            wait = self._restart_at - anyio.current_time()
            if wait > 0:
                raise GatewayError(
                    ErrorCode.UPSTREAM_UNAVAILABLE,
                    f"Upstream server '{self._domain}' stopped and is restarting (next try in {wait:.1f} s).",
                    {"domain": self._domain, "retry_after_seconds": round(wait, 1)},
                )
        attempt = self._attempt
        if attempt is None:
            attempt = self._attempt = _Attempt()
            self._group.start_soon(self._run_attempt, attempt)
        await attempt.done.wait()
        if attempt.error is not None:
            raise attempt.error
        assert attempt.connection is not None
        return attempt.connection, attempt.generation

    def drop(self, generation: int | None = None) -> None:
        """Close the session (only if it is still ``generation``, when given) so the next call reopens."""
        if generation is not None and generation != self._generation:
            return
        self._connection = None
        if self._stop is not None:
            self._stop.set()

    # ------------------------------------------------------------------ internals

    async def _run_attempt(self, attempt: _Attempt) -> None:
        group = self._group
        if group is None:  # closed between asking for the attempt and its start
            attempt.error = GatewayError(
                ErrorCode.UPSTREAM_UNAVAILABLE, f"Upstream server '{self._domain}' is shut down."
            )
            self._attempt = None
            attempt.done.set()
            return
        self._restart_at = None
        try:
            # The scope is inherited by the owner task, so the handshake's HTTP status is recorded.
            with call_scope(self._handshake_headers) as scope, anyio.fail_after(self._connect_timeout):
                attempt.connection = await group.start(self._own)
            attempt.generation = self._generation
        except TimeoutError:
            attempt.error = GatewayError(
                ErrorCode.UPSTREAM_TIMEOUT,
                f"Upstream server '{self._domain}' did not accept a connection within {self._connect_timeout:g} s.",
                {"domain": self._domain},
            )
        except BaseException as exc:
            if not isinstance(exc, Exception):  # cancelled by shutdown: waiting callers get an answer too
                attempt.error = GatewayError(
                    ErrorCode.UPSTREAM_UNAVAILABLE, f"Upstream server '{self._domain}' is shutting down."
                )
                raise
            error = exc if isinstance(exc, GatewayError) else classify(self._domain, exc, scope)
            if error.code == ErrorCode.UPSTREAM_ERROR:
                error = GatewayError(
                    ErrorCode.UPSTREAM_UNAVAILABLE,
                    f"Upstream server '{self._domain}' could not be connected: {error.message}",
                    error.details,
                )
            attempt.error = error
        finally:
            self._attempt = None
            attempt.done.set()
        if attempt.error is not None:
            self._failures += 1
            log.info("upstream %s: connection failed (%s)", self._domain, attempt.error.code)
            self._schedule_restart()

    async def _own(self, *, task_status: TaskStatus[Connection] = anyio.TASK_STATUS_IGNORED) -> None:
        """Hold one session open until asked to stop or until it breaks."""
        stop, done = anyio.Event(), anyio.Event()
        self._owner_done = done
        started = False
        opened_at = anyio.current_time()
        connection: Connection | None = None
        try:
            async with self._connect() as connection:
                relay_results_unvalidated(connection.client)
                self._generation += 1
                self._connection, self._stop = connection, stop
                self.self_description = _described(connection.client)
                started = True
                log.info("upstream %s: session open (%s)", self._domain, connection.client.protocol_version)
                task_status.started(connection)
                await stop.wait()
        except Exception as exc:
            if not started:
                raise
            log.info("upstream %s: session ended: %s", self._domain, type(exc).__name__)
        finally:
            if self._connection is connection:
                self._connection = None
            if self._stop is stop:
                self._stop = None
            done.set()
        if self._group is not None:  # not shutting down: the session was lost, not closed
            lived = anyio.current_time() - opened_at
            stable = self._restart is not None and lived >= self._restart.stable_after
            self._failures = 1 if stable else self._failures + 1
            self._schedule_restart()

    def _schedule_restart(self) -> None:
        if self._restart is None or self._group is None or self._restart_at is not None:
            return
        delay = self._restart.delay(self._failures)
        self._restart_at = anyio.current_time() + delay
        log.info("upstream %s: restarting in %.1f s", self._domain, delay)
        self._group.start_soon(self._restart_later, delay)

    async def _restart_later(self, delay: float) -> None:
        await anyio.sleep(delay)
        self._restart_at = None
        if self._connection is None and self._attempt is None and self._group is not None:
            try:
                await self.session()
            except GatewayError:
                pass  # the failed attempt has scheduled the next restart
            else:
                if self._restart is not None and self._failures:
                    log.info("upstream %s: restarted", self._domain)
