"""An upstream with thousands of tools, listed across many pages, loads whole."""

from __future__ import annotations

import json

import pytest
from fastmcp import Client

from tests.processes import PYTHON, ROOT, Process, free_port, gateway

pytestmark = pytest.mark.e2e


async def test_an_upstream_with_2500_tools_in_pages_of_100_loads_completely() -> None:
    port = free_port()
    upstream = Process(
        "many",
        [PYTHON, str(ROOT / "bench" / "servers" / "many_tools.py"), str(port), "2500", "--page-size", "100"],
    ).start()
    process = None
    try:
        upstream.wait_port(port, timeout=60)
        process, base = gateway({"GATEWAY_UPSTREAMS": json.dumps({"big": f"http://127.0.0.1:{port}/mcp"})})
        async with Client(f"{base}/mcp") as client:
            summary = json.loads((await client.call_tool_mcp("discover_tools", {})).content[0].text)
            assert summary["total_tools"] == 2500
            last = await client.call_tool_mcp(
                "execute_tool", {"tool_name": "update_ticket_2499", "arguments": {"item_id": "x"}}
            )
        assert last.structured_content == {"tool": 2499, "item_id": "x", "limit": 10}
    finally:
        if process is not None:
            process.stop()
        upstream.stop()
