import anyio
import pytest

from gateway_domain import CallContext, CallResult, ErrorCode, Gateway, GatewayError

from .fakes import FakeUpstream


async def test_a_call_goes_to_its_upstream_by_original_name(gateway: Gateway, web: FakeUpstream) -> None:
    ctx = CallContext(request_meta={"trace": "1"})
    result = await gateway.execute("web_search", {"q": "x"}, ctx)
    assert result.texts() == ["search ok"]
    assert [(c.tool_name, dict(c.arguments), c.meta) for c in web.calls] == [("search", {"q": "x"}, {"trace": "1"})]


async def test_the_upstream_answer_is_relayed_unchanged(gateway: Gateway, crm: FakeUpstream) -> None:
    answer = CallResult(
        content=({"type": "image", "data": "aGk=", "mimeType": "image/png"}, {"type": "text", "text": "caption"}),
        structured_content={"ok": True},
        meta={"custom": 1},
    )
    crm.handler = lambda call: answer
    assert await gateway.execute("crm_contacts_create", {"name": "Ada"}) == answer


async def test_an_upstream_tool_error_comes_back_marked(gateway: Gateway, crm: FakeUpstream) -> None:
    crm.handler = lambda call: CallResult.text("no such contact", is_error=True)
    result = await gateway.execute("crm_contacts_create", {"name": "Ada"})
    assert result.is_error
    assert result.texts() == ["no such contact"]


async def test_invalid_arguments_never_reach_the_upstream(gateway: Gateway, crm: FakeUpstream) -> None:
    with pytest.raises(GatewayError) as error:
        await gateway.execute("crm_contacts_create", {"nme": "Ada"})
    assert error.value.code == "invalid_arguments"
    assert error.value.details["signature"] == "crm_contacts_create(name: str) -> Any"
    assert crm.calls == []


async def test_an_unknown_tool_is_not_found_with_suggestions(gateway: Gateway) -> None:
    with pytest.raises(GatewayError) as error:
        await gateway.execute("fetch_pages", {})
    assert error.value.code == "tool_not_found"
    assert error.value.details["suggestions"] == ["fetch_page"]


async def test_a_hung_upstream_times_out_and_others_keep_working(gateway: Gateway, web: FakeUpstream) -> None:
    web.hang = True
    with anyio.fail_after(5):
        with pytest.raises(GatewayError) as error:
            await gateway.execute("fetch_page", {})
        assert (await gateway.execute("crm_search", {"q": "x"})).texts() == ["search ok"]
    assert error.value.code == "upstream_timeout"
    assert error.value.details["domain"] == "web"


async def test_an_adapter_error_keeps_its_code_and_names_the_tool(gateway: Gateway, web: FakeUpstream) -> None:
    web.call_error = GatewayError(ErrorCode.UPSTREAM_UNAVAILABLE, "Upstream server 'web' is unreachable.")
    with pytest.raises(GatewayError) as error:
        await gateway.execute("fetch_page", {})
    assert error.value.code == "upstream_unavailable"
    assert error.value.details == {"domain": "web", "tool": "fetch_page"}


async def test_an_unexpected_adapter_failure_reveals_nothing_internal(gateway: Gateway, web: FakeUpstream) -> None:
    web.call_error = RuntimeError("connect to http://secret:token@10.0.0.5 failed")
    with pytest.raises(GatewayError) as error:
        await gateway.execute("fetch_page", {})
    assert error.value.code == "upstream_error"
    assert "secret" not in str(error.value.to_payload())


async def test_a_tool_of_a_removed_domain_is_gone(gateway: Gateway) -> None:
    await gateway.unregister("web")
    with pytest.raises(GatewayError) as error:
        await gateway.execute("fetch_page", {})
    assert error.value.code == "tool_not_found"
    assert (await gateway.get_schema("search"))["name"] == "search", "no longer colliding"
