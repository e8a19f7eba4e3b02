"""Which requests the execute_tool fast path serves, and the reply it writes (in-process, fake work)."""

from __future__ import annotations

import json
from collections.abc import MutableMapping
from typing import Any

import anyio
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

    async def receive(self) -> MutableMapping[str, Any]:
        await anyio.sleep_forever()  # the caller stays
        raise AssertionError


def with_token(body: bytes, token: str = "41") -> bytes:
    return body.replace(b'"_meta": {', b'"_meta": {"progressToken": ' + token.encode() + b", ")


def final_event(message: MutableMapping[str, Any]) -> Any:
    return json.loads(message["body"].decode().split("data: ", 1)[1])


def fast_path() -> tuple[FastExecute, Recorder, Any]:
    server = build_server(Gateway(), name="test-gateway")
    recorder = Recorder()
    return FastExecute(server, recorder.execute), recorder, server


async def test_an_execute_tool_call_is_answered_as_the_sdk_would() -> None:
    fast, recorder, _ = fast_path()
    scope, body = request({"tool_name": "add", "arguments": {"a": 1}}, x_tenant="t1")
    assert await fast(scope, body, recorder.receive, recorder.send)
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
    assert await fast(scope, with_token(body), recorder.receive, recorder.send)
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
        ({"tool_name": "add"}, "execute_tool", {"content_type": "text/plain"}),  # SDK answers 400
    ],
)
async def test_anything_unusual_goes_the_ordinary_way(arguments: Any, name: str, headers: dict[str, str]) -> None:
    fast, recorder, _ = fast_path()
    scope, body = request(arguments, name=name, **headers)
    assert not await fast(scope, body, recorder.receive, recorder.send)
    assert recorder.calls == []
    assert recorder.sent == []


async def test_it_stands_aside_when_middleware_it_would_skip_is_added() -> None:
    fast, recorder, server = fast_path()
    server.add_middleware(Middleware())
    scope, body = request()
    assert not await fast(scope, body, recorder.receive, recorder.send)


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
    assert await fast(scope, body, recorder.receive, recorder.send)
    assert len(recorder.sent) == 2  # no progress asked for: one JSON answer, as the JSON-mode app gives
    recorder.sent.clear()
    assert await fast(scope, with_token(body), recorder.receive, recorder.send)
    start, *pings, final = recorder.sent
    assert (b"content-type", b"text/event-stream") in start["headers"]
    assert pings
    assert all(ping["body"] == b": ping\r\n\r\n" for ping in pings)
    assert json.loads(final["body"].decode().split("data: ", 1)[1])["result"]["content"][0]["text"] == "done"


@pytest.mark.parametrize(
    "hide",
    [
        lambda server: server.disable(names={"execute_tool"}),
        lambda server: server.local_provider.remove_tool("execute_tool"),
    ],
)
async def test_it_stands_aside_when_execute_tool_is_hidden_or_removed(hide: Any) -> None:
    fast, recorder, server = fast_path()
    hide(server)
    scope, body = request()
    assert not await fast(scope, body, recorder.receive, recorder.send)
    assert recorder.calls == []


@pytest.mark.parametrize(
    ("token", "accept"),
    [
        ("null", "application/json, text/event-stream"),
        ("1.5", "application/json, text/event-stream"),
        ("{}", "application/json, text/event-stream"),
        ("true", "application/json, text/event-stream"),
        ("41", "application/json"),  # progress needs an event stream: the SDK answers 406
    ],
)
async def test_a_progress_token_the_sdk_would_refuse_or_coerce_goes_the_ordinary_way(token: str, accept: str) -> None:
    fast, recorder, _ = fast_path()
    scope, body = request(accept=accept)
    assert not await fast(scope, with_token(body, token), recorder.receive, recorder.send)
    assert recorder.calls == []


async def test_params_the_sdk_would_refuse_go_the_ordinary_way() -> None:
    fast, recorder, _ = fast_path()
    scope, body = request()
    broken = body.replace(
        b'"io.modelcontextprotocol/clientCapabilities": {}', b'"io.modelcontextprotocol/clientCapabilities": 5'
    )
    assert broken != body
    assert not await fast(scope, broken, recorder.receive, recorder.send)
    assert recorder.calls == []


async def test_a_caller_who_disconnects_cancels_the_call() -> None:
    fast, recorder, _ = fast_path()
    finished: list[bool] = []

    async def slow(tool_name: Any, arguments: Any, ctx: CallContext) -> ToolResult:
        await anyio.sleep(5)
        finished.append(True)
        return ToolResult(content=[])

    async def leaves() -> MutableMapping[str, Any]:
        await anyio.sleep(0.05)
        return {"type": "http.disconnect"}

    fast._execute = slow
    scope, body = request()
    with anyio.fail_after(3):
        assert await fast(scope, with_token(body), leaves, recorder.send)
    assert finished == []
    assert recorder.sent == []


async def test_a_failure_after_dispatch_is_a_json_rpc_error_not_a_500() -> None:
    fast, recorder, _ = fast_path()

    async def broken(tool_name: Any, arguments: Any, ctx: CallContext) -> ToolResult:
        raise RuntimeError("bug")

    fast._execute = broken
    scope, body = request()
    assert await fast(scope, body, recorder.receive, recorder.send)
    start, reply = recorder.sent
    assert start["status"] == 200
    assert json.loads(reply["body"]) == {
        "jsonrpc": "2.0",
        "id": 7,
        "error": {"code": -32603, "message": "Internal error"},
    }


async def test_progress_after_the_end_writes_nothing() -> None:
    from gateway_adapters.mcp_server.fast_execute import _Reply

    recorder = Recorder()
    reply = _Reply(recorder.send, 3)
    await reply.finish({"jsonrpc": "2.0", "id": 1, "result": {}})
    sent = len(recorder.sent)
    await reply.progress(1, None, None)
    await reply.finish({"jsonrpc": "2.0", "id": 1, "result": {}})
    assert len(recorder.sent) == sent


async def test_a_body_over_the_sdks_limit_never_reaches_the_fast_path() -> None:
    from gateway_adapters.mcp_server.response_modes import _MAX_PEEK, ResponseModeRouter

    offered: list[bytes] = []
    served: list[str] = []

    async def fast(scope: Any, body: bytes, receive: Any, send: Any) -> bool:
        offered.append(body)
        return True

    async def app(scope: Any, receive: Any, send: Any) -> None:
        served.append("app")

    router = ResponseModeRouter("/mcp", app, app, fast=fast)
    scope, _ = request()
    chunks = [b"x" * (_MAX_PEEK // 2), b"x" * (_MAX_PEEK // 2 + 100)]

    async def receive() -> MutableMapping[str, Any]:
        chunk = chunks.pop(0)
        return {"type": "http.request", "body": chunk, "more_body": bool(chunks)}

    await router(scope, receive, Recorder().send)
    assert offered == []
    assert served == ["app"]
