"""What the gateway adds to a tool call, measured against calling the upstream directly.

    .venv/bin/python bench/upstream_overhead.py            # the full run (about two minutes)
    .venv/bin/python bench/upstream_overhead.py --quick    # fewer samples, shorter load

Starts K upstreams × N tools (bench/servers/many_tools.py) and ``python -m gateway_app`` as
processes, then in the same run measures ``execute_tool`` through the gateway and the same call on
an open direct session to the upstream (p50/p90, calls interleaved so both see the same machine),
throughput of 16 concurrent client sessions, time to ready, and the gateway's memory.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import anyio
from mcp import Client

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from gateway_adapters.testing.processes import PYTHON, Process, free_port  # noqa: E402

MANY_TOOLS = ROOT / "bench" / "servers" / "many_tools.py"


def start_upstream(count: int, prefix: str, list_delay: float = 0.0) -> tuple[Process, str]:
    port = free_port()
    argv = [PYTHON, str(MANY_TOOLS), str(port), str(count), "--prefix", prefix]
    if list_delay:
        argv += ["--list-delay", str(list_delay)]
    process = Process(f"upstream-{prefix or count}", argv).start()
    return process, f"http://127.0.0.1:{port}/mcp"


def rss_mb(process: Process) -> float:
    assert process.popen is not None
    for line in Path(f"/proc/{process.popen.pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def latency(
    direct: Callable[[], Awaitable[Any]], via_gateway: Callable[[], Awaitable[Any]], rounds: int, batch: int = 10
) -> dict[str, float]:
    """Interleaved batches, so a noisy moment of the machine hits both sides alike."""
    times: dict[str, list[float]] = {"direct": [], "gateway": []}
    for _ in range(5):  # warm both paths
        await direct()
        await via_gateway()
    for _ in range(rounds):
        for name, work in (("direct", direct), ("gateway", via_gateway)):
            for _ in range(batch):
                started = time.perf_counter()
                await work()
                times[name].append((time.perf_counter() - started) * 1000)
    return {
        "direct_p50_ms": statistics.median(times["direct"]),
        "direct_p90_ms": percentile(times["direct"], 0.9),
        "gateway_p50_ms": statistics.median(times["gateway"]),
        "gateway_p90_ms": percentile(times["gateway"], 0.9),
        "ratio_p50": statistics.median(times["gateway"]) / statistics.median(times["direct"]),
    }


Load = tuple[str, Callable[[Client], Awaitable[Any]]]


async def throughput(
    loads: dict[str, Load], sessions: int, seconds: float, slices: int = 4
) -> dict[str, dict[str, Any]]:
    """Calls completed by ``sessions`` open client sessions per load, ``seconds`` in all for each.

    The loads take turns in ``slices`` short slices, so a slow spell of the machine falls on both.
    Every session is opened and warmed (it has listed its tools) before any clock starts.
    """
    tally = {name: {"calls": 0, "errors": 0, "seconds": 0.0} for name in loads}
    turn: dict[str, anyio.Event] = {}
    active: dict[str, float] = {}

    async def worker(name: str, url: str, call: Callable[[Client], Awaitable[Any]], opened: anyio.Event) -> None:
        async with Client(url, cache=None) as client:
            await call(client)
            ready[name] += 1
            if ready[name] == sessions:
                opened.set()
            for index in range(slices):
                await turn[f"{name}{index}"].wait()
                while time.perf_counter() < active[name]:
                    try:
                        result = await call(client)
                        tally[name]["errors" if getattr(result, "is_error", False) else "calls"] += 1
                    except Exception:
                        tally[name]["errors"] += 1
                finished[name] += 1
                if finished[name] == sessions * (index + 1):
                    done[f"{name}{index}"].set()

    ready = dict.fromkeys(loads, 0)
    finished = dict.fromkeys(loads, 0)
    done: dict[str, anyio.Event] = {}
    for name in loads:
        for index in range(slices):
            turn[f"{name}{index}"] = anyio.Event()
            done[f"{name}{index}"] = anyio.Event()
    async with anyio.create_task_group() as group:
        opened = {name: anyio.Event() for name in loads}
        for name, (url, call) in loads.items():
            for _ in range(sessions):
                group.start_soon(worker, name, url, call, opened[name])
        for event in opened.values():
            await event.wait()
        for index in range(slices):
            for name in loads:
                began = time.perf_counter()
                active[name] = began + seconds / slices
                turn[f"{name}{index}"].set()
                await done[f"{name}{index}"].wait()
                tally[name]["seconds"] += time.perf_counter() - began
    return {
        name: {"calls_per_s": t["calls"] / t["seconds"], "calls": t["calls"], "errors": t["errors"]}
        for name, t in tally.items()
    }


def tool_arguments() -> dict[str, Any]:
    return {"item_id": "c-42", "limit": 3}


async def scenario(name: str, upstreams: int, tools: int, rounds: int, load_seconds: float) -> dict[str, Any]:
    print(f"\n== {name}: {upstreams} upstream(s) × {tools} tools", flush=True)
    started = [start_upstream(tools, f"d{i}_" if upstreams > 1 else "") for i in range(upstreams)]
    try:
        for process, url in started:
            process.wait_port(int(url.rsplit(":", 1)[1].split("/")[0]), timeout=120)
        domains = {f"d{i}": url for i, (_, url) in enumerate(started)}
        port = free_port()
        gateway = Process(
            "gateway",
            [PYTHON, "-m", "gateway_app"],
            {
                "GATEWAY_UPSTREAMS": json.dumps(domains),
                "GATEWAY_HOST": "127.0.0.1",
                "GATEWAY_PORT": str(port),
                "LOG_LEVEL": "WARNING",
            },
        ).start()
        gateway.wait_http(f"http://127.0.0.1:{port}/readyz", timeout=120)
        result: dict[str, Any] = {"gateway_rss_ready_mb": rss_mb(gateway)}
        tool = f"{'d0_' if upstreams > 1 else ''}get_contact_0"
        async with (
            Client(started[0][1], cache=None) as direct,
            Client(f"http://127.0.0.1:{port}/mcp", cache=None) as through,
        ):
            await direct.list_tools()

            async def call_direct() -> Any:
                return await direct.call_tool(tool, tool_arguments())

            async def call_gateway() -> Any:
                return await through.call_tool("execute_tool", {"tool_name": tool, "arguments": tool_arguments()})

            check = await call_gateway()
            assert not check.is_error, check
            result.update(await latency(call_direct, call_gateway, rounds))

        async def load_direct(client: Client) -> Any:
            return await client.call_tool(tool, tool_arguments())

        async def load_gateway(client: Client) -> Any:
            return await client.call_tool("execute_tool", {"tool_name": tool, "arguments": tool_arguments()})

        loads = await throughput(
            {"direct": (started[0][1], load_direct), "gateway": (f"http://127.0.0.1:{port}/mcp", load_gateway)},
            16,
            load_seconds,
        )
        direct_load, gateway_load = loads["direct"], loads["gateway"]
        result.update(
            direct_calls_per_s=direct_load["calls_per_s"],
            gateway_calls_per_s=gateway_load["calls_per_s"],
            throughput_share=gateway_load["calls_per_s"] / direct_load["calls_per_s"],
            gateway_errors=gateway_load["errors"],
            direct_errors=direct_load["errors"],
            gateway_rss_after_load_mb=rss_mb(gateway),
        )
        gateway.stop()
        for key, value in result.items():
            print(f"  {key:28} {value:10.2f}" if isinstance(value, float) else f"  {key:28} {value:10}", flush=True)
        return result
    finally:
        for process, _ in started:
            process.stop()


async def time_to_ready(upstreams: int, slow_delay: float) -> dict[str, float]:
    """Ten upstreams, one of them slow to list; ready must follow the slowest, not the sum."""
    print(f"\n== time to ready: {upstreams} upstreams, one listing {slow_delay:g} s slower", flush=True)
    started = [start_upstream(20, f"r{i}_", list_delay=slow_delay if i == 0 else 0.0) for i in range(upstreams)]
    try:
        for process, url in started:
            process.wait_port(int(url.rsplit(":", 1)[1].split("/")[0]), timeout=120)
        slowest = 0.0
        for _, url in started:  # what the slowest upstream alone costs: open a session and list once
            began = time.perf_counter()
            async with Client(url, cache=None) as client:
                await client.list_tools()
            slowest = max(slowest, time.perf_counter() - began)
        port = free_port()
        env = {
            "GATEWAY_UPSTREAMS": json.dumps({f"r{i}": url for i, (_, url) in enumerate(started)}),
            "GATEWAY_HOST": "127.0.0.1",
            "GATEWAY_PORT": str(port),
            "LOG_LEVEL": "WARNING",
        }
        began = time.perf_counter()
        gateway = Process("gateway", [PYTHON, "-m", "gateway_app"], env).start()
        gateway.wait_http(f"http://127.0.0.1:{port}/healthz", timeout=60)
        port_open = time.perf_counter() - began
        gateway.wait_http(f"http://127.0.0.1:{port}/readyz", timeout=60)
        ready = time.perf_counter() - began
        gateway.stop()
        result = {
            "process_start_to_port_open_s": port_open,
            "port_open_to_ready_s": ready - port_open,
            "slowest_upstream_alone_s": slowest,
            "ready_minus_slowest_s": ready - port_open - slowest,
        }
        for key, value in result.items():
            print(f"  {key:28} {value:10.3f}", flush=True)
        return result
    finally:
        for process, _ in started:
            process.stop()


async def main(quick: bool) -> None:
    rounds, load = (10, 3.0) if quick else (40, 10.0)
    await scenario("10x20", 10, 20, rounds, load)
    await scenario("1x2000", 1, 2000, rounds, load)
    await time_to_ready(10, 1.0)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true")
    anyio.run(main, parser.parse_args().quick)
