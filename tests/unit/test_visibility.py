"""One visibility decision, applied on every surface: nothing hidden is named anywhere."""

from __future__ import annotations

import json
from typing import Any

import pytest

from gateway_domain import (
    CallContext,
    DiscoverRequest,
    DomainGrants,
    Gateway,
    GatewayError,
    HookRunner,
    Identity,
    ListToolsContext,
    UpstreamRegistration,
)

from .fakes import FakeUpstream, spec

HIDDEN_NAMES = ("secret", "payroll", "payroll_salaries_export", "payroll_salaries_delete")


class HidePayroll:
    async def after_list_tools(self, tools: list[Any], context: ListToolsContext) -> list[Any]:
        return [tool for tool in tools if tool.domain != "payroll" and tool.name != "secret"]


async def build(
    hooks: HookRunner | None = None, grants: DomainGrants | None = None, *, with_secret: bool = True
) -> Gateway:
    gateway = Gateway(hooks=hooks, grants=grants)
    crm = FakeUpstream(
        [
            spec("crm_contacts_search", "Search contacts by name.", q={"type": "string"}),
            *([spec("secret", "The secret export of everything.")] if with_secret else []),
            spec("export", "Export contacts."),
        ]
    )
    payroll = FakeUpstream(
        [
            spec("payroll_salaries_export", "Export salaries.", month={"type": "string"}),
            spec("payroll_salaries_delete", "Delete salaries."),
            spec("export", "Export payroll."),
        ]
    )
    await gateway.register(UpstreamRegistration("crm", crm, description="Customer records"))
    await gateway.register(UpstreamRegistration("payroll", payroll, description="Salaries"))
    await gateway.refresh()
    return gateway


def assert_no_leak(payload: Any) -> None:
    if isinstance(payload, dict):
        payload = {key: value for key, value in payload.items() if key != "query"}  # the caller's own words
    text = json.dumps(payload)
    for name in HIDDEN_NAMES:
        assert name not in text, f"{name!r} leaked in {text}"


async def leaks_everywhere(gateway: Gateway, ctx: CallContext) -> None:
    """Every meta-tool answer and error for ``ctx`` leaves the hidden names unsaid."""
    for request in (
        DiscoverRequest(),
        DiscoverRequest(domain="crm"),
        DiscoverRequest(query="export salaries payroll secret"),
        DiscoverRequest(query="export", format="signatures"),
    ):
        discovery = await gateway.discover(request, ctx)
        assert_no_leak(discovery.payload if discovery.payload is not None else discovery.text)
    for typed, attempt in (
        ("payroll", gateway.discover(DiscoverRequest(domain="payroll"), ctx)),
        ("salaries", gateway.discover(DiscoverRequest(domain="crm", group="salaries"), ctx)),
        ("payroll_salaries_export", gateway.get_schema("payroll_salaries_export", ctx)),
        ("payroll_salaries_exprt", gateway.get_schema("payroll_salaries_exprt", ctx)),
        ("secret", gateway.get_schema("secret", ctx)),
        ("secrt", gateway.get_schema("secrt", ctx)),
        ("payroll_salaries_delete", gateway.execute("payroll_salaries_delete", {}, ctx)),
        ("secret", gateway.execute("secret", {}, ctx)),
        ("payrollSalariesDelete", gateway.execute("payrollSalariesDelete", {}, ctx)),
    ):
        with pytest.raises(GatewayError) as error:
            await attempt
        assert error.value.code in {"domain_not_found", "group_not_found", "tool_not_found"}
        # The caller's own words come back in the message; nothing else hidden may.
        assert_no_leak(json.loads(json.dumps(error.value.to_payload()).replace(typed, "<typed>")))
    assert_no_leak(await gateway.instructions_for(ctx))
    assert_no_leak([change.to_payload() for change in await gateway.refresh_for(ctx)])


async def test_hidden_tools_and_domains_leak_nowhere_with_visibility_hooks() -> None:
    gateway = await build(hooks=HookRunner([HidePayroll()]))
    await leaks_everywhere(gateway, CallContext())


async def test_the_bare_name_of_a_collision_with_a_hidden_tool_resolves_to_the_visible_one() -> None:
    gateway = await build(hooks=HookRunner([HidePayroll()]))
    schema = await gateway.get_schema("export")
    assert (schema["name"], schema["domain"]) == ("crm_export", "crm"), "not ambiguous: the other is hidden"


async def test_a_hidden_tool_answers_exactly_like_an_absent_one() -> None:
    hiding = await build(hooks=HookRunner([HidePayroll()]))
    absent = await build(hooks=HookRunner([HidePayroll()]), with_secret=False)
    answers: dict[str, list[dict[str, Any]]] = {"hidden": [], "absent": []}
    for label, gateway in (("hidden", hiding), ("absent", absent)):
        for name in ("secret", "secrt", "Secret"):
            for attempt in (gateway.execute(name, {}, CallContext()), gateway.get_schema(name, CallContext())):
                with pytest.raises(GatewayError) as error:
                    await attempt
                answers[label].append(error.value.to_payload())
    assert answers["hidden"] == answers["absent"]


def identity(**claims: Any) -> CallContext:
    return CallContext(identity=Identity(subject="u", claims=claims))


async def test_token_claims_grant_domains() -> None:
    gateway = await build(grants=DomainGrants("domains"))
    crm_only = identity(domains=["crm"])
    summary = (await gateway.discover(DiscoverRequest(), crm_only)).payload
    assert summary is not None
    assert [d["name"] for d in summary["domains"]] == ["crm"]
    assert (await gateway.execute("crm_contacts_search", {"q": "a"}, crm_only)).texts()
    with pytest.raises(GatewayError) as error:
        await gateway.execute("payroll_salaries_export", {"month": "m"}, crm_only)
    assert error.value.code == "tool_not_found"
    everything = (await gateway.discover(DiscoverRequest(), identity(domains="*"))).payload
    assert everything is not None
    assert everything["total_tools"] == 6
    nobody = (await gateway.discover(DiscoverRequest(), CallContext())).payload
    assert nobody == {"domains": [], "total_tools": 0}


async def test_callers_granted_the_same_domains_share_one_view_of_the_registry() -> None:
    """Without hooks, granted domains decide the view alone: it is built once, not per request."""
    gateway = await build(grants=DomainGrants("domains"))
    first = await gateway._visible(identity(domains=["crm"]))
    assert await gateway._visible(identity(domains=["crm"])) is first
    assert {tool.domain for tool in first.tools.values()} == {"crm"}
    both = await gateway._visible(identity(domains=["crm", "payroll"]))
    assert both is not first
    assert {tool.domain for tool in both.tools.values()} == {"crm", "payroll"}


def test_grants_pick_the_granted_domains_and_a_star_grants_all() -> None:
    grants = DomainGrants("domains")
    every = ["crm", "payroll", "web"]
    assert grants.granted_among(Identity("u", {"domains": "crm web"}), every) == {"crm", "web"}
    assert grants.granted_among(Identity("u", {"domains": ["*"]}), every) == set(every)
    assert grants.granted_among(None, every) == set()
    assert grants.allows(Identity("u", {"domains": "*"}), "anything")
    assert not grants.allows(Identity("u", {"domains": "crm"}), "payroll")


async def test_scopes_with_a_prefix_grant_domains() -> None:
    grants = DomainGrants("scope", prefix="mcp:domain:")
    assert grants.domains(Identity("u", {"scope": "openid mcp:domain:crm mcp:domain:web"})) == {"crm", "web"}
    gateway = await build(grants=grants)
    hidden = identity(scope="openid mcp:domain:crm")
    summary = (await gateway.discover(DiscoverRequest(), hidden)).payload
    assert summary is not None
    assert [d["name"] for d in summary["domains"]] == ["crm"]
