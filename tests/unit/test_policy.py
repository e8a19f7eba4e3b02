"""Static access policy: refused tools never enter the registry."""

from __future__ import annotations

import pytest

from gateway_domain import AccessPolicy, DiscoverRequest, Gateway, GatewayError, UpstreamRegistration

from .fakes import FakeUpstream, spec


def test_reference_semantics_deny_domains_missing_from_a_non_empty_allow_map() -> None:
    policy = AccessPolicy(allow={"crm": ["crm_search_*"]}, deny={"crm": ["*_delete"]})
    assert policy.permits("crm", "crm_search_people", "crm_search_people")
    assert not policy.permits("crm", "crm_search_delete", "crm_search_delete"), "deny wins over allow"
    assert not policy.permits("crm", "crm_update", "crm_update")
    assert not policy.permits("web", "fetch", "fetch"), "a domain absent from allow is fully denied"


def test_per_upstream_lists_only_restrict_their_own_domain() -> None:
    policy = AccessPolicy.per_upstream({"crm": ["crm_search_*"], "web": []}, {"web": ["*_delete"]})
    assert not policy.permits("crm", "crm_update", "crm_update")
    assert policy.permits("web", "fetch", "fetch")
    assert not policy.permits("web", "page_delete", "page_delete")


def test_patterns_match_the_original_name_of_a_renamed_tool() -> None:
    policy = AccessPolicy(deny={"crm": ["search"]})
    assert not policy.permits("crm", "crm_search", "search")


async def gateway_with(policy: AccessPolicy) -> tuple[Gateway, FakeUpstream]:
    crm = FakeUpstream([spec("search", "Search contacts."), spec("delete_contact", "Delete a contact.")])
    web = FakeUpstream([spec("search", "Search the web.")])
    gateway = Gateway(policy=policy)
    await gateway.register(UpstreamRegistration("crm", crm))
    await gateway.register(UpstreamRegistration("web", web))
    await gateway.refresh()
    return gateway, crm


async def test_a_denied_tool_is_invisible_and_cannot_be_executed() -> None:
    gateway, crm = await gateway_with(AccessPolicy(deny={"crm": ["delete_*"]}))
    listing = (await gateway.discover(DiscoverRequest(domain="crm"))).payload
    assert listing is not None
    assert [t["name"] for t in listing["tools"]] == ["crm_search"]
    search = (await gateway.discover(DiscoverRequest(query="delete contact"))).payload
    assert search is not None
    assert "delete_contact" not in [r["name"] for r in search["results"]]
    with pytest.raises(GatewayError) as executed:
        await gateway.execute("delete_contact", {})
    with pytest.raises(GatewayError) as described:
        await gateway.get_schema("delete_contac")
    assert executed.value.code == described.value.code == "tool_not_found"
    assert described.value.details["suggestions"] == [], "a hidden tool is never suggested"
    assert crm.calls == []


async def test_a_hidden_tool_does_not_rename_the_visible_one() -> None:
    gateway, _ = await gateway_with(AccessPolicy(deny={"web": ["search"]}))
    assert "search" in gateway.snapshot.tools
    assert gateway.snapshot.tools["search"].domain == "crm"
    assert "web_search" not in gateway.snapshot.tools


async def test_a_domain_missing_from_a_non_empty_allow_map_is_never_named() -> None:
    gateway, _ = await gateway_with(AccessPolicy(allow={"web": ["*"]}))
    summary = (await gateway.discover(DiscoverRequest())).payload
    assert summary is not None
    assert [d["name"] for d in summary["domains"]] == ["web"]
    assert "crm" not in gateway.instructions()
    with pytest.raises(GatewayError) as error:
        await gateway.discover(DiscoverRequest(domain="nope"))
    assert error.value.details["available_domains"] == ["web"]
    from gateway_domain import CallContext

    assert [change.domain for change in await gateway.refresh_for(CallContext())] == ["web"]


async def test_a_refused_tool_is_not_named_among_skipped_ones() -> None:
    twice = FakeUpstream([spec("wipe_all"), spec("wipe_all"), spec("ok"), spec("ok")])
    gateway = Gateway(policy=AccessPolicy(deny={"a": ["wipe_*"]}))
    await gateway.register(UpstreamRegistration("a", twice))
    [change] = await gateway.refresh()
    assert [s.name for s in change.skipped] == ["ok"]
