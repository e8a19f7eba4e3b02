from __future__ import annotations

import pytest

from gateway_domain import Gateway, UpstreamRegistration

from .fakes import FakeUpstream, spec


@pytest.fixture
def crm() -> FakeUpstream:
    return FakeUpstream(
        [
            spec("crm_contacts_search", "Search contacts by name or email.", query={"type": "string"}),
            spec("crm_contacts_create", "Create a contact.", name={"type": "string"}),
            spec("search", "Search everything in the CRM.", q={"type": "string"}),
        ]
    )


@pytest.fixture
def web() -> FakeUpstream:
    return FakeUpstream(
        [
            spec("search", "Search the web for pages.", q={"type": "string"}),
            spec("fetch_page", "Fetch a web page by URL."),
        ]
    )


@pytest.fixture
async def gateway(crm: FakeUpstream, web: FakeUpstream) -> Gateway:
    gateway = Gateway()
    await gateway.register(UpstreamRegistration("crm", crm, description="Customer records"))
    await gateway.register(UpstreamRegistration("web", web, call_timeout=0.2, list_timeout=0.2))
    await gateway.refresh()
    return gateway
