import json
import re

import pytest

from gateway_domain import DiscoverRequest, Gateway, GatewayError


async def test_no_arguments_summarises_domains(gateway: Gateway) -> None:
    payload = (await gateway.discover(DiscoverRequest())).payload
    assert payload == {
        "domains": [
            {
                "name": "crm",
                "description": "Customer records",
                "tool_count": 3,
                "groups": ["contacts", "general"],
                "status": "ready",
            },
            {"name": "web", "description": "", "tool_count": 2, "groups": ["general"], "status": "ready"},
        ],
        "total_tools": 5,
    }


async def test_a_domain_lists_its_tools_with_groups(gateway: Gateway) -> None:
    payload = (await gateway.discover(DiscoverRequest(domain="web"))).payload
    assert payload == {
        "domain": "web",
        "tools": [
            {"name": "web_search", "group": "general", "description": "Search the web for pages."},
            {"name": "fetch_page", "group": "general", "description": "Fetch a web page by URL."},
        ],
        "total": 2,
    }


async def test_a_group_lists_only_its_tools(gateway: Gateway) -> None:
    payload = (await gateway.discover(DiscoverRequest(domain="crm", group="contacts"))).payload
    assert payload is not None
    assert [t["name"] for t in payload["tools"]] == ["crm_contacts_search", "crm_contacts_create"]
    assert payload["group"] == "contacts"


async def test_unknown_domain_and_group_list_what_exists(gateway: Gateway) -> None:
    with pytest.raises(GatewayError) as missing_domain:
        await gateway.discover(DiscoverRequest(domain="nope"))
    assert missing_domain.value.code == "domain_not_found"
    assert missing_domain.value.details["available_domains"] == ["crm", "web"]
    with pytest.raises(GatewayError) as missing_group:
        await gateway.discover(DiscoverRequest(domain="crm", group="deals"))
    assert missing_group.value.code == "group_not_found"
    assert missing_group.value.details["available_groups"] == ["contacts", "general"]


async def test_a_query_ranks_tools_across_domains(gateway: Gateway) -> None:
    payload = (await gateway.discover(DiscoverRequest(query="fetch a web page"))).payload
    assert payload is not None
    assert payload["query"] == "fetch a web page"
    assert payload["results"][0]["name"] == "fetch_page"
    assert all(isinstance(r["score"], float) for r in payload["results"])


async def test_a_query_with_a_domain_stays_in_that_domain(gateway: Gateway) -> None:
    payload = (await gateway.discover(DiscoverRequest(query="search", domain="web"))).payload
    assert payload is not None
    assert {r["domain"] for r in payload["results"]} == {"web"}


async def test_signatures_format_renders_python_signatures(gateway: Gateway) -> None:
    text = (await gateway.discover(DiscoverRequest(domain="crm", group="contacts", format="signatures"))).text
    assert text == (
        "crm_contacts_search(query: str) -> Any\n    Search contacts by name or email.\n\n"
        "crm_contacts_create(name: str) -> Any\n    Create a contact."
    )


async def test_an_unknown_format_is_an_invalid_argument(gateway: Gateway) -> None:
    with pytest.raises(GatewayError) as error:
        await gateway.discover(DiscoverRequest(format="yaml"))
    assert error.value.code == "invalid_arguments"
    assert "'schema', 'signatures'" in error.value.message


async def test_a_group_without_a_domain_is_an_invalid_argument(gateway: Gateway) -> None:
    with pytest.raises(GatewayError) as error:
        await gateway.discover(DiscoverRequest(group="contacts"))
    assert error.value.code == "invalid_arguments"


async def big_gateway(count: int, **options: object) -> Gateway:
    from gateway_domain import UpstreamRegistration

    from .fakes import FakeUpstream, spec

    tools = [
        spec(f"big_area{i % 40}_update_ticket_{i}", f"Update ticket number {i} with a new status. " * 3, item_id={})
        for i in range(count)
    ]
    gateway = Gateway(**options)  # type: ignore[arg-type]
    await gateway.register(UpstreamRegistration("big", FakeUpstream(tools)))
    await gateway.refresh()
    return gateway


def size(payload: object) -> int:
    return len(json.dumps(payload, ensure_ascii=False).encode())


async def test_a_large_domain_listing_comes_in_pages_under_16_kb() -> None:
    gateway = await big_gateway(2000)
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        payload = (await gateway.discover(DiscoverRequest(domain="big", cursor=cursor))).payload
        assert payload is not None
        assert size(payload) <= 16_000
        assert payload["total"] == 2000
        seen.extend(tool["name"] for tool in payload["tools"])
        pages += 1
        cursor = payload.get("next_cursor")
        if cursor is None:
            break
    assert pages > 1
    assert len(seen) == len(set(seen)) == 2000


async def test_a_long_query_is_echoed_in_part_and_the_page_stays_under_budget() -> None:
    gateway = await big_gateway(300)
    query = "update the ticket status " * 80  # 2,000 characters: long, but searched
    payload = (await gateway.discover(DiscoverRequest(query=query, limit=200))).payload
    assert payload is not None
    assert payload["query"].startswith("update the ticket status")
    assert payload["query"].endswith("… (1999 characters)")
    assert payload["results"]
    assert size(payload) <= 16_000


async def test_a_query_longer_than_search_reads_is_refused(gateway: Gateway) -> None:
    with pytest.raises(GatewayError) as refused:
        await gateway.discover(DiscoverRequest(query="fetch a web page " * 1000))
    assert refused.value.code == "invalid_arguments"
    assert refused.value.details == {"argument": "query", "max_length": 2000}
    assert "16,999 characters" in refused.value.message
    assert len(refused.value.message) < 200
    surrounded = (await gateway.discover(DiscoverRequest(query=" " * 5000 + "fetch a web page" + " " * 5000))).payload
    assert surrounded is not None
    assert surrounded["results"][0]["name"] == "fetch_page"


async def test_a_bad_limit_is_refused_in_every_mode(gateway: Gateway) -> None:
    for request in (
        DiscoverRequest(limit=-1),
        DiscoverRequest(domain="web", limit=0),
        DiscoverRequest(query="x", limit=201),
    ):
        with pytest.raises(GatewayError) as refused:
            await gateway.discover(request)
        assert refused.value.details == {"argument": "limit"}


async def test_an_unknown_domain_or_group_is_not_echoed_whole(gateway: Gateway) -> None:
    with pytest.raises(GatewayError) as missing_domain:
        await gateway.discover(DiscoverRequest(domain="x" * 100_000))
    assert len(missing_domain.value.message) + len(str(missing_domain.value.details)) < 400
    with pytest.raises(GatewayError) as missing_group:
        await gateway.discover(DiscoverRequest(domain="crm", group="y" * 100_000))
    assert len(missing_group.value.message) + len(str(missing_group.value.details)) < 400


async def test_limit_caps_a_page_and_the_budget_is_configurable() -> None:
    gateway = await big_gateway(300, response_budget=4_000)
    payload = (await gateway.discover(DiscoverRequest(domain="big", limit=5))).payload
    assert payload is not None
    assert len(payload["tools"]) == 5
    unlimited = (await gateway.discover(DiscoverRequest(domain="big"))).payload
    assert unlimited is not None
    assert size(unlimited) <= 4_000
    assert 5 < len(unlimited["tools"]) < 300


async def test_signature_listings_page_too() -> None:
    gateway = await big_gateway(500)
    first = (await gateway.discover(DiscoverRequest(domain="big", format="signatures"))).text
    assert first is not None
    assert len(first.encode()) <= 16_000
    cursor = re.search(r"cursor='([^']+)'", first)
    assert cursor is not None
    second = (await gateway.discover(DiscoverRequest(domain="big", format="signatures", cursor=cursor[1]))).text
    assert second is not None
    assert second.split("(", 1)[0] not in first


async def test_the_summary_caps_the_groups_it_lists() -> None:
    gateway = await big_gateway(200)
    payload = (await gateway.discover(DiscoverRequest())).payload
    assert payload is not None
    [domain] = payload["domains"]
    assert len(domain["groups"]) == 25
    assert domain["group_count"] == 40


async def test_search_results_page_with_a_cursor(gateway: Gateway) -> None:
    first = (await gateway.discover(DiscoverRequest(query="search contacts web", limit=2))).payload
    assert first is not None
    assert len(first["results"]) == 2
    assert first["total"] > 2
    second = await gateway.discover(DiscoverRequest(query="search contacts web", limit=2, cursor=first["next_cursor"]))
    assert second.payload is not None
    names = [r["name"] for r in first["results"] + second.payload["results"]]
    assert len(set(names)) == len(names)


async def test_a_cursor_the_gateway_never_issued_is_an_invalid_argument(gateway: Gateway) -> None:
    with pytest.raises(GatewayError) as error:
        await gateway.discover(DiscoverRequest(domain="web", cursor="not-a-cursor"))
    assert error.value.code == "invalid_arguments"
    assert error.value.details == {"argument": "cursor"}
