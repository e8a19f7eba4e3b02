"""``tools/call`` on a stateless (2026-07-28) streamable-HTTP session, as one direct POST.

On that protocol a tool call is self-contained: one POST whose body is the JSON-RPC request and
whose answer is JSON (or an event stream carrying progress, then the answer). The SDK client sends
it through a dispatcher, memory streams and two tasks per message; measured on this project's
benchmark that machinery was a third of the gateway's CPU per relayed call. This path keeps what
matters from the SDK — its own request stamping (protocol version, client info and capabilities in
``_meta``, the ``Mcp-*`` headers) and its result types — and sends the POST itself.

Anything it does not handle returns ``None``/raises ``FallBack`` so the caller uses the SDK path:
a handshake-era session (with a session id), an SDK without the stamping hook, a server that
rejects the call for a stale tool listing (the SDK re-lists and retries), or a server asking for
user input mid-call.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Mapping
from typing import Any

import aiohttp
from mcp import Client, MCPError
from mcp_types import HEADER_MISMATCH, INTERNAL_ERROR, INVALID_REQUEST
from mcp_types.version import MODERN_PROTOCOL_VERSIONS

from gateway_domain import CallResult, ProgressSink

from .call_scope import note_status
from .convert import wire_call_result

_ACCEPT = "application/json, text/event-stream"


class FallBack(Exception):
    """This call needs the SDK's full path."""


def _stamper(client: Client) -> Callable[[dict[str, Any], dict[str, Any]], None] | None:
    """The SDK's own per-request stamping, when this session speaks the stateless protocol."""
    if client.protocol_version not in MODERN_PROTOCOL_VERSIONS:
        return None
    stamp = getattr(client.session, "_stamp", None)
    return stamp if callable(stamp) else None


def _error(payload: Mapping[str, Any]) -> MCPError:
    raw = payload.get("error")
    error: Mapping[str, Any] = raw if isinstance(raw, Mapping) else {}
    code = error.get("code")
    return MCPError(
        code=code if isinstance(code, int) else INTERNAL_ERROR,
        message=str(error.get("message", "error")),
        data=error.get("data"),
    )


class FastToolCalls:
    """Sends ``tools/call`` requests of one session straight over aiohttp."""

    def __init__(self, url: str, http: aiohttp.ClientSession, client: Client, headers: Mapping[str, str]) -> None:
        self._url = url
        self._http = http
        self._stamp = _stamper(client)
        self._static = dict(headers)
        self._ids = itertools.count(1_000_000)

    @property
    def available(self) -> bool:
        return self._stamp is not None

    async def call(
        self,
        name: str,
        arguments: Mapping[str, Any],
        *,
        meta: Mapping[str, Any] | None,
        headers: Mapping[str, str],
        progress: ProgressSink | None,
    ) -> CallResult:
        if self._stamp is None:
            raise FallBack
        request_id = next(self._ids)
        params: dict[str, Any] = {"name": name, "arguments": dict(arguments)}
        if meta or progress is not None:
            params["_meta"] = dict(meta or {})
            if progress is not None:
                params["_meta"]["progressToken"] = request_id
        data: dict[str, Any] = {"method": "tools/call", "params": params}
        options: dict[str, Any] = {}
        self._stamp(data, options)
        request_headers = {
            **self._static,
            "Content-Type": "application/json",
            "Accept": _ACCEPT,
            **options.get("headers", {}),
            **headers,
        }
        body = json.dumps({"jsonrpc": "2.0", "id": request_id, **data}, separators=(",", ":"))
        async with self._http.post(self._url, data=body, headers=request_headers, allow_redirects=False) as response:
            if response.status >= 400:
                note_status(response.status, response.headers.get("WWW-Authenticate"))
            kind = response.headers.get("Content-Type", "").lower()
            if kind.startswith("text/event-stream") and response.status < 400:
                payload = await self._read_events(response, request_id, progress)
            elif kind.startswith("application/json"):
                payload = json.loads(await response.read())
            elif response.status >= 400:
                raise MCPError(code=INTERNAL_ERROR, message="Server returned an error response")
            else:
                raise MCPError(code=INVALID_REQUEST, message=f"Unexpected content type: {kind or 'none'}")
        return self._result(payload)

    @staticmethod
    def _result(payload: Any) -> CallResult:
        if not isinstance(payload, Mapping):
            raise MCPError(code=INTERNAL_ERROR, message="Server sent a response that is not a JSON-RPC message")
        if "error" in payload:
            error = _error(payload)
            if error.code == HEADER_MISMATCH:
                raise FallBack  # the SDK re-lists the tools and sends the call again
            raise error
        result = payload.get("result")
        if not isinstance(result, Mapping):
            # The call may have run: never send it again, report the malformed answer instead.
            raise MCPError(code=INTERNAL_ERROR, message="Server answered a tool call without a result object")
        if result.get("resultType", "complete") == "input_required":
            raise FallBack  # the server needs input before it runs the tool; the SDK path handles that
        if result.get("resultType", "complete") != "complete":
            raise MCPError(code=INTERNAL_ERROR, message=f"Server answered with result type {result['resultType']!r}")
        try:
            return wire_call_result(result)
        except ValueError as exc:
            raise MCPError(code=INTERNAL_ERROR, message=f"Server sent a malformed tool result: {exc}") from None

    @staticmethod
    async def _read_events(response: aiohttp.ClientResponse, request_id: int, progress: ProgressSink | None) -> Any:
        """Read an event stream: relay progress notifications, return the answer to this request."""
        data: list[str] = []
        async for raw in response.content:
            line = raw.decode("utf-8").rstrip("\r\n")
            if line.startswith("data:"):
                data.append(line[5:].removeprefix(" "))
            elif not line and data:
                answer = await FastToolCalls._event("\n".join(data), request_id, progress)
                if answer is not None:
                    return answer
                data = []
        if data and (answer := await FastToolCalls._event("\n".join(data), request_id, progress)) is not None:
            return answer
        raise MCPError(code=INTERNAL_ERROR, message="Server closed the event stream without answering")

    @staticmethod
    async def _event(text: str, request_id: int, progress: ProgressSink | None) -> Mapping[str, Any] | None:
        message = json.loads(text)
        if not isinstance(message, Mapping):
            return None
        if message.get("id") == request_id and ("result" in message or "error" in message):
            return message
        if message.get("method") == "notifications/progress" and progress is not None:
            note = message.get("params") or {}
            await progress(float(note.get("progress", 0)), note.get("total"), note.get("message"))
        return None
