"""Registering upstreams at run time over REST (``GATEWAY_REGISTRATION_TOKEN``), against a real
gateway process and real upstream processes."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import httpx2
import pytest
from fastmcp import Client

from tests.processes import fixture_server, gateway

pytestmark = pytest.mark.e2e

TOKEN = "registration-secret"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture(scope="module")
def servers() -> Iterator[dict[str, str]]:
    catalog, catalog_url = fixture_server("catalog")
    beta, beta_url = fixture_server("beta")
    guarded, guarded_url = fixture_server("guarded")  # wants "Authorization: Bearer upstream-secret"
    process = None
    try:
        process, base = gateway(
            {
                "GATEWAY_UPSTREAMS": json.dumps({"beta": beta_url}),
                "GATEWAY_REGISTRATION_TOKEN": TOKEN,
                "GATEWAY_REGISTRY_AUTH_TOKEN": "upstream-secret",
            }
        )
        yield {"base": base, "catalog": catalog_url, "guarded": guarded_url}
    finally:
        if process is not None:
            process.stop()
        catalog.stop()
        beta.stop()
        guarded.stop()


def rest(base: str, method: str, path: str, **options: Any) -> httpx2.Response:
    with httpx2.Client(base_url=base, timeout=30) as http:
        return http.request(method, path, **options)


async def call(base: str, tool: str, arguments: dict[str, Any]) -> Any:
    async with Client(f"{base}/mcp", timeout=30) as client:
        return await client.call_tool_mcp(tool, arguments)


async def test_a_registered_upstream_serves_until_it_is_removed(servers: dict[str, str]) -> None:
    base = servers["base"]
    body = {"domain": "files", "url": servers["catalog"], "description": "Files on disk"}
    registered = rest(base, "POST", "/registry/servers", json=body, headers=AUTH)
    assert registered.status_code == 201
    answer = registered.json()
    assert answer["registered"] == "files"
    assert answer["status"] == "ready"
    assert answer["tools_discovered"] == len(answer["tools_added"]) > 0
    assert "convert_time" in answer["tools_added"]

    listed = rest(base, "GET", "/registry/servers", headers=AUTH).json()["servers"]
    assert {"domain": "beta", "source": "configured", "status": "ready", "tool_count": 2} in listed
    assert any(s["domain"] == "files" and s["source"] == "registered" for s in listed)

    found = await call(base, "discover_tools", {"domain": "files"})
    assert json.loads(found.content[0].text)["total"] == answer["tools_discovered"]
    ran = await call(base, "execute_tool", {"tool_name": "convert_time", "arguments": {"source_timezone": "UTC"}})
    assert not ran.is_error, ran.content[0].text

    removed = rest(base, "DELETE", "/registry/servers/files", headers=AUTH)
    assert removed.status_code == 200
    assert removed.json() == {"deregistered": "files"}
    gone = await call(base, "execute_tool", {"tool_name": "convert_time", "arguments": {"source_timezone": "UTC"}})
    assert gone.is_error
    assert json.loads(gone.content[0].text)["code"] == "tool_not_found"
    assert rest(base, "DELETE", "/registry/servers/files", headers=AUTH).status_code == 404


async def test_concurrent_registrations_of_one_domain_leave_one_working_upstream(servers: dict[str, str]) -> None:
    base = servers["base"]
    body = {"domain": "race", "url": servers["catalog"]}
    async with httpx2.AsyncClient(base_url=base, timeout=60) as http:

        async def post() -> int:
            return (await http.post("/registry/servers", json=body, headers=AUTH)).status_code

        async def delete() -> int:
            return (await http.delete("/registry/servers/race", headers=AUTH)).status_code

        codes = await asyncio.gather(*(post() for _ in range(12)), delete(), *(post() for _ in range(4)))
    assert set(codes) <= {200, 201, 404, 409}  # 409: replaced by a later request while being listed
    assert codes.count(201) >= 1
    final = rest(base, "POST", "/registry/servers", json=body, headers=AUTH)
    assert final.status_code == 201
    assert final.json()["status"] == "ready"
    ran = await call(base, "execute_tool", {"tool_name": "convert_time", "arguments": {"source_timezone": "UTC"}})
    assert not ran.is_error, ran.content[0].text
    assert rest(base, "DELETE", "/registry/servers/race", headers=AUTH).status_code == 200


def test_a_registered_upstream_gets_no_credential_of_the_gateways(servers: dict[str, str]) -> None:
    body: dict[str, Any] = {"domain": "guarded", "url": servers["guarded"] + "?key=hidden"}
    refused = rest(servers["base"], "POST", "/registry/servers", json=body, headers=AUTH).json()
    assert refused["status"] == "failed"
    assert refused["error"]["code"] == "upstream_unauthorized"  # GATEWAY_REGISTRY_AUTH_TOKEN stayed home
    assert refused["url"] == servers["guarded"] + "?***"  # a query string may hold a credential: not shown
    body["headers"] = {"Authorization": "Bearer upstream-secret"}
    accepted = rest(servers["base"], "POST", "/registry/servers", json=body, headers=AUTH).json()
    assert accepted["status"] == "ready"
    listed = rest(servers["base"], "GET", "/registry/servers", headers=AUTH).json()["servers"]
    assert "hidden" not in json.dumps(listed)
    assert rest(servers["base"], "DELETE", "/registry/servers/guarded", headers=AUTH).status_code == 200


async def test_an_unreachable_upstream_is_registered_as_failed(servers: dict[str, str]) -> None:
    body = {"domain": "down", "url": "http://127.0.0.1:9/mcp"}
    answer = rest(servers["base"], "POST", "/registry/servers", json=body, headers=AUTH)
    assert answer.status_code == 201
    assert answer.json()["status"] == "failed"
    assert answer.json()["error"]["code"] == "upstream_unavailable"
    assert rest(servers["base"], "DELETE", "/registry/servers/down", headers=AUTH).status_code == 200


@pytest.mark.parametrize(
    ("options", "status", "code", "says"),
    [
        ({"json": {"domain": "x", "url": "http://127.0.0.1:9/mcp"}, "headers": {}}, 401, "unauthorized", "Bearer"),
        (
            {"json": {"domain": "x", "url": "http://127.0.0.1:9/mcp"}, "headers": {"Authorization": "Bearer nope"}},
            401,
            "unauthorized",
            "Bearer",
        ),
        ({"content": b"{not json", "headers": AUTH}, 400, "invalid_arguments", "not JSON"),
        ({"json": ["http://127.0.0.1:9/mcp"], "headers": AUTH}, 400, "invalid_arguments", "expected a JSON object"),
        ({"json": {"domain": "x"}, "headers": AUTH}, 400, "invalid_arguments", "body.url: required"),
        ({"json": {"domain": "x", "url": "ftp://h"}, "headers": AUTH}, 400, "invalid_arguments", "body.url"),
        ({"json": {"domain": "a b", "url": "http://h/mcp"}, "headers": AUTH}, 400, "invalid_arguments", "body.domain"),
        ({"json": {"domain": "x", "command": "sh"}, "headers": AUTH}, 400, "invalid_arguments", "body.command"),
        ({"json": {"domain": "beta", "url": "http://h/mcp"}, "headers": AUTH}, 403, "forbidden", "configured"),
        (
            {"content": b'{"domain": "x", "url": "http://h/mcp", "description": "a \\ud800"}', "headers": AUTH},
            400,
            "invalid_arguments",
            "not valid Unicode",
        ),
        (
            {"json": {"domain": "x", "url": "http://h/mcp", "headers": {"X-Key": "a\u0000b"}}, "headers": AUTH},
            400,
            "invalid_arguments",
            "body.headers.X-Key",
        ),
        ({"content": b"x" * 200_000, "headers": AUTH}, 413, "invalid_arguments", "bytes"),
        ({"content": b"[" * 60_000, "headers": AUTH}, 400, "invalid_arguments", "nests too deeply"),
        ({"content": b'{"domain": "x", "url": NaN}', "headers": AUTH}, 400, "invalid_arguments", "NaN"),
        (
            {"content": b'{"domain": "x", "url": "http://h/mcp", "timeout": 1' + b"0" * 400 + b"}", "headers": AUTH},
            400,
            "invalid_arguments",
            "body.timeout",
        ),
        ({"json": {"domain": "x", "url": "http://a b/mcp"}, "headers": AUTH}, 400, "invalid_arguments", "body.url"),
        ({"json": {"domain": "beta\n", "url": "http://h/"}, "headers": AUTH}, 400, "invalid_arguments", "body.domain"),
        (
            {"json": {"domain": "x", "url": "http://h/mcp", "forward_headers": ["Authorization"]}, "headers": AUTH},
            400,
            "invalid_arguments",
            "body.forward_headers",
        ),
    ],
)
def test_a_bad_registration_gets_a_clear_4xx(
    servers: dict[str, str], options: dict[str, Any], status: int, code: str, says: str
) -> None:
    answer = rest(servers["base"], "POST", "/registry/servers", **options)
    assert answer.status_code == status
    error = answer.json()
    assert error["code"] == code
    assert says in error["error"]
    names = [s["domain"] for s in rest(servers["base"], "GET", "/registry/servers", headers=AUTH).json()["servers"]]
    assert names == ["beta"]


def test_a_wrong_method_gets_a_405_in_the_gateways_error_shape(servers: dict[str, str]) -> None:
    for method, path, allowed in (("PUT", "/registry/servers", "POST, GET"), ("GET", "/registry/servers/x", "DELETE")):
        answer = rest(servers["base"], method, path, headers=AUTH)
        assert answer.status_code == 405
        assert answer.headers["allow"] == allowed
        assert answer.json()["code"] == "invalid_arguments"
    assert rest(servers["base"], "PUT", "/registry/servers").status_code == 401  # the token first


def test_a_configured_upstream_cannot_be_removed_over_rest(servers: dict[str, str]) -> None:
    answer = rest(servers["base"], "DELETE", "/registry/servers/beta", headers=AUTH)
    assert answer.status_code == 403
    assert answer.json()["code"] == "forbidden"
    assert rest(servers["base"], "GET", "/registry/servers").status_code == 401


def test_without_a_token_there_are_no_registry_endpoints() -> None:
    beta, beta_url = fixture_server("beta")
    process = None
    try:
        process, base = gateway({"GATEWAY_UPSTREAMS": json.dumps({"beta": beta_url})})
        body = {"domain": "x", "url": beta_url}
        assert rest(base, "POST", "/registry/servers", json=body, headers=AUTH).status_code == 404
        assert rest(base, "GET", "/registry/servers", headers=AUTH).status_code == 404
    finally:
        if process is not None:
            process.stop()
        beta.stop()
