import pytest

from gateway_domain import Gateway, GatewayError


async def test_schema_of_a_tool(gateway: Gateway) -> None:
    schema = await gateway.get_schema("crm_contacts_search")
    assert schema["name"] == "crm_contacts_search"
    assert schema["domain"] == "crm"
    assert schema["group"] == "contacts"
    assert schema["parameters"]["properties"] == {"query": {"type": "string"}}
    assert schema["signature"] == "crm_contacts_search(query: str) -> Any"


async def test_a_renamed_tool_shows_its_original_name(gateway: Gateway) -> None:
    schema = await gateway.get_schema("web_search")
    assert schema["original_name"] == "search"


async def test_names_resolve_regardless_of_case_and_separators(gateway: Gateway) -> None:
    assert (await gateway.get_schema("CRM-Contacts-Search"))["name"] == "crm_contacts_search"
    assert (await gateway.get_schema("crmContactsSearch"))["name"] == "crm_contacts_search"
    assert (await gateway.get_schema("fetch.page"))["name"] == "fetch_page"


async def test_an_ambiguous_bare_name_lists_the_candidates(gateway: Gateway) -> None:
    with pytest.raises(GatewayError) as error:
        await gateway.get_schema("search")
    assert error.value.code == "ambiguous_tool"
    assert error.value.details["candidates"] == ["crm_search", "web_search"]


async def test_an_unknown_tool_gets_suggestions(gateway: Gateway) -> None:
    with pytest.raises(GatewayError) as error:
        await gateway.get_schema("crm_contact_serch")
    assert error.value.code == "tool_not_found"
    assert error.value.details["suggestions"][0] == "crm_contacts_search"
    assert "Did you mean 'crm_contacts_search'" in error.value.message


async def test_an_unknown_tool_with_nothing_close_points_to_discovery(gateway: Gateway) -> None:
    with pytest.raises(GatewayError) as error:
        await gateway.get_schema("zzzzzz")
    assert error.value.details["suggestions"] == []
    assert "discover_tools" in error.value.message


async def test_an_unknown_tool_mentions_domains_that_are_not_listed(gateway: Gateway) -> None:
    from gateway_domain import ErrorCode, UpstreamRegistration

    from .fakes import FakeUpstream

    down = FakeUpstream()
    down.list_error = GatewayError(ErrorCode.UPSTREAM_UNAVAILABLE, "down")
    await gateway.register(UpstreamRegistration("git", down))
    await gateway.refresh(["git"])
    with pytest.raises(GatewayError) as error:
        await gateway.get_schema("git_log")
    assert error.value.details["unavailable_domains"] == ["git"]
    assert "Not listed right now: git" in error.value.message


async def test_an_absurdly_long_name_is_not_found_cheaply_and_not_echoed_whole(gateway: Gateway) -> None:
    with pytest.raises(GatewayError) as error:
        await gateway.get_schema("x" * 1_000_000)
    assert error.value.details["suggestions"] == []
    assert len(error.value.message) < 300
