"""One ``execute_code`` run: the functions bound for this caller, what a call from the code does,
the limits, the audit record.

Every tool call the code makes is an ordinary ``execute`` with the caller's context, so hooks,
access policy, argument checks, timeouts and per-caller headers apply without a second
implementation. What differs is only how its outcome reaches the code: a value, or a
``RuntimeError("[code] message")`` raised where the code can catch it.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import anyio
from attrs import evolve

from gateway_domain.code_mode import (
    GENERIC_CALL,
    CodeFailure,
    CodeMode,
    CodeRun,
    ToolFunction,
    arguments_problem,
    bound_names,
    keyword_arguments,
    loggable_name,
    tool_value,
)
from gateway_domain.context import CallContext
from gateway_domain.errors import ErrorCode, GatewayError
from gateway_domain.ports import Tracer
from gateway_domain.registry import RegistrySnapshot
from gateway_domain.tools import CallResult

log = logging.getLogger("gateway_domain.code_mode")

Execute = Callable[[str, Mapping[str, Any] | None, CallContext], Awaitable[CallResult]]


class _Calls:
    """The tool calls of one run: counted against the limit, reported as progress that only rises."""

    def __init__(self, limit: int, progress: Any) -> None:
        self.limit = limit
        self.names: list[str] = []
        self._progress = progress
        self._done = 0
        self._reported = 0

    def start(self, tool_name: str) -> None:
        if len(self.names) >= self.limit:
            raise RuntimeError(
                f"[{ErrorCode.EXECUTION_ERROR}] this run already made {self.limit} tool calls, "
                "the most one execute_code run may make."
            )
        self.names.append(tool_name)

    async def finished(self, tool_name: str) -> None:
        # Each inner call's own progress would restart from zero under the run's one progress
        # token; the run reports finished calls instead, and never a smaller number than before.
        self._done += 1
        done = self._done
        if self._progress is None or done <= self._reported:
            return
        self._reported = done
        with contextlib.suppress(Exception):  # a client that stopped listening must not fail the run
            await self._progress(float(done), None, f"{done} tool call(s) done; last: {loggable_name(tool_name)}")


class CodeRunner:
    """Runs code for ``Gateway.execute_code``; remembers the bindings of the last snapshot it saw."""

    def __init__(self, mode: CodeMode, execute: Execute, tracer: Tracer) -> None:
        self.mode = mode
        self._execute = execute
        self._tracer = tracer
        self._last: tuple[RegistrySnapshot, dict[str, str]] | None = None

    def bindings(self, snapshot: RegistrySnapshot) -> dict[str, str]:
        """Identifier → tool name. Sorting a large catalogue's names is the costly part of a run's
        start, and without per-caller rules every run sees the same snapshot."""
        last = self._last
        if last is not None and last[0] is snapshot:
            return last[1]
        bound = bound_names(snapshot.tools.values())
        self._last = (snapshot, bound)
        return bound

    def aliases(self, snapshot: RegistrySnapshot) -> dict[str, str]:
        """Tool name → identifier, for the tools whose identifier differs from their name."""
        return {tool: identifier for identifier, tool in self.bindings(snapshot).items() if identifier != tool}

    async def run(self, code: str, ctx: CallContext, visible: RegistrySnapshot) -> CodeRun:
        limits = self.mode.limits
        digest = hashlib.sha256(code.encode("utf-8", "replace")).hexdigest()
        calls = _Calls(limits.max_nested_calls, ctx.progress)
        inner = evolve(ctx, progress=None)

        async def call(tool_name: str, arguments: Mapping[str, Any]) -> Any:
            calls.start(tool_name)
            problem = arguments_problem(arguments)
            if problem is not None:
                raise RuntimeError(f"[{ErrorCode.INVALID_ARGUMENTS}] {tool_name}: {problem}")
            try:
                result = await self._execute(tool_name, arguments, inner)
            except GatewayError as error:
                raise RuntimeError(f"[{error.code}] {error.message}") from None
            finally:
                await calls.finished(tool_name)
            if result.is_error:
                text = " ".join(result.texts()) or "the tool reported an error"
                raise RuntimeError(f"[{ErrorCode.UPSTREAM_ERROR}] {tool_name}: {text}")
            tool = visible.tools.get(tool_name)
            return tool_value(result, tool.spec.output_schema if tool is not None else None)

        def bind(identifier: str, tool_name: str) -> ToolFunction:
            async def function(*args: Any, **kwargs: Any) -> Any:
                return await call(tool_name, keyword_arguments(identifier, args, kwargs))

            return function

        async def call_tool(*args: Any, **kwargs: Any) -> Any:
            usage = 'call_tool("tool-name", {"argument": value})'
            if kwargs or not 1 <= len(args) <= 2 or not isinstance(args[0], str):
                raise TypeError(f"{GENERIC_CALL} takes a tool name and a dict of arguments: {usage}")
            arguments = args[1] if len(args) == 2 else None
            if arguments is not None and not isinstance(arguments, Mapping):
                raise TypeError(f"{GENERIC_CALL}'s arguments must be a dict: {usage}")
            return await call(args[0], arguments or {})

        with self._tracer.start_span("gateway.execute_code", {"gateway.code_sha256": digest}) as span:
            started = anyio.current_time()
            functions: dict[str, ToolFunction] = {
                identifier: bind(identifier, tool_name) for identifier, tool_name in self.bindings(visible).items()
            }
            functions[GENERIC_CALL] = call_tool
            if self.mode.audit_verbatim:
                log.debug("execute_code %s code:\n%s", digest[:12], code)
            try:
                with anyio.fail_after(limits.max_duration_secs):
                    outcome = await self.mode.sandbox.run(code, functions, limits)
            except TimeoutError:
                error = GatewayError(
                    ErrorCode.EXECUTION_ERROR,
                    f"execute_code ran longer than {limits.max_duration_secs:g} s (tool calls included) "
                    "and was stopped.",
                    {"limit": "max_duration_secs", "tool_calls": len(calls.names)},
                )
                span.record_error(error, error.code)
                raise error from None
            except CodeFailure as failure:
                error = GatewayError(
                    ErrorCode.EXECUTION_ERROR, failure.message, {"kind": failure.kind, "tool_calls": len(calls.names)}
                )
                span.record_error(error, error.code)
                raise error from None
            finally:
                names = list(dict.fromkeys(loggable_name(name) for name in calls.names))
                log.info(
                    "code_mode.invoked sha256=%s tools=%s steps=%d duration_ms=%.1f",
                    digest[:12],
                    ",".join(names[:20]) + (f",+{len(names) - 20} more" if len(names) > 20 else ""),
                    len(calls.names),
                    (anyio.current_time() - started) * 1000,
                )
            span.set_attribute("gateway.tool_calls", len(calls.names))
            return CodeRun(value=outcome.value, output=outcome.output, tool_calls=tuple(calls.names))
