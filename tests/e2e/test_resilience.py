"""A broken upstream never breaks the gateway: killed, frozen, late, and slow upstreams."""

from __future__ import annotations

import json
import signal
from collections.abc import AsyncIterator, Iterator
from typing import Any

import anyio
import pytest
from fastmcp import Client

from tests.processes import Process, fixture_server, free_port, gateway

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def late_port() -> int:
    return free_port()


@pytest.fixture(scope="module")
def cluster(late_port: int) -> Iterator[dict[str, Any]]:
    alpha, alpha_url = fixture_server("alpha")
    beta, beta_url = fixture_server("beta")
    upstreams = {
        "alpha": {"url": alpha_url, "timeout": {"call": 1.5}},
        "beta": beta_url,
        "late": f"http://127.0.0.1:{late_port}/mcp",
    }
    process, base = gateway({"GATEWAY_UPSTREAMS": json.dumps(upstreams)})
    yield {"alpha": alpha, "beta": beta, "gateway": process, "url": f"{base}/mcp"}
    for part in (process, alpha, beta):
        part.stop()


@pytest.fixture
async def client(cluster: dict[str, Any]) -> AsyncIterator[Client]:
    async with Client(cluster["url"], timeout=30) as connected:
        yield connected


async def execute(client: Client, tool: str, **arguments: Any) -> Any:
    return await client.call_tool_mcp("execute_tool", {"tool_name": tool, "arguments": arguments})


def code_of(result: Any) -> str | None:
    return json.loads(result.content[0].text).get("code") if result.is_error else None


async def test_an_upstream_down_at_start_appears_by_itself(late_port: int, client: Client) -> None:
    summary = json.loads((await client.call_tool_mcp("discover_tools", {})).content[0].text)
    late = next(d for d in summary["domains"] if d["name"] == "late")
    assert late["status"] == "failed"
    process, _ = fixture_server("gamma", late_port)
    try:
        with anyio.fail_after(30):
            while True:
                listing = json.loads((await client.call_tool_mcp("discover_tools", {"domain": "late"})).content[0].text)
                if listing.get("tools"):
                    break
                await anyio.sleep(0.25)
        assert [t["name"] for t in listing["tools"]] == ["ping"]
    finally:
        process.stop()


async def test_a_killed_upstream_fails_fast_and_recovers_without_a_gateway_restart(
    cluster: dict[str, Any], client: Client
) -> None:
    beta: Process = cluster["beta"]
    assert not (await execute(client, "multiply", a=2, b=3)).is_error
    beta.kill()
    with anyio.fail_after(10):
        failed = await execute(client, "multiply", a=2, b=3)
    assert code_of(failed) == "upstream_unavailable"
    assert "127.0.0.1" not in failed.content[0].text
    assert not (await execute(client, "add", a=1, b=1)).is_error, "other upstreams are unaffected"
    beta.start()
    beta.wait_port(int(cluster_port(beta)))
    with anyio.fail_after(10):
        recovered = await execute(client, "multiply", a=2, b=3)
    assert recovered.content[0].text == "6.0"
    assert cluster["gateway"].alive()


def cluster_port(process: Process) -> str:
    return process.argv[-1]


async def test_a_frozen_upstream_times_out_while_the_others_answer(cluster: dict[str, Any], client: Client) -> None:
    alpha: Process = cluster["alpha"]
    alpha.signal(signal.SIGSTOP)
    try:
        results: dict[str, Any] = {}

        async def frozen_call() -> None:
            results["frozen"] = await execute(client, "add", a=1, b=2)

        async def healthy_calls() -> None:
            results["healthy"] = [await execute(client, "multiply", a=3, b=3) for _ in range(5)]

        with anyio.fail_after(10):
            async with anyio.create_task_group() as group:
                group.start_soon(frozen_call)
                group.start_soon(healthy_calls)
        assert code_of(results["frozen"]) == "upstream_timeout"
        assert json.loads(results["frozen"].content[0].text)["details"]["timeout_seconds"] == 1.5
        assert [r.content[0].text for r in results["healthy"]] == ["9.0"] * 5
    finally:
        alpha.signal(signal.SIGCONT)
    with anyio.fail_after(10):
        assert (await execute(client, "add", a=1, b=2)).content[0].text == "3"


async def test_a_slow_call_times_out_while_other_calls_to_the_same_upstream_work(client: Client) -> None:
    results: dict[str, Any] = {}

    async def slow() -> None:
        results["slow"] = await execute(client, "slow", seconds=20)

    async def quick() -> None:
        await anyio.sleep(0.2)
        results["quick"] = await execute(client, "add", a=20, b=22)

    with anyio.fail_after(10):
        async with anyio.create_task_group() as group:
            group.start_soon(slow)
            group.start_soon(quick)
    assert code_of(results["slow"]) == "upstream_timeout"
    assert results["quick"].content[0].text == "42"
