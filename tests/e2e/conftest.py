from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator

import pytest
from fastmcp import Client

from tests.processes import Process, fixture_server, gateway


@pytest.fixture(scope="session")
def upstreams() -> Iterator[dict[str, tuple[Process, str]]]:
    started = {profile: fixture_server(profile) for profile in ("alpha", "beta")}
    yield started
    for process, _ in started.values():
        process.stop()


@pytest.fixture(scope="session")
def gateway_url(upstreams: dict[str, tuple[Process, str]]) -> Iterator[str]:
    env = {
        "GATEWAY_UPSTREAMS": json.dumps(
            {"alpha": upstreams["alpha"][1], "beta": {"url": upstreams["beta"][1], "description": "Beta catalogue"}}
        ),
        "GATEWAY_UPSTREAM_HEADERS": json.dumps({"alpha": {"X-Static": "alpha-secret"}}),
        "GATEWAY_DOMAIN_DESCRIPTIONS": json.dumps({"alpha": "Alpha notes and maths"}),
    }
    process, base = gateway(env)
    yield f"{base}/mcp"
    process.stop()


@pytest.fixture
async def client(gateway_url: str) -> AsyncIterator[Client]:
    async with Client(gateway_url, timeout=30) as connected:
        yield connected
