from gateway_domain import Gateway, UpstreamRegistration

from .fakes import FakeUpstream, spec


async def test_instructions_name_each_domain_with_its_tool_count(gateway: Gateway) -> None:
    text = gateway.instructions()
    assert text.startswith("You have access to a tool discovery gateway with tools across these domains:")
    assert "- **crm** (3 tools) — Customer records" in text
    assert "- **web** (2 tools)" in text
    assert "discover_tools" in text
    assert "get_tool_schema" in text
    assert "execute_tool" in text


async def test_instructions_mark_domains_that_are_not_ready() -> None:
    down = FakeUpstream([spec("x")])
    down.list_error = RuntimeError("no")
    gateway = Gateway()
    await gateway.register(UpstreamRegistration("down", down))
    await gateway.register(UpstreamRegistration("later", FakeUpstream([spec("y")])))
    assert "- **down** (0 tools) [loading]" in gateway.instructions()
    await gateway.refresh(["down"])
    assert "- **down** (0 tools) [currently unavailable]" in gateway.instructions()


async def test_custom_instructions_are_never_overwritten() -> None:
    gateway = Gateway(instructions="Be brief.")
    await gateway.register(UpstreamRegistration("a", FakeUpstream([spec("x")])))
    await gateway.refresh()
    assert gateway.instructions() == "Be brief."


def test_instructions_without_domains_say_so() -> None:
    assert "No tool domains are available to you yet" in Gateway().instructions()


async def test_with_per_caller_rules_the_shared_text_names_no_domain() -> None:
    from gateway_domain import CallContext, DomainGrants, Identity

    gateway = Gateway(grants=DomainGrants("domains"))
    await gateway.register(UpstreamRegistration("secret_ops", FakeUpstream([spec("x")])))
    await gateway.register(UpstreamRegistration("public", FakeUpstream([spec("y")])))
    await gateway.refresh()
    assert "secret_ops" not in gateway.instructions()
    mine = await gateway.instructions_for(CallContext(identity=Identity("u", {"domains": ["public"]})))
    assert "- **public** (1 tool)" in mine
    assert "secret_ops" not in mine
