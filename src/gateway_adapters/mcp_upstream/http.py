"""Streamable-HTTP connection to an upstream: one httpx2 client per session, per-call headers by hook."""

from __future__ import annotations

import functools
import ssl
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager

import httpx2
import mcp_types as mt
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from .aiohttp_transport import AiohttpTransport
from .call_scope import inject_headers, record_status
from .connection import Connection
from .fast_calls import FastToolCalls
from .session import Connector

CLIENT_INFO = mt.Implementation(name="mcp-discovery-gateway", version="0.1.0")


@functools.cache
def tls_context() -> ssl.SSLContext:
    """Built once: constructing a TLS context costs ~18 ms, most of a new connection's price."""
    return ssl.create_default_context()


def http_connector(url: str, *, headers: Mapping[str, str] | None = None, connect_timeout: float = 10.0) -> Connector:
    """Connect over streamable HTTP, negotiating the 2026-07-28 protocol or the legacy handshake.

    ``headers`` are sent with every request (static credentials); per-call headers are added by
    the request hook and win over them. Read timeouts are left to the domain's call timeout.
    """
    static = dict(headers or {})

    @asynccontextmanager
    async def connect() -> AsyncIterator[Connection]:
        timeout = httpx2.Timeout(connect=connect_timeout, read=None, write=30.0, pool=None)
        wire = AiohttpTransport(tls=tls_context())
        async with httpx2.AsyncClient(
            headers=static,
            timeout=timeout,
            transport=wire,
            follow_redirects=False,
            event_hooks={"request": [inject_headers], "response": [record_status]},
        ) as http:
            transport = streamable_http_client(url, http_client=http)
            async with Client(transport, mode="auto", cache=None, client_info=CLIENT_INFO) as client:
                fast = FastToolCalls(url, wire.session(), client, static)
                yield Connection(client, fast if fast.available else None)

    return connect
