"""execute_tool's fast path answers exactly as the ordinary path does, and keeps callers apart.

A request with an ``Origin`` header always takes the ordinary path (FastMCP's middleware, the
SDK's dispatch), so the same request with and without one compares the two. The gateway runs at
DEBUG, where the fast path logs each call it serves: the tests check which path answered.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import aiohttp
import anyio
import pytest

from tests.modern_protocol import HEADERS, META
from tests.processes import Process, fixture_server, gateway

pytestmark = pytest.mark.e2e


SERVED_FAST = "execute_tool served on the fast path"


@pytest.fixture(scope="module")
def running() -> Iterator[tuple[str, Process]]:
    (alpha, alpha_url), (beta, beta_url) = fixture_server("alpha"), fixture_server("beta")
    upstreams = {"alpha": {"url": alpha_url, "forward_headers": ["X-Tenant"]}, "beta": beta_url}
    process, base = gateway({"GATEWAY_UPSTREAMS": json.dumps(upstreams), "LOG_LEVEL": "DEBUG"})
    yield f"{base}/mcp", process
    for part in (process, alpha, beta):
        part.stop()


@pytest.fixture
def gateway_mcp(running: tuple[str, Process]) -> str:
    return running[0]


def served_fast(running: tuple[str, Process]) -> int:
    return running[1].output().count(SERVED_FAST)


async def post(
    session: aiohttp.ClientSession, url: str, arguments: dict[str, Any], **headers: str
) -> tuple[int, dict[str, Any]]:
    body = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "tools/call",
        "params": {"name": "execute_tool", "arguments": arguments, "_meta": META},
    }
    async with session.post(url, json=body, headers={**HEADERS, **headers}) as response:
        return response.status, json.loads(await response.text())


@pytest.mark.parametrize(
    "arguments",
    [
        {"tool_name": "add", "arguments": {"a": 1, "b": 2}},
        {"tool_name": "chart"},
        {"tool_name": "fail", "arguments": {"reason": "x"}},
        {"tool_name": "nope", "arguments": {}},
        {"tool_name": "add", "arguments": {"a": "x"}},
        {"tool_name": "add", "arguments": '{"a": 2, "b": 2}'},
        {"tool_name": "add", "arguments": "{not json"},
        {"tool_name": "get-user-profile", "arguments": {"user_id": "1"}},
        {"tool_name": "search", "arguments": {"query": "q"}},
        {"tool_name": "multiply", "arguments": {"a": 1.5, "b": 2}},
    ],
)
async def test_the_fast_path_answers_as_the_ordinary_path(
    running: tuple[str, Process], arguments: dict[str, Any]
) -> None:
    url = running[0]
    async with aiohttp.ClientSession() as session:
        before = served_fast(running)
        fast = await post(session, url, arguments)
        assert served_fast(running) == before + 1
        ordinary = await post(session, url, arguments, origin="http://127.0.0.1")
        assert served_fast(running) == before + 1
    assert fast == ordinary


async def test_callers_headers_never_cross_on_the_fast_path(running: tuple[str, Process]) -> None:
    gateway_mcp = running[0]
    before = served_fast(running)
    seen: list[tuple[str, str | None]] = []

    async def call(session: aiohttp.ClientSession, tenant: str) -> None:
        _, reply = await post(session, gateway_mcp, {"tool_name": "whoami"}, **{"x-tenant": tenant})
        seen.append((tenant, reply["result"]["structuredContent"]["headers"].get("x-tenant")))

    async with aiohttp.ClientSession() as session, anyio.create_task_group() as group:
        for index in range(100):
            group.start_soon(call, session, f"tenant-{index % 2}")
    assert len(seen) == 100
    assert all(sent == received for sent, received in seen)
    assert served_fast(running) == before + 100


async def test_a_request_the_sdk_rejects_is_still_rejected(gateway_mcp: str) -> None:
    async with aiohttp.ClientSession() as session:
        status, reply = await post(session, gateway_mcp, {"tool_name": "add"}, **{"mcp-name": "discover_tools"})
    assert status == 400
    assert "mcp-name" in reply["error"]["message"].lower()
