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
