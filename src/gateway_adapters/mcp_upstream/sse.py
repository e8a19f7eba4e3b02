"""SSE connection to an upstream (the pre-2025 HTTP transport): one event stream, one POST per message."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

import httpx2
from mcp import Client
from mcp.client.sse import sse_client

from .call_scope import inject_headers, record_status
from .connection import Connection
from .http import CLIENT_INFO, tls_context
from .session import Connector

# The event stream stays open for the whole session; an idle upstream is not a dead one.
_EVENT_STREAM_IDLE = 24 * 3600.0


def sse_connector(url: str, *, headers: Mapping[str, str] | None = None, connect_timeout: float = 10.0) -> Connector:
    static = dict(headers or {})

    def client_factory(
        headers: dict[str, str] | None = None, timeout: httpx2.Timeout | None = None, auth: Any = None
    ) -> httpx2.AsyncClient:
        return httpx2.AsyncClient(
            headers=headers,
            timeout=httpx2.Timeout(connect=connect_timeout, read=_EVENT_STREAM_IDLE, write=30.0, pool=None),
            verify=tls_context(),
            auth=auth,
            event_hooks={"request": [inject_headers], "response": [record_status]},
        )

    @asynccontextmanager
    async def connect() -> AsyncIterator[Connection]:
        transport = sse_client(
            url,
            headers=static,
            timeout=connect_timeout,
            sse_read_timeout=_EVENT_STREAM_IDLE,
            httpx_client_factory=client_factory,
        )
        async with Client(transport, mode="auto", cache=None, client_info=CLIENT_INFO) as client:
            yield Connection(client)

    return connect
