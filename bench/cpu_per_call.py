"""CPU time each process spends per tool call: the steadiest view of the gateway's overhead.

    .venv/bin/python bench/cpu_per_call.py [--calls 2000]

Wall-clock ratios on a shared 2-core machine move with whatever else runs; CPU seconds charged to
each process (from /proc) do not. When every core is busy, throughput through the gateway relative
to a direct call is about (client + upstream) / (client + gateway + upstream) CPU per call, so the
gateway must cost no more than the upstream and the client together to keep half the throughput.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

import anyio
from mcp import Client

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from upstream_overhead import start_upstream, tool_arguments  # noqa: E402

from gateway_adapters.testing.processes import PYTHON, Process, free_port  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def own_cpu() -> float:
    times = os.times()
    return times.user + times.system


async def measure(calls: int) -> dict[str, float]:
    upstream, url = start_upstream(20, "")
    upstream.wait_port(int(url.rsplit(":", 1)[1].split("/")[0]))
    port = free_port()
    gateway = Process(
        "gateway",
        [PYTHON, "-m", "gateway_app"],
        {"GATEWAY_UPSTREAMS": json.dumps({"d0": url}), "GATEWAY_HOST": "127.0.0.1", "GATEWAY_PORT": str(port)},
    ).start()
    try:
        gateway.wait_http(f"http://127.0.0.1:{port}/readyz")
        assert upstream.popen is not None
        assert gateway.popen is not None
        up_pid, gw_pid = upstream.popen.pid, gateway.popen.pid
        result: dict[str, float] = {}
        async with Client(url, cache=None) as direct, Client(f"http://127.0.0.1:{port}/mcp", cache=None) as through:
            await direct.list_tools()
            for _ in range(50):  # warm both paths
                await direct.call_tool("get_contact_0", tool_arguments())
                await through.call_tool("execute_tool", {"tool_name": "get_contact_0", "arguments": tool_arguments()})
            paths = {
                "direct": lambda: direct.call_tool("get_contact_0", tool_arguments()),
                "gateway": lambda: through.call_tool(
                    "execute_tool", {"tool_name": "get_contact_0", "arguments": tool_arguments()}
                ),
            }
            spent = {label: [0.0, 0.0, 0.0] for label in paths}
            batch = 50
            for _ in range(max(1, calls // batch)):  # interleaved, so both paths see the same machine
                for label, work in paths.items():
                    before = (own_cpu(), cpu_seconds(up_pid), cpu_seconds(gw_pid))
                    for _ in range(batch):
                        answer: Any = await work()
                        assert not answer.is_error
                    after = (own_cpu(), cpu_seconds(up_pid), cpu_seconds(gw_pid))
                    for index in range(3):
                        spent[label][index] += after[index] - before[index]
            done = max(1, calls // batch) * batch
            for label, (client_s, up_s, gw_s) in spent.items():
                result[f"{label}_client_ms"] = client_s * 1000 / done
                result[f"{label}_upstream_ms"] = up_s * 1000 / done
                result[f"{label}_gateway_ms"] = gw_s * 1000 / done
        c, u, g = result["direct_client_ms"], result["direct_upstream_ms"], result["gateway_gateway_ms"]
        result["gateway_over_client_plus_upstream"] = g / (c + u)
        result["cpu_bound_throughput_share"] = (c + u) / (
            result["gateway_client_ms"] + g + result["gateway_upstream_ms"]
        )
        return result
    finally:
        gateway.stop()
        upstream.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=2000)
    result = anyio.run(measure, parser.parse_args().calls)
    for key, value in result.items():
        print(f"{key:36} {value:8.3f}")


if __name__ == "__main__":
    main()
