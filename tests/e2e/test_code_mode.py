"""execute_code end to end: real Monty workers, real upstream processes, a real MCP client."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

import anyio
import pytest
from fastmcp import Client

from tests.processes import fixture_server, gateway

pytestmark = pytest.mark.e2e

LIMIT_SECS = 3.0


@pytest.fixture(scope="module")
def code_gateway() -> Iterator[str]:
    # Upstreams of its own: the shared ones count the sessions opened to them.
    (alpha, alpha_url), (beta, beta_url) = fixture_server("alpha"), fixture_server("beta")
    env = {
        "GATEWAY_UPSTREAMS": json.dumps({"alpha": {"url": alpha_url, "denied_tools": ["fail"]}, "beta": beta_url}),
        "GATEWAY_CODE_MODE": "true",
        "GATEWAY_CODE_MODE_MAX_DURATION_SECS": str(LIMIT_SECS),
        "GATEWAY_CODE_MODE_MAX_NESTED_CALLS": "5",
        "GATEWAY_CODE_MODE_WORKERS": "2",
    }
    process, base = gateway(env)
    yield f"{base}/mcp"
    for part in (process, alpha, beta):
        part.stop()


@pytest.fixture
async def client(code_gateway: str) -> AsyncIterator[Client]:
    async with Client(code_gateway, timeout=30) as connected:
        yield connected


async def run(client: Client, code: str) -> tuple[bool, dict[str, Any]]:
    answer = await client.call_tool_mcp("execute_code", {"code": code})
    return bool(answer.is_error), json.loads(answer.content[0].text)


async def failure(client: Client, code: str) -> dict[str, Any]:
    """The error answer of code that must fail."""
    failed, body = await run(client, code)
    assert failed, body
    assert body["code"] == "execution_error"
    return body


async def value(client: Client, code: str) -> Any:
    """The result of code that must succeed."""
    failed, body = await run(client, code)
    assert not failed, body
    return body["result"]


async def test_code_chains_and_fans_out_tool_calls_in_one_step(client: Client) -> None:
    assert "execute_code" in {tool.name for tool in await client.list_tools()}
    failed, body = await run(
        client,
        "import asyncio\n"
        "total = await add(a=2, b=3)\n"
        "product = await multiply(a=total, b=2)\n"
        'found = await asyncio.gather(alpha_search(query="x"), beta_search(query="y", limit=1))\n'
        'print("total", total)\n'
        '{"total": total, "product": product, "found": len(found)}',
    )
    assert not failed, body
    assert body["result"] == {"total": 5, "product": 10.0, "found": 2}
    assert body["output"] == "total 5\n"
    assert body["tool_calls"] == 4


async def test_kebab_case_tools_and_images_come_back_as_plain_values(client: Client) -> None:
    result = await value(
        client, 'p = await get_user_profile(user_id="7")\nc = await chart()\n{"name": p["name"], "chart": c}'
    )
    image, caption = result["chart"]
    assert result["name"] == "Ada"
    assert image["type"] == "image"
    assert image["mimeType"] == "image/png"
    assert image["data"].startswith("iVBOR")
    assert caption == "a chart"


async def test_a_denied_tool_is_not_bound_and_cannot_be_reached_by_name(client: Client) -> None:
    assert "NameError" in (await failure(client, "await fail()"))["error"]
    by_name = await failure(client, 'await call_tool("fail", {})')
    assert "[tool_not_found]" in by_name["error"]
    assert by_name["details"]["tool_calls"] == 1


async def test_failures_in_the_code_are_reported_and_the_sandbox_keeps_working(client: Client) -> None:
    assert (await failure(client, "def f(:\n    pass"))["details"]["kind"] == "syntax"
    assert "PermissionError" in (await failure(client, 'open("/etc/passwd").read()'))["error"]
    caught = "try:\n    await add(a='x', b=1)\nexcept RuntimeError as e:\n    r = str(e)\nr"
    assert (await value(client, caught)).startswith("[invalid_arguments]")
    assert "5 tool calls" in (await failure(client, "[await add(a=i, b=i) for i in range(6)]"))["error"]
    assert await run(client, "sum([1, 2, 3])") == (False, {"result": 6, "tool_calls": 0})


async def test_a_run_is_stopped_at_its_time_limit_whether_it_computes_or_waits(client: Client) -> None:
    for code in ("while True:\n    pass", "await slow(seconds=30)"):
        assert (await failure(client, code))["details"]["limit"] == "max_duration_secs"
    assert await run(client, "1 + 1") == (False, {"result": 2, "tool_calls": 0})


async def test_what_cannot_be_returned_is_refused_plainly(client: Client) -> None:
    assert (await failure(client, '"x" * 20_000_000'))["details"]["kind"] == "result_too_large"
    assert (await value(client, "10 ** 5000")).startswith("<an integer of")
    refused = await failure(client, "await add(a=10 ** 5000, b=1)")
    assert "[invalid_arguments] add: arguments must be JSON values" in refused["error"]
    assert "never awaited" in (await failure(client, "x = add(a=1, b=2)\nx"))["error"]
    assert "never awaited" in (await value(client, "[add(a=1, b=2), 3]"))[0]


async def test_runs_beyond_the_worker_pool_are_refused_as_busy_not_blamed(code_gateway: str) -> None:
    async def spin(answers: list[dict[str, Any]]) -> None:
        async with Client(code_gateway, timeout=30) as own:
            answers.append((await run(own, "while True:\n    pass"))[1])

    answers: list[dict[str, Any]] = []
    async with anyio.create_task_group() as group:
        for _ in range(3):
            group.start_soon(spin, answers)
    kinds = sorted(answer["details"].get("kind", answer["details"].get("limit")) for answer in answers)
    assert kinds == ["busy", "max_duration_secs", "max_duration_secs"]
