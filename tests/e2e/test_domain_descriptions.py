"""A domain the operator did not describe is described by its own server, end to end."""

from __future__ import annotations

import json

import pytest
from fastmcp import Client

from tests.processes import fixture_server, gateway

pytestmark = pytest.mark.e2e


async def test_an_undescribed_domain_takes_its_servers_own_words() -> None:
    # Upstreams of its own: the shared ones count the sessions opened to them.
    (alpha, alpha_url), (beta, beta_url) = fixture_server("alpha"), fixture_server("beta")
    env = {
        "GATEWAY_UPSTREAMS": json.dumps(
            {"alpha": alpha_url, "beta": {"url": beta_url, "description": "Beta catalogue"}}
        )
    }
    process, base = gateway(env)
    try:
        async with Client(f"{base}/mcp", timeout=30) as client:
            # The alpha fixture's handshake says "Alpha fixture."; beta's is overridden by the operator.
            assert "- **alpha** (9 tools) — Alpha fixture." in (client.instructions or "")
            assert "- **beta** (2 tools) — Beta catalogue" in (client.instructions or "")
            listing = json.loads((await client.call_tool_mcp("discover_tools", {})).content[0].text)
            described = {domain["name"]: domain.get("description") for domain in listing["domains"]}
            assert described == {"alpha": "Alpha fixture.", "beta": "Beta catalogue"}
    finally:
        for part in (process, alpha, beta):
            part.stop()


async def test_a_server_that_cannot_list_its_tools_is_still_described() -> None:
    server, url = fixture_server("unlisted")
    process, base = gateway({"GATEWAY_UPSTREAMS": json.dumps({"weather": url})})
    try:
        async with Client(f"{base}/mcp", timeout=30) as client:
            listing = json.loads((await client.call_tool_mcp("discover_tools", {})).content[0].text)
            [weather] = listing["domains"]
            assert (weather["status"], weather["tool_count"]) == ("failed", 0)
            assert weather["description"] == "Weather forecasts for any city."
    finally:
        for part in (process, server):
            part.stop()
