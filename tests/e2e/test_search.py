"""Ranked search, paging and signatures through a real MCP client, gateway process and upstreams."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from fastmcp import Client

from tests.processes import fixture_server, gateway

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def search_gateway() -> Iterator[str]:
    catalog, catalog_url = fixture_server("catalog")
    beta, beta_url = fixture_server("beta")
    process = None
    try:
        process, base = gateway({"GATEWAY_UPSTREAMS": json.dumps({"catalog": catalog_url, "beta": beta_url})})
        yield f"{base}/mcp"
    finally:
        if process is not None:
            process.stop()
        catalog.stop()
        beta.stop()


@pytest.fixture
async def client(search_gateway: str) -> AsyncIterator[Client]:
    async with Client(search_gateway, timeout=30) as connected:
        yield connected


async def discover(client: Client, **arguments: Any) -> Any:
    result = await client.call_tool_mcp("discover_tools", arguments)
    assert not result.is_error, result.content[0].text
    return json.loads(result.content[0].text) if arguments.get("format") != "signatures" else result.content[0].text


async def test_a_natural_query_finds_the_right_tool_first(client: Client) -> None:
    body = await discover(client, query="show me what is inside a folder")
    assert body["results"][0]["name"] == "list_directory"
    assert body["results"][0]["domain"] == "catalog"
    assert body["total"] >= 1
    scores = [result["score"] for result in body["results"]]
    assert scores == sorted(scores, reverse=True)


async def test_typos_and_other_word_forms_still_match(client: Client) -> None:
    assert (await discover(client, query="renaming fils"))["results"][0]["name"] == "move-file"
    assert (await discover(client, query="multiplying numbers"))["results"][0]["name"] == "multiply"


async def test_a_query_too_long_to_search_gets_a_clear_error(client: Client) -> None:
    result = await client.call_tool_mcp("discover_tools", {"query": "list the files in a folder " * 500})
    assert result.is_error
    error = json.loads(result.content[0].text)
    assert error["code"] == "invalid_arguments"
    assert "query" in error["error"]
    assert "2000" in error["error"]
    assert len(result.content[0].text) < 500


async def test_a_query_inside_a_domain_stays_there(client: Client) -> None:
    body = await discover(client, query="search", domain="beta")
    assert {result["domain"] for result in body["results"]} == {"beta"}


async def test_search_results_page_with_a_cursor(client: Client) -> None:
    first = await discover(client, query="file directory", limit=2)
    second = await discover(client, query="file directory", limit=2, cursor=first["next_cursor"])
    names = [r["name"] for r in first["results"] + second["results"]]
    assert len(names) == 4
    assert len(set(names)) == 4
    everything = await discover(client, query="file directory", limit=4)
    assert [r["name"] for r in everything["results"]] == names


async def test_every_tool_real_servers_publish_is_kept(client: Client) -> None:
    listing = await discover(client, domain="catalog")
    names = {tool["name"] for tool in listing["tools"]}
    assert {"move-file", "calendar.events.create", "nested_settings_update", "bing_search"} <= names
    assert listing["total"] == 9


async def test_non_english_descriptions_are_searchable(client: Client) -> None:
    assert (await discover(client, query="搜索结果"))["results"][0]["name"] == "bing_search"


async def test_an_english_query_finds_a_chinese_description_through_its_glosses(client: Client) -> None:
    # "keyword" is only in the CC-CEDICT gloss of 关键词 (the multilingual extra, which make test installs)
    results = (await discover(client, query="look up a keyword"))["results"]
    assert [hit["name"] for hit in results][:1] == ["bing_search"]


async def test_signatures_resolve_refs(client: Client) -> None:
    text = await discover(client, query="schedule a meeting", format="signatures")
    assert text.startswith("calendar.events.create(event: {title: str, start?: Annotated[str, Format('date-time')]}")
