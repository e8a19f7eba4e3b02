"""``execute_tool`` over the 2026-07-28 protocol without the per-request dispatch layers.

A relayed call is the gateway's hot path. Served the ordinary way, one ``tools/call`` passes
Starlette's app and middleware, the SDK's session manager and ``serve_one``, FastMCP's middleware
chain, context binding and tool wrapper, and pydantic validation of the meta-tool's arguments —
about two thirds of the gateway's CPU per relayed call, for a request whose shape is known.

This path takes one request of that shape, checks it as the SDK would (``Content-Type`` and
``Accept``, routing headers, the ``_meta`` envelope and the request's schema, ``Mcp-Param-*``
headers), runs the same ``execute_tool`` work (``ExecuteTool``) and writes the reply the SDK would
write: the same result shape, ``resultType`` and ``serverInfo`` stamp; JSON, or (for a caller that
sent a ``progressToken``, as the SDK's stream mode does) an event stream once the upstream reports
progress or the call outlasts the keep-alive interval, and the call is cancelled if that caller
disconnects. Anything else — another method, an argument or token of another shape, inbound auth,
middleware or transforms it does not know, a hidden or replaced ``execute_tool``, a request the
checks would reject — answers ``False`` and goes the ordinary way, which stays the single source
of every error reply.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, Mapping, MutableMapping
from typing import Any

import anyio
import mcp_types as mt
from fastmcp import settings as fastmcp_settings
from fastmcp.server.middleware.dereference import DereferenceRefsMiddleware
from fastmcp.telemetry import extract_trace_context
from mcp.server.streamable_http import check_accept_headers
from mcp.shared.inbound import (
    InboundLadderRejection,
    classify_inbound_request,
    find_duplicated_routing_header,
    validate_mcp_param_headers,
)
from mcp_types import methods as mcp_methods
from opentelemetry import context as otel_context
from starlette.requests import Request

from gateway_domain import CallContext

from .request_context import forwardable_meta
from .server import _CallerInstructions, _CallErrors

log = logging.getLogger(__name__)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ExecuteTool = Callable[[Any, Any, CallContext], Awaitable[Any]]
"""``(tool_name, arguments, ctx) -> ToolResult``: the meta-tool's own work, errors rendered."""
_GONE = object()
"""What a call comes to when its caller disconnected first."""

_SERVER_INFO = "io.modelcontextprotocol/serverInfo"
_PARAM_KEYS = frozenset({"name", "arguments", "_meta"})
_ARGUMENT_KEYS = frozenset({"tool_name", "arguments"})
_MAX_TOOL_NAME = 256
_PING_INTERVAL = 15.0
_SSE_HEADERS = [
    (b"content-type", b"text/event-stream"),
    (b"cache-control", b"no-cache, no-transform"),
    (b"connection", b"keep-alive"),
    (b"x-accel-buffering", b"no"),
]
_KNOWN_MIDDLEWARE: frozenset[type] = frozenset({_CallErrors, _CallerInstructions, DereferenceRefsMiddleware})
_TOOL_KEY = "tool:execute_tool@"
"""How FastMCP's local provider files the meta-tool (see ``FastExecute.enabled``)."""
_INTERNAL_ERROR = {"code": -32603, "message": "Internal error"}


def _event(message: Mapping[str, Any]) -> bytes:
    return f"event: message\r\ndata: {json.dumps(message, separators=(',', ':'))}\r\n\r\n".encode()


class _Reply:
    """One response: plain JSON at the end, or — for a caller that asked for progress — an event
    stream from the first progress report on (or after ``_PING_INTERVAL`` seconds, then with
    keep-alive pings, as the SDK's stream mode does). Nothing is written after the end."""

    def __init__(self, send: Send, token: Any) -> None:
        self._send = send
        self._token = token
        self._streaming = False
        self._finished = False
        self._lock = anyio.Lock()

    async def _start_stream(self) -> None:
        if not self._streaming:
            self._streaming = True
            await self._send({"type": "http.response.start", "status": 200, "headers": _SSE_HEADERS})

    async def progress(self, progress: float, total: float | None, message: str | None) -> None:
        params: dict[str, Any] = {"progressToken": self._token, "progress": progress}
        if total is not None:
            params["total"] = total
        if message is not None:
            params["message"] = message
        notification = {"jsonrpc": "2.0", "method": "notifications/progress", "params": params}
        async with self._lock:
            if self._finished:
                return
            await self._start_stream()
            await self._send({"type": "http.response.body", "body": _event(notification), "more_body": True})

    async def keep_alive(self) -> None:
        while True:
            async with self._lock:
                if self._finished:
                    return
                await self._start_stream()
                await self._send({"type": "http.response.body", "body": b": ping\r\n\r\n", "more_body": True})
            await anyio.sleep(_PING_INTERVAL)

    async def finish(self, message: Mapping[str, Any]) -> None:
        async with self._lock:
            if self._finished:
                return
            self._finished = True
            if self._streaming:
                await self._send({"type": "http.response.body", "body": _event(message), "more_body": False})
                return
            body = json.dumps(message, separators=(",", ":")).encode()
            headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
            await self._send({"type": "http.response.start", "status": 200, "headers": headers})
            await self._send({"type": "http.response.body", "body": body, "more_body": False})


class FastExecute:
    """Serves eligible ``execute_tool`` calls; ``__call__`` answers whether it served the request."""

    def __init__(self, server: Any, execute: ExecuteTool) -> None:
        self._server = server
        self._execute = execute
        self._tool = server._local_provider._components.get(_TOOL_KEY)
        tool_schemas = server._mcp_server.get_tool_input_schema
        self._input_schema = tool_schemas("execute_tool") if tool_schemas is not None else None

    def enabled(self) -> bool:
        """Only while nothing the fast path would skip is configured: inbound auth, the Host/Origin
        guard, middleware other than the gateway's own, and anything that changes which tools
        exist — a transform (``disable``, a namespace), another provider, or ``execute_tool``
        removed or replaced since the fast path was made."""
        server = self._server
        local = server._local_provider
        return (
            self._tool is not None
            and server.auth is None
            and fastmcp_settings.http_host_origin_protection is False
            and not server._transforms
            and not local._transforms
            and len(server.providers) == 1
            and server.providers[0] is local
            and local._components.get(_TOOL_KEY) is self._tool
            and all(type(m) in _KNOWN_MIDDLEWARE for m in server.middleware)
        )

    def _request(self, scope: Scope, body: bytes) -> tuple[dict[str, Any], Request, str, bool] | None:
        """The decoded request, its protocol version and whether the caller accepts an event
        stream, when it is an ``execute_tool`` call the SDK would accept as is."""
        if b'"execute_tool"' not in body or not self.enabled():
            return None
        request = Request(scope)
        if "origin" in request.headers:
            return None  # browsers' requests keep every check of the ordinary path
        content_type = request.headers.get("content-type", "")
        if content_type.split(";", 1)[0].strip().lower() != "application/json":
            return None
        has_json, has_sse = check_accept_headers(request)
        if not has_json:
            return None
        try:
            decoded = json.loads(body)
        except (ValueError, RecursionError):
            return None
        if not isinstance(decoded, dict) or decoded.get("jsonrpc") != "2.0" or decoded.get("method") != "tools/call":
            return None
        request_id = decoded.get("id")
        if isinstance(request_id, bool) or not isinstance(request_id, int | str):
            return None
        params = decoded.get("params")
        if not isinstance(params, dict) or params.get("name") != "execute_tool" or not set(params) <= _PARAM_KEYS:
            return None
        meta = params.get("_meta")
        if isinstance(meta, dict) and "progressToken" in meta:
            token = meta["progressToken"]
            if isinstance(token, bool) or not isinstance(token, int | str) or not has_sse:
                return None  # the SDK coerces or refuses these; a stream needs text/event-stream
        arguments = params.get("arguments")
        if not isinstance(arguments, dict) or not set(arguments) <= _ARGUMENT_KEYS:
            return None
        tool_name = arguments.get("tool_name")
        if not isinstance(tool_name, str) or len(tool_name) > _MAX_TOOL_NAME:
            return None
        inner = arguments.get("arguments")
        if inner is not None and not isinstance(inner, dict | str):
            return None
        if find_duplicated_routing_header(request.headers.items()) is not None:
            return None
        verdict = classify_inbound_request(decoded, headers=dict(request.headers))
        if isinstance(verdict, InboundLadderRejection):
            return None
        try:
            mcp_methods.validate_client_request("tools/call", verdict.protocol_version, params)
        except (ValueError, KeyError):  # pydantic's ValidationError is a ValueError
            return None
        if self._input_schema is not None and validate_mcp_param_headers(
            self._input_schema, arguments, request.headers
        ):
            return None
        return decoded, request, verdict.protocol_version, has_sse

    async def __call__(self, scope: Scope, body: bytes, receive: Receive, send: Send) -> bool:
        found = self._request(scope, body)
        if found is None:
            return False
        decoded, request, version, _ = found
        params = decoded["params"]
        meta = params.get("_meta")
        token = meta.get("progressToken") if isinstance(meta, dict) else None
        reply = _Reply(send, token)
        ctx = CallContext(
            headers=dict(request.headers.items()),
            request_meta=forwardable_meta(meta),
            progress=reply.progress if token is not None else None,
        )
        arguments = params["arguments"]
        traced = isinstance(meta, dict) and "traceparent" in meta
        attached = otel_context.attach(extract_trace_context(meta)) if traced else None
        try:
            call = self._execute(arguments["tool_name"], arguments.get("arguments"), ctx)
            result = await (self._streamed(call, reply, receive) if token is not None else call)
            if result is _GONE:
                return True  # the caller left; the call was cancelled, as in the SDK's stream mode
            message: dict[str, Any] = {"jsonrpc": "2.0", "id": decoded["id"], "result": self._wire(result, version)}
        except Exception:
            log.exception("execute_tool failed on the fast path")
            message = {"jsonrpc": "2.0", "id": decoded["id"], "error": _INTERNAL_ERROR}
        finally:
            if attached is not None:
                otel_context.detach(attached)
        log.debug("execute_tool served on the fast path")
        try:
            await reply.finish(message)
        except OSError:
            log.debug("the caller left before the reply was written")
        return True

    async def _streamed(self, call: Awaitable[Any], reply: _Reply, receive: Receive) -> Any:
        """``call`` for a caller that asked for progress: kept alive with pings once it outlasts
        ``_PING_INTERVAL`` (a timer, not a task per request: most calls end long before), and
        cancelled if the caller disconnects (then ``_GONE``)."""
        loop = asyncio.get_running_loop()
        pinger: list[asyncio.Task[None]] = []
        timer = loop.call_later(_PING_INTERVAL, lambda: pinger.append(loop.create_task(reply.keep_alive())))
        outcome: list[Any] = [_GONE]
        try:
            async with anyio.create_task_group() as group:

                async def watch() -> None:
                    while (await receive())["type"] != "http.disconnect":
                        pass
                    group.cancel_scope.cancel()

                group.start_soon(watch)
                outcome[0] = await call
                group.cancel_scope.cancel()
        finally:
            timer.cancel()
            for task in pinger:
                task.cancel()
            await asyncio.gather(*pinger, return_exceptions=True)
        return outcome[0]

    def _wire(self, result: Any, version: str) -> dict[str, Any]:
        """The result as the SDK's runner shapes it: the per-version sieve, ``resultType``, the
        ``serverInfo`` stamp."""
        call = mt.CallToolResult(
            content=result.content,
            structured_content=result.structured_content,
            is_error=result.is_error,
            _meta=result.meta,
        )
        dumped = mcp_methods.serialize_server_result(
            "tools/call", version, call.model_dump(mode="json", by_alias=True, exclude_none=True)
        )
        dumped.setdefault("resultType", "complete")
        stamp = self._server._mcp_server.server_info_stamp
        meta = dumped.get("_meta")
        if meta is None:
            dumped["_meta"] = {_SERVER_INFO: stamp}
        elif isinstance(meta, dict) and meta.get(_SERVER_INFO) is None:
            dumped["_meta"] = {**meta, _SERVER_INFO: stamp}
        return dumped
