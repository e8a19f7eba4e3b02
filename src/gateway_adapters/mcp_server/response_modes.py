"""Answer each stateless MCP request as plain JSON unless it needs an event stream.

On the 2026-07-28 protocol the SDK serves a request either in JSON mode (the handler runs in the
request's own task, one JSON body back) or in stream mode (the handler runs in a sibling task and
the response is held back, then committed as JSON or as an event stream). Stream mode is only
needed to relay notifications mid-request — for the gateway, progress, which a caller asks for
with a ``progressToken``. It costs two tasks, a memory stream and a cancel scope per request, a
tenth of the gateway's time per relayed call. So requests go to a JSON-mode app unless they ask
for progress or belong to a handshake-era session, which keeps its stream-mode app and its state.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from typing import Any

from mcp_types.version import MODERN_PROTOCOL_VERSIONS
from starlette.applications import Starlette

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
FastPath = Callable[[Scope, bytes, Receive, Send], Awaitable[bool]]
"""Serves a request from its read body when it can (``True``), else leaves it to the apps; it
gets ``receive`` to notice the caller disconnecting."""

_MODERN = {version.encode() for version in MODERN_PROTOCOL_VERSIONS}
_MAX_PEEK = 4 * 1024 * 1024
"""The SDK's own body limit: a larger body is left to it (a 413), never to the fast path."""


def _has_header(scope: Scope, name: bytes) -> bool:
    return any(key == name for key, _ in scope.get("headers", ()))


def _protocol_version(scope: Scope) -> bytes | None:
    for name, value in scope.get("headers", ()):
        if name == b"mcp-protocol-version":
            return bytes(value)
    return None


class ResponseModeRouter:
    """Routes POSTs to ``path`` between a JSON-mode and a stream-mode app of the same server."""

    def __init__(
        self,
        path: str,
        json_app: ASGIApp,
        stream_app: ASGIApp,
        *,
        requires_auth: bool = False,
        fast: FastPath | None = None,
    ) -> None:
        self._path = path.rstrip("/")
        self._json_app = json_app
        self._stream_app = stream_app
        self._requires_auth = requires_auth
        self._fast = fast

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope.get("type") != "http"
            or scope.get("method") != "POST"
            or scope.get("path", "").rstrip("/") != self._path
            or _protocol_version(scope) not in _MODERN
            # Without credentials the answer is a 401: no reason to read (and hold) the body first.
            or (self._requires_auth and not _has_header(scope, b"authorization"))
        ):
            await self._stream_app(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client left before sending its body
                await self._stream_app(scope, _replay([message], receive), send)
                return
            chunk = message.get("body", b"")
            chunks.append(chunk)
            size += len(chunk)
            if not message.get("more_body", False) or size > _MAX_PEEK:
                break
        body = b"".join(chunks)
        more = bool(message.get("more_body", False))
        if not more and size <= _MAX_PEEK and self._fast is not None and await self._fast(scope, body, receive, send):
            return
        # A progressToken (or a body with escapes that might spell one) needs the stream mode.
        app = self._stream_app if more or b'"progressToken"' in body or b"\\u" in body else self._json_app
        await app(scope, _replay([{"type": "http.request", "body": body, "more_body": more}], receive), send)


def _replay(first: list[Message], receive: Receive) -> Receive:
    pending = list(first)

    async def replayed() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()

    return replayed


def build_http_app(
    server: Any,
    path: str,
    runtime: Callable[[], AbstractAsyncContextManager[Any]] | None = None,
    fast: FastPath | None = None,
) -> ASGIApp:
    """The gateway's ASGI app: MCP at ``path`` (JSON or stream mode per request, see above, and
    ``fast`` before either), the custom routes (``/healthz``, ``/readyz``), and one lifespan that
    starts ``runtime`` first and the MCP session managers of both modes inside it."""
    stream_app = server.http_app(path=path)
    json_app = server.http_app(path=path, json_response=True)
    router = ResponseModeRouter(path, json_app, stream_app, requires_auth=server.auth is not None, fast=fast)

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            if runtime is not None:
                await stack.enter_async_context(runtime())
            await stack.enter_async_context(stream_app.router.lifespan_context(stream_app))
            await stack.enter_async_context(json_app.router.lifespan_context(json_app))
            yield

    lifespan_host = Starlette(lifespan=lifespan)

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await lifespan_host(scope, receive, send)
        else:
            await router(scope, receive, send)

    return app
