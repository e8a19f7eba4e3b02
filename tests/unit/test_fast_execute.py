"""Which requests the execute_tool fast path serves, and the reply it writes (in-process, fake work)."""

from __future__ import annotations

import json
from collections.abc import MutableMapping
from typing import Any

import mcp_types as mt
import pytest
from fastmcp.server.middleware import Middleware
from fastmcp.tools import ToolResult

from gateway_adapters.mcp_server import FastExecute, build_server
from gateway_domain import CallContext, Gateway
from tests.modern_protocol import HEADERS, META


def request(arguments: Any = None, *, name: str = "execute_tool", **headers: str) -> tuple[dict[str, Any], bytes]:
    params: dict[str, Any] = {"name": name, "arguments": arguments or {"tool_name": "add"}, "_meta": META}
    body = json.dumps({"jsonrpc": "2.0", "id": 7, "method": "tools/call", "params": params}).encode()
    merged = {**HEADERS, **{key.replace("_", "-"): value for key, value in headers.items()}}
    scope = {
        "type": "http",
        "method": "POST",
        "path": "/mcp",
        "headers": [(key.encode(), value.encode()) for key, value in merged.items()],
    }
    return scope, body


class Recorder:
    def __init__(self) -> None:
        self.calls: list[tuple[Any, Any, CallContext]] = []
        self.sent: list[MutableMapping[str, Any]] = []

    async def execute(self, tool_name: Any, arguments: Any, ctx: CallContext) -> ToolResult:
        self.calls.append((tool_name, arguments, ctx))
        if ctx.progress is not None:
            await ctx.progress(1, 2, "half")
        return ToolResult(content=[mt.TextContent(type="text", text="3")], structured_content={"result": 3})

    async def send(self, message: MutableMapping[str, Any]) -> None:
        self.sent.append(message)


def fast_path() -> tuple[FastExecute, Recorder, Any]:
    server = build_server(Gateway(), name="test-gateway")
    recorder = Recorder()
    return FastExecute(server, recorder.execute), recorder, server


async def test_an_execute_tool_call_is_answered_as_the_sdk_would() -> None:
    fast, recorder, _ = fast_path()
    scope, body = request({"tool_name": "add", "arguments": {"a": 1}}, x_tenant="t1")
    assert await fast(scope, body, recorder.send)
    [(tool_name, arguments, ctx)] = recorder.calls
    assert (tool_name, arguments, ctx.headers["x-tenant"], ctx.progress) == ("add", {"a": 1}, "t1", None)
    start, reply = recorder.sent
    assert start["status"] == 200
    assert (b"content-type", b"application/json") in start["headers"]
    result = json.loads(reply["body"])["result"]
    assert result["content"] == [{"type": "text", "text": "3"}]
    assert result["structuredContent"] == {"result": 3}
    assert result["resultType"] == "complete"
    assert result["_meta"]["io.modelcontextprotocol/serverInfo"]["name"] == "test-gateway"


async def test_progress_turns_the_reply_into_an_event_stream() -> None:
    fast, recorder, _ = fast_path()
    scope, body = request({"tool_name": "add"})
    with_token = body.replace(b'"_meta": {', b'"_meta": {"progressToken": 41, ')
    assert await fast(scope, with_token, recorder.send)
    start, progress, final = recorder.sent
    assert (b"content-type", b"text/event-stream") in start["headers"]
    event = json.loads(progress["body"].decode().split("data: ", 1)[1])
    assert event["params"] == {"progressToken": 41, "progress": 1, "total": 2, "message": "half"}
    assert json.loads(final["body"].decode().split("data: ", 1)[1])["id"] == 7
    assert final["more_body"] is False


@pytest.mark.parametrize(
    ("arguments", "name", "headers"),
    [
        ({"tool_name": "add"}, "discover_tools", {}),  # another meta-tool
        ({"tool_name": "add"}, "execute_tool", {"mcp_name": "discover_tools"}),  # header ≠ body: SDK rejects
        ({"tool_name": "add"}, "execute_tool", {"origin": "http://evil.test"}),  # browsers keep every check
        ({"tool_name": "add"}, "execute_tool", {"accept": "text/html"}),  # SDK answers 406
        ({"tool_name": 5}, "execute_tool", {}),  # wrong type: pydantic's error, not ours
        ({"tool_name": "x" * 257}, "execute_tool", {}),
        ({"tool_name": "add", "extra": 1}, "execute_tool", {}),
    ],
)
async def test_anything_unusual_goes_the_ordinary_way(arguments: Any, name: str, headers: dict[str, str]) -> None:
    fast, recorder, _ = fast_path()
    scope, body = request(arguments, name=name, **headers)
    assert not await fast(scope, body, recorder.send)
    assert recorder.calls == []
    assert recorder.sent == []


async def test_it_stands_aside_when_middleware_it_would_skip_is_added() -> None:
    fast, recorder, server = fast_path()
    server.add_middleware(Middleware())
    scope, body = request()
    assert not await fast(scope, body, recorder.send)


async def test_a_long_call_is_kept_alive_with_pings(monkeypatch: pytest.MonkeyPatch) -> None:
    import anyio

    from gateway_adapters.mcp_server import fast_execute

    monkeypatch.setattr(fast_execute, "_PING_INTERVAL", 0.05)
    fast, recorder, _ = fast_path()

    async def slow(tool_name: Any, arguments: Any, ctx: CallContext) -> ToolResult:
        await anyio.sleep(0.2)
        return ToolResult(content=[mt.TextContent(type="text", text="done")])

    fast._execute = slow
    scope, body = request()
    assert await fast(scope, body, recorder.send)
    start, *pings, final = recorder.sent
    assert (b"content-type", b"text/event-stream") in start["headers"]
    assert pings
    assert all(ping["body"] == b": ping\r\n\r\n" for ping in pings)
    assert json.loads(final["body"].decode().split("data: ", 1)[1])["result"]["content"][0]["text"] == "done"
