"""execute_code's domain side: what is bound, and that every call is an ordinary execute."""

from __future__ import annotations

import json
from typing import Any

import anyio
import pytest

from gateway_domain import CallContext, CallResult, Gateway, GatewayError, HookRunner, UpstreamRegistration
from gateway_domain.code_mode import CodeLimits, CodeMode, bound_names, python_name, tool_value
from gateway_domain.context import ANONYMOUS
from gateway_domain.hooks import ExecutionDenied
from gateway_domain.tools import Tool

from .fakes import FakeSandbox, FakeUpstream, spec
from .test_visibility import HidePayroll, assert_no_leak


async def coded(
    *hooks: Any, limits: CodeLimits | None = None, authorizer: Any = None
) -> tuple[Gateway, FakeSandbox, FakeUpstream]:
    sandbox = FakeSandbox()
    mode = CodeMode(sandbox, limits or CodeLimits(), authorizer=authorizer)
    gateway = Gateway(hooks=HookRunner(list(hooks)), code_mode=mode)
    crm = FakeUpstream(
        [
            spec("crm_contacts_search", "Search contacts by name.", q={"type": "string"}),
            spec("secret", "The secret export of everything."),
            spec("get-user.v2", "A kebab-case name with a dot.", user_id={"type": "string"}),
        ],
        handler=lambda call: CallResult(structured_content={"tool": call.tool_name, "args": dict(call.arguments)}),
    )
    payroll = FakeUpstream([spec("payroll_salaries_export", "Export salaries.", month={"type": "string"})])
    await gateway.register(UpstreamRegistration("crm", crm))
    await gateway.register(UpstreamRegistration("payroll", payroll))
    await gateway.refresh()
    return gateway, sandbox, crm


async def code_error(gateway: Gateway, code: str, ctx: CallContext = ANONYMOUS) -> GatewayError:
    with pytest.raises(GatewayError) as error:
        await gateway.execute_code(code, ctx)
    return error.value


async def test_only_the_tools_a_caller_may_see_are_bound() -> None:
    gateway, sandbox, _ = await coded(HidePayroll())
    run = await gateway.execute_code('await crm_contacts_search(q="ada")')
    assert run.value == {"tool": "crm_contacts_search", "args": {"q": "ada"}}
    assert run.tool_calls == ("crm_contacts_search",)
    assert sandbox.bound == ["call_tool", "crm_contacts_search", "get_user_v2"]
    assert_no_leak(sandbox.bound)


async def test_a_hidden_tool_cannot_be_reached_by_its_name_and_the_error_names_nothing_hidden() -> None:
    gateway, _, crm = await coded(HidePayroll())
    hidden = await code_error(gateway, "await secret()")
    assert hidden.code == "execution_error"
    assert "NameError" in hidden.message
    by_name = await code_error(gateway, 'await call_tool("payroll_salaries_export", {"month": "may"})')
    assert "[tool_not_found]" in by_name.message
    assert_no_leak(json.loads(json.dumps(by_name.to_payload()).replace("payroll_salaries_export", "<typed>")))
    assert crm.calls == []


async def test_every_call_goes_through_the_hooks_and_argument_checks() -> None:
    class NoExports:
        async def before_execute(self, context: Any) -> None:
            if "export" in context.tool.name:
                raise ExecutionDenied("exports are off today", code="forbidden")

    gateway, _, crm = await coded(NoExports())
    denied = await code_error(gateway, 'await payroll_salaries_export(month="may")')
    assert "[forbidden] exports are off today" in denied.message
    invalid = await code_error(gateway, "await crm_contacts_search(q=3)")
    assert "[invalid_arguments]" in invalid.message
    assert crm.calls == []


async def test_tools_whose_names_are_not_identifiers_are_bound_under_a_python_name() -> None:
    gateway, _, _ = await coded()
    run = await gateway.execute_code('await get_user_v2(user_id="7")')
    assert run.value == {"tool": "get-user.v2", "args": {"user_id": "7"}}
    assert (await gateway.execute_code('await call_tool("get-user.v2", {"user_id": "8"})')).value["args"] == {
        "user_id": "8"
    }


async def test_a_run_may_make_at_most_max_nested_calls() -> None:
    gateway, _, crm = await coded(limits=CodeLimits(max_nested_calls=2))
    code = "[await crm_contacts_search(q='a'), await crm_contacts_search(q='b'), await crm_contacts_search(q='c')]"
    error = await code_error(gateway, code)
    assert "2 tool calls" in error.message
    assert len(crm.calls) == 2


async def test_a_run_is_held_to_its_wall_clock_limit_including_tool_calls() -> None:
    gateway, _, crm = await coded(limits=CodeLimits(max_duration_secs=0.2))
    crm.hang = True
    with anyio.fail_after(5):
        error = await code_error(gateway, "await crm_contacts_search(q='a')")
    assert error.details["limit"] == "max_duration_secs"


async def test_the_authorizer_can_refuse_a_caller() -> None:
    async def admins(user: Any, ctx: CallContext) -> bool:
        return ctx.headers.get("x-role") == "admin"

    gateway, _, _ = await coded(authorizer=admins)
    refused = await code_error(gateway, "1 + 1", CallContext(headers={"X-Role": "user"}))
    assert refused.code == "forbidden"
    assert (await gateway.execute_code("1 + 1", CallContext(headers={"X-Role": "admin"}))).value == 2


async def test_a_refused_caller_is_not_told_about_execute_code_and_a_failing_authorizer_refuses() -> None:
    async def admins(user: Any, ctx: CallContext) -> bool:
        if "x-role" not in ctx.headers:
            raise RuntimeError("no role")
        return ctx.headers.get("x-role") == "admin"

    gateway, _, _ = await coded(authorizer=admins)
    admin_ctx, user_ctx = CallContext(headers={"X-Role": "admin"}), CallContext(headers={"X-Role": "user"})
    nobody = ANONYMOUS
    assert gateway.instructions_per_caller
    assert await gateway.may_run_code(admin_ctx)
    assert not await gateway.may_run_code(user_ctx)
    assert not await gateway.may_run_code(nobody)  # the authorizer raised: refused, not let through
    assert (await code_error(gateway, "1", nobody)).code == "forbidden"
    assert "execute_code" in await gateway.instructions_for(admin_ctx)
    assert "execute_code" not in await gateway.instructions_for(user_ctx)
    assert "execute_code" not in gateway.instructions()  # the text every caller gets before its own
    assert "crm" in await gateway.instructions_for(user_ctx)
    from gateway_domain import DiscoverRequest

    signatures = DiscoverRequest(domain="crm", format="signatures")
    assert "# in execute_code: get_user_v2" in ((await gateway.discover(signatures, admin_ctx)).text or "")
    for refused in (user_ctx, nobody):
        assert "execute_code" not in ((await gateway.discover(signatures, refused)).text or "")


async def test_an_authorizer_and_per_caller_domains_together() -> None:
    from gateway_domain import DomainGrants, Identity

    async def admins(user: Any, ctx: CallContext) -> bool:
        return ctx.headers.get("x-role") == "admin"

    sandbox = FakeSandbox()
    gateway = Gateway(code_mode=CodeMode(sandbox, CodeLimits(), authorizer=admins), grants=DomainGrants("domains"))
    await gateway.register(UpstreamRegistration("crm", FakeUpstream([spec("crm_find")])))
    await gateway.register(UpstreamRegistration("payroll", FakeUpstream([spec("pay")])))
    await gateway.refresh()
    crm_only = Identity(subject="ada", claims={"domains": ["crm"]})
    admin = CallContext(headers={"X-Role": "admin"}, identity=crm_only)
    user = CallContext(headers={"X-Role": "user"}, identity=crm_only)
    for ctx, coded_ in ((admin, True), (user, False)):
        text = await gateway.instructions_for(ctx)
        assert "crm" in text
        assert "payroll" not in text
        assert ("execute_code" in text) is coded_


async def test_without_an_authorizer_every_caller_may_run_code() -> None:
    gateway, _, _ = await coded()
    assert not gateway.instructions_per_caller
    assert await gateway.may_run_code(CallContext(headers={"X-Role": "user"}))
    assert "execute_code" in gateway.instructions()


async def test_without_code_mode_there_is_no_execute_code() -> None:
    error = await code_error(Gateway(), "1")
    assert error.code == "execution_error"


def test_python_names_are_identifiers_and_never_collide() -> None:
    assert python_name("get-user.v2") == "get_user_v2"
    assert python_name("2fa") == "_2fa"
    assert python_name("class") == "class_"
    assert python_name("call_tool") == "call_tool_"
    assert python_name("list") == "list_", "a builtin would hide it"
    assert python_name("json") == "json_", "so would an imported module"
    tools = [_tool(name) for name in ("a-b", "a_b", "a.b")]
    assert bound_names(tools) == {"a_b_2": "a-b", "a_b_3": "a.b", "a_b": "a_b"}


def _tool(name: str) -> Tool:
    return Tool(name=name, domain="d", group="g", spec=spec(name))


def test_a_tool_answer_becomes_a_python_value() -> None:
    assert tool_value(CallResult(structured_content={"a": 1})) == {"a": 1}
    assert tool_value(CallResult.text('{"rows": [1, 2]}')) == {"rows": [1, 2]}
    assert tool_value(CallResult.text("plain words")) == "plain words"
    wrapped = CallResult(structured_content={"result": 5})
    assert tool_value(wrapped, {"type": "object", "x-fastmcp-wrap-result": True}) == 5
    assert tool_value(wrapped, {"type": "object"}) == {"result": 5}
    image = {"type": "image", "data": "iVBOR", "mimeType": "image/png"}
    assert tool_value(CallResult(content=({"type": "text", "text": "a chart"}, image))) == ["a chart", image]


async def test_progress_counts_finished_calls_and_never_goes_back() -> None:
    gateway, _, crm = await coded()
    reported: list[float] = []

    async def progress(value: float, total: float | None, message: str | None) -> None:
        reported.append(value)

    code = "[await crm_contacts_search(q='a'), await gather(*[crm_contacts_search(q=q) for q in 'xyz'])]"
    run = await gateway.execute_code(code, CallContext(progress=progress))
    assert len(run.tool_calls) == 4
    assert reported == sorted(set(reported))
    assert reported[-1] == 4
    assert all(call.progress is None for call in crm.calls), "inner calls must not reuse the run's token"


async def test_call_tool_misuse_and_unsendable_arguments_get_plain_answers() -> None:
    gateway, _, crm = await coded()
    misuse = await code_error(gateway, "await call_tool('crm_contacts_search', q='a')")
    assert "call_tool takes a tool name and a dict of arguments" in misuse.message
    assert "<locals>" not in misuse.message
    nan = await code_error(gateway, "await crm_contacts_search(q=1e999 - 1e999)")
    assert "[invalid_arguments] crm_contacts_search: arguments must be JSON values" in nan.message
    assert crm.calls == []


async def test_names_the_code_asks_for_are_logged_safely(caplog: pytest.LogCaptureFixture) -> None:
    gateway, _, _ = await coded()
    forged = "x\n2026-01-01 00:00:00 CRITICAL forged record" + "y" * 5000
    caplog.set_level("INFO")
    await code_error(gateway, f"await call_tool({forged!r}, {{}})")
    [record] = [r for r in caplog.records if r.getMessage().startswith("code_mode.invoked")]
    assert "\n" not in record.getMessage()
    assert len(record.getMessage()) < 300


async def test_signatures_show_the_name_code_calls_a_tool_by() -> None:
    from gateway_domain import DiscoverRequest

    gateway, _, _ = await coded()
    listing = await gateway.discover(DiscoverRequest(domain="crm", format="signatures"))
    assert listing.text is not None
    assert "get-user.v2(user_id: str) -> Any  # in execute_code: get_user_v2(...)" in listing.text
    assert "crm_contacts_search(q: str) -> Any\n" in listing.text
    plain = await Gateway().discover(DiscoverRequest(format="signatures", query="x"))
    assert "execute_code" not in (plain.text or "")
