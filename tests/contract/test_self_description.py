"""What an upstream says about itself reaches the adapter at the handshake, whatever opened the session."""

from __future__ import annotations

from gateway_adapters.mcp_upstream import McpUpstream, http_connector
from gateway_domain import SelfDescribing, UpstreamCall
from tests.processes import fixture_server


async def test_a_call_before_any_listing_already_brings_the_servers_words() -> None:
    server, url = fixture_server("alpha")  # its handshake instructions: "Alpha fixture."
    try:
        async with McpUpstream("alpha", http_connector(url)) as upstream:
            assert isinstance(upstream, SelfDescribing)
            assert upstream.self_description() == ""  # no session yet
            result = await upstream.call_tool(UpstreamCall("add", {"a": 1, "b": 2}))
            assert not result.is_error
            assert upstream.self_description() == "Alpha fixture."
    finally:
        server.stop()
