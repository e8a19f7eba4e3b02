"""Hooks: the reference gateway's phases, fail-closed, with the identity computed once per request."""

from __future__ import annotations

from typing import Any

import pytest

from gateway_domain import (
    CallContext,
    CallResult,
    ExecutionContext,
    ExecutionDenied,
    Gateway,
    GatewayError,
    HookRunner,
    ListToolsContext,
    UpstreamRegistration,
)

from .fakes import FakeUpstream, spec

# --- the reference README's example, as written (after_list_tools takes the tools first) ----------

VALID = {"token-alice": {"id": "alice", "domains": {"crm"}}, "token-bob": {"id": "bob", "domains": {"crm", "web"}}}


def validate_jwt(token: str) -> dict[str, Any] | None:
    return VALID.get(token)


def has_permission(user: dict[str, Any] | None, domain: str) -> bool:
    return user is not None and domain in user["domains"]


def exchange_token(user: dict[str, Any]) -> str:
    return f"exchanged-for-{user['id']}"


def has_access(user: dict[str, Any] | None, domain: str) -> bool:
    return has_permission(user, domain)


class AuthHook:
    async def on_authenticate(self, headers: dict[str, str]):  # type: ignore[no-untyped-def]
        token = headers.get("authorization", "").removeprefix("Bearer ")
        return validate_jwt(token)  # Return user identity or None

    async def before_execute(self, context: ExecutionContext):  # type: ignore[no-untyped-def]
        if not has_permission(context.user, context.tool.domain):
            raise ExecutionDenied("Insufficient permissions", code="forbidden")
        # Inject headers for the upstream server
        context.extra_headers["X-User-Token"] = exchange_token(context.user)


class AccessControlHook:
    async def after_list_tools(self, tools: list, context: ListToolsContext) -> list:  # type: ignore[type-arg]
        # Filter tools based on user permissions
        return [t for t in tools if has_access(context.user, t.domain)]


def caller(token: str) -> CallContext:
    return CallContext(headers={"Authorization": f"Bearer {token}"})


@pytest.fixture
async def guarded() -> tuple[Gateway, FakeUpstream, FakeUpstream]:
    crm = FakeUpstream([spec("crm_contacts_search", "Search contacts.", q={"type": "string"})])
    web = FakeUpstream([spec("fetch_page", "Fetch a web page.", url={"type": "string"})])
    gateway = Gateway(hooks=HookRunner([AuthHook()]))
    await gateway.register(UpstreamRegistration("crm", crm))
    await gateway.register(UpstreamRegistration("web", web))
    await gateway.refresh()
    return gateway, crm, web


async def test_the_reference_auth_hook_works_as_written(guarded: tuple[Gateway, FakeUpstream, FakeUpstream]) -> None:
    gateway, crm, web = guarded
    await gateway.execute("crm_contacts_search", {"q": "x"}, caller("token-alice"))
    assert crm.calls[0].headers == {"X-User-Token": "exchanged-for-alice"}
    with pytest.raises(GatewayError) as denied:
        await gateway.execute("fetch_page", {"url": "u"}, caller("token-alice"))
    assert (denied.value.code, denied.value.message) == ("forbidden", "Insufficient permissions")
    assert denied.value.details == {"tool": "fetch_page", "domain": "web"}
    assert web.calls == []
    with pytest.raises(GatewayError):
        await gateway.execute("crm_contacts_search", {"q": "x"}, caller("forged"))


async def test_the_reference_visibility_hook_hides_tools_everywhere() -> None:
    crm = FakeUpstream([spec("crm_contacts_search", "Search contacts.", q={"type": "string"})])
    web = FakeUpstream([spec("fetch_page", "Fetch a web page.", url={"type": "string"})])
    gateway = Gateway(hooks=HookRunner([AuthHook(), AccessControlHook()]))
    await gateway.register(UpstreamRegistration("crm", crm))
    await gateway.register(UpstreamRegistration("web", web))
    await gateway.refresh()
    alice, bob = caller("token-alice"), caller("token-bob")
    from gateway_domain import DiscoverRequest

    summary = (await gateway.discover(DiscoverRequest(), alice)).payload
    assert summary is not None
    assert [d["name"] for d in summary["domains"]] == ["crm"]
    assert summary["total_tools"] == 1
    bob_summary = (await gateway.discover(DiscoverRequest(), bob)).payload
    assert bob_summary is not None
    assert bob_summary["total_tools"] == 2
    with pytest.raises(GatewayError) as hidden:
        await gateway.execute("fetch_page", {"url": "u"}, alice)
    assert hidden.value.code == "tool_not_found", "a hidden tool answers exactly like an absent one"
    assert web.calls == []


async def test_the_identity_is_computed_once_per_request() -> None:
    seen: list[dict[str, str]] = []

    class Counting:
        async def on_authenticate(self, headers: dict[str, str]) -> str:
            seen.append(headers)
            return "someone"

        async def after_list_tools(self, tools: list[Any], context: ListToolsContext) -> list[Any]:
            assert context.user == "someone"
            return tools

        async def before_execute(self, context: ExecutionContext) -> None:
            assert context.user == "someone"

    gateway = Gateway(hooks=HookRunner([Counting()]))
    await gateway.register(UpstreamRegistration("a", FakeUpstream([spec("x")])))
    await gateway.refresh()
    await gateway.execute("x", {}, CallContext(headers={"Authorization": "Bearer t"}))
    assert seen == [{"authorization": "Bearer t"}], "hooks see the Authorization header, once"


async def test_hooks_can_rewrite_arguments_and_results() -> None:
    class Rewrite:
        async def before_execute(self, context: ExecutionContext) -> None:
            context.arguments["q"] = context.arguments["q"].upper()

        async def transform_result(self, context: ExecutionContext, result: CallResult) -> CallResult:
            return CallResult.text(result.texts()[0] + " (checked)")

        async def after_execute(self, context: ExecutionContext, result: CallResult, is_error: bool) -> str:
            return result.texts()[0] + " (logged)"

    upstream = FakeUpstream(
        [spec("s", q={"type": "string"})], handler=lambda call: CallResult.text(call.arguments["q"])
    )
    gateway = Gateway(hooks=HookRunner([Rewrite()]))
    await gateway.register(UpstreamRegistration("a", upstream))
    await gateway.refresh()
    result = await gateway.execute("s", {"q": "abc"})
    assert result.texts() == ["ABC (checked) (logged)"]


async def test_a_broken_hook_fails_closed_and_on_error_sees_upstream_failures() -> None:
    errors: list[str] = []

    class Broken:
        async def before_execute(self, context: ExecutionContext) -> None:
            raise RuntimeError("bug in the hook")

    class Watcher:
        async def on_error(self, context: ExecutionContext, error: BaseException) -> None:
            errors.append(getattr(error, "code", "?"))

    upstream = FakeUpstream([spec("s")])
    gateway = Gateway(hooks=HookRunner([Broken()]))
    await gateway.register(UpstreamRegistration("a", upstream))
    await gateway.refresh()
    with pytest.raises(GatewayError) as failure:
        await gateway.execute("s", {})
    assert failure.value.code == "execution_error"
    assert "bug in the hook" not in failure.value.message
    assert upstream.calls == []

    down = FakeUpstream([spec("s")])
    down.call_error = GatewayError("upstream_unavailable", "down")
    watched = Gateway(hooks=HookRunner([Watcher()]))
    await watched.register(UpstreamRegistration("a", down))
    await watched.refresh()
    with pytest.raises(GatewayError):
        await watched.execute("s", {})
    assert errors == ["upstream_unavailable"]


async def test_a_broken_visibility_hook_shows_nothing_rather_than_everything() -> None:
    class Broken:
        async def after_list_tools(self, tools: list[Any], context: ListToolsContext) -> list[Any]:
            raise RuntimeError("bug")

    gateway = Gateway(hooks=HookRunner([Broken()]))
    await gateway.register(UpstreamRegistration("a", FakeUpstream([spec("s")])))
    await gateway.refresh()
    with pytest.raises(GatewayError) as failure:
        await gateway.execute("s", {})
    assert failure.value.code == "execution_error"


async def test_a_hook_cannot_add_tools_the_caller_may_not_see() -> None:
    smuggled = FakeUpstream([spec("other")])

    class Sneaky:
        async def after_list_tools(self, tools: list[Any], context: ListToolsContext) -> list[Any]:
            return [*tools, "not a tool", object()]

    gateway = Gateway(hooks=HookRunner([Sneaky()]))
    await gateway.register(UpstreamRegistration("a", smuggled))
    await gateway.refresh()
    assert [t.name for t in (await gateway._visible(CallContext())).all_tools()] == ["other"]


def test_objects_without_any_hook_phase_are_refused() -> None:
    with pytest.raises(TypeError, match="at least one of"):
        HookRunner([object()])
