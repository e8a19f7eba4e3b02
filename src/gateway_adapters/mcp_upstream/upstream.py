"""The ``Upstream`` port over the MCP SDK: list and call through one shared session."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from types import TracebackType
from typing import Any, TypeVar

from mcp import Client

from gateway_domain import CallResult, ErrorCode, GatewayError, ToolSpec, UpstreamCall

from .call_scope import call_scope
from .connection import Connection
from .convert import call_result, tool_spec
from .errors import classify, connection_lost, stale_session, transport_closed
from .fast_calls import FallBack
from .session import Connector, RestartPolicy, SessionKeeper

log = logging.getLogger(__name__)

MAX_LIST_PAGES = 1000

T = TypeVar("T")


class McpUpstream:
    """An upstream MCP server reached over any SDK transport, through one long-lived session.

    Enter it (``async with``) for as long as the gateway runs; leaving closes the session.
    """

    def __init__(
        self,
        domain: str,
        connect: Connector,
        *,
        connect_timeout: float = 10.0,
        restart: RestartPolicy | None = None,
        list_headers: Mapping[str, str] | None = None,
    ) -> None:
        self.domain = domain
        self._list_headers = dict(list_headers or {})
        # The handshake is part of discovering the upstream: it carries the listing credentials too.
        self._keeper = SessionKeeper(
            domain, connect, connect_timeout=connect_timeout, restart=restart, handshake_headers=self._list_headers
        )

    async def __aenter__(self) -> McpUpstream:
        await self._keeper.__aenter__()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self._keeper.__aexit__(exc_type, exc, tb)

    @property
    def connected(self) -> bool:
        return self._keeper.connected

    async def list_tools(self) -> Sequence[ToolSpec]:
        return await self._on_session(lambda connection: self._list_all(connection.client), self._list_headers)

    def self_description(self) -> str:
        """The server's ``serverInfo.description``, else its handshake ``instructions``, else its
        title, as of the last handshake ('' when it gave none)."""
        return self._keeper.self_description

    async def _list_all(self, client: Client) -> list[ToolSpec]:
        specs: list[ToolSpec] = []
        cursor: str | None = None
        seen: set[str] = set()
        for _ in range(MAX_LIST_PAGES):
            page = await client.list_tools(cursor=cursor, cache_mode="refresh")
            specs.extend(tool_spec(tool) for tool in page.tools)
            cursor = page.next_cursor
            if cursor is None or cursor in seen:
                return specs
            seen.add(cursor)
        log.warning("upstream %s: stopped listing after %d pages", self.domain, MAX_LIST_PAGES)
        return specs

    async def call_tool(self, call: UpstreamCall) -> CallResult:
        meta: Any = dict(call.meta) if call.meta else None

        async def send(connection: Connection) -> CallResult:
            if connection.fast_calls is not None:
                try:
                    return await connection.fast_calls.call(
                        call.tool_name, call.arguments, meta=meta, headers=call.headers, progress=call.progress
                    )
                except FallBack:
                    pass
            result = await connection.client.call_tool(
                call.tool_name, dict(call.arguments), progress_callback=call.progress, meta=meta
            )
            return call_result(result)

        return await self._on_session(send, call.headers)

    async def _on_session(
        self, work: Callable[[Connection], Awaitable[T]], headers: Mapping[str, str] | None = None
    ) -> T:
        """Run ``work`` on the shared session, with this call's headers.

        A session found dead before use, or one the server no longer knows (HTTP 404 after the
        server restarted), is replaced and the work sent once more: in both cases the server never
        received it, so nothing runs twice. Any other failure is classified and raised.
        """
        for attempt in (1, 2):
            connection, generation = await self._keeper.session()
            if attempt == 1 and transport_closed(connection.client):
                self._keeper.drop(generation)
                continue
            with call_scope(headers) as scope:
                try:
                    return await work(connection)
                except Exception as exc:
                    if attempt == 1 and stale_session(exc, scope):
                        log.info("upstream %s: session expired on the server; reopening", self.domain)
                        self._keeper.drop(generation)
                        continue
                    raise self._failure(exc, scope, generation) from None
        raise GatewayError(
            ErrorCode.UPSTREAM_UNAVAILABLE, f"Upstream server '{self.domain}' keeps closing new sessions."
        )

    def _failure(self, exc: Exception, scope: Any, generation: int) -> GatewayError:
        if isinstance(exc, GatewayError):
            return exc
        if connection_lost(exc):
            self._keeper.drop(generation)
        return classify(self.domain, exc, scope)
