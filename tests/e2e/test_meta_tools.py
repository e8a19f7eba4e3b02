"""The four meta-tools through a real MCP client, a real gateway process and two real upstreams."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from fastmcp import Client

pytestmark = pytest.mark.e2e


async def call(client: Client, tool: str, **arguments: Any) -> Any:
    return await client.call_tool_mcp(tool, arguments)


def payload(result: Any) -> dict[str, Any]:
    return json.loads(result.content[0].text)


async def test_only_the_meta_tools_are_listed(client: Client) -> None:
    names = {tool.name for tool in await client.list_tools()}
    assert names == {"discover_tools", "get_tool_schema", "execute_tool", "refresh_registry"}


async def test_handshake_instructions_name_the_domains(client: Client) -> None:
    instructions = client.instructions or ""
    assert "- **alpha** (9 tools) — Alpha notes and maths" in instructions
    assert "- **beta** (2 tools) — Beta catalogue" in instructions


async def test_discover_without_arguments_lists_domains(client: Client) -> None:
    result = await call(client, "discover_tools")
    assert not result.is_error
    body = payload(result)
    assert body == result.structured_content
    assert [(d["name"], d["tool_count"]) for d in body["domains"]] == [("alpha", 9), ("beta", 2)]
    assert body["total_tools"] == 11


async def test_discover_a_domain_shows_collision_renamed_tools(client: Client) -> None:
    alpha = payload(await call(client, "discover_tools", domain="alpha"))
    beta = payload(await call(client, "discover_tools", domain="beta"))
    assert "alpha_search" in [t["name"] for t in alpha["tools"]]
    assert [t["name"] for t in beta["tools"]] == ["beta_search", "multiply"]


async def test_discover_by_query_ranks_tools(client: Client) -> None:
    body = payload(await call(client, "discover_tools", query="multiply two numbers"))
    assert body["results"][0]["name"] == "multiply"


async def test_signatures_format(client: Client) -> None:
    result = await call(client, "discover_tools", domain="beta", format="signatures")
    text = result.content[0].text
    assert "beta_search(query: str, limit: int = 5) -> dict" in text
    assert "multiply(a: float, b: float) -> float" in text


async def test_get_tool_schema_returns_the_upstream_schema(client: Client) -> None:
    body = payload(await call(client, "get_tool_schema", tool_name="get-user-profile"))
    assert body["parameters"]["required"] == ["user_id"]
    assert body["domain"] == "alpha"


async def test_colliding_tools_each_reach_their_own_upstream(client: Client) -> None:
    alpha = await call(client, "execute_tool", tool_name="alpha_search", arguments={"query": "x"})
    beta = await call(client, "execute_tool", tool_name="beta_search", arguments={"query": "x", "limit": 2})
    assert alpha.content[0].text == "alpha results for x"
    assert beta.structured_content == {"source": "beta", "query": "x", "items": ["item 0", "item 1"]}


async def test_a_bare_colliding_name_is_ambiguous(client: Client) -> None:
    result = await call(client, "execute_tool", tool_name="search", arguments={"query": "x"})
    assert result.is_error
    body = payload(result)
    assert body["code"] == "ambiguous_tool"
    assert body["details"]["candidates"] == ["alpha_search", "beta_search"]


async def test_unknown_tool_gets_suggestions(client: Client) -> None:
    result = await call(client, "execute_tool", tool_name="multiplyy", arguments={})
    assert result.is_error
    body = payload(result)
    assert body["code"] == "tool_not_found"
    assert body["details"]["suggestions"][0] == "multiply"
    schema = payload(await call(client, "get_tool_schema", tool_name="get_user_profil"))
    assert schema["code"] == "tool_not_found"
    assert schema["details"]["suggestions"][0] == "get-user-profile"


async def test_an_upstream_tool_called_directly_gets_the_way_to_call_it(client: Client) -> None:
    for name in ("multiply", "no_such_tool_anywhere"):  # the same answer whether or not it exists upstream
        result = await client.call_tool_mcp(name, {"a": 2, "b": 3})
        assert result.is_error
        body = payload(result)
        assert body["code"] == "tool_not_found"
        assert f"execute_tool(tool_name='{name}'" in body["error"]
        assert body["details"] == {"tool_name": name}


async def test_an_upstream_tool_error_comes_back_marked_as_error(client: Client) -> None:
    result = await call(client, "execute_tool", tool_name="fail", arguments={"reason": "disk full"})
    assert result.is_error
    assert result.content[0].text == "alpha failed: disk full"


async def test_results_are_relayed_unchanged(client: Client) -> None:
    added = await call(client, "execute_tool", tool_name="add", arguments={"a": 2, "b": 3})
    assert added.content[0].text == "5"
    assert added.structured_content == {"result": 5}
    chart = await call(client, "execute_tool", tool_name="chart", arguments={})
    image, caption = chart.content
    assert image.type == "image"
    assert image.mime_type == "image/png"
    assert base64.b64decode(image.data).startswith(b"\x89PNG")
    assert caption.text == "a chart"


async def test_arguments_are_checked_before_the_upstream_is_called(client: Client) -> None:
    result = await call(client, "execute_tool", tool_name="add", arguments={"a": 1, "c": 2})
    body = payload(result)
    assert result.is_error
    assert body["code"] == "invalid_arguments"
    assert body["details"]["signature"] == "add(a: int, b: int) -> int"


async def test_arguments_sent_as_a_json_string_are_accepted(client: Client) -> None:
    result = await call(client, "execute_tool", tool_name="add", arguments='{"a": 1, "b": 1}')
    assert result.content[0].text == "2"


async def test_static_upstream_headers_reach_only_their_upstream(client: Client) -> None:
    result = await call(client, "execute_tool", tool_name="whoami", arguments={})
    assert result.structured_content["headers"]["x-static"] == "alpha-secret"


async def test_refresh_registry_reports_each_domain(client: Client) -> None:
    body = payload(await call(client, "refresh_registry"))
    assert [(d["domain"], d["added"], d["removed"], d["tool_count"]) for d in body["refreshed"]] == [
        ("alpha", [], [], 9),
        ("beta", [], [], 2),
    ]


async def test_progress_of_an_upstream_call_reaches_the_client(gateway_url: str) -> None:
    seen: list[float] = []

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        seen.append(progress)

    async with Client(gateway_url, progress_handler=on_progress) as progress_client:
        result = await progress_client.call_tool("execute_tool", {"tool_name": "slow", "arguments": {"seconds": 0.2}})
    assert result.content[0].text == "slept 0.2"
    assert seen == [0, 1, 2, 3]


async def test_one_upstream_session_serves_every_call(client: Client) -> None:
    before = (await call(client, "execute_tool", tool_name="handshakes")).structured_content["result"]
    for _ in range(20):
        await call(client, "execute_tool", tool_name="add", arguments={"a": 1, "b": 1})
    await call(client, "refresh_registry")
    after = (await call(client, "execute_tool", tool_name="handshakes")).structured_content["result"]
    assert before == after == 1


async def test_a_handshake_era_client_is_served_too(gateway_url: str) -> None:
    import mcp

    async with mcp.Client(gateway_url, mode="legacy") as legacy:
        assert legacy.protocol_version != "2026-07-28"
        first = await legacy.call_tool("execute_tool", {"tool_name": "add", "arguments": {"a": 1, "b": 2}})
        second = await legacy.call_tool("discover_tools", {"domain": "beta"})
    assert first.content[0].text == "3"
    assert not second.is_error
