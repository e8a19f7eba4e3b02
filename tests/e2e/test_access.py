"""Who may see and do what, end to end: tokens, hooks from GATEWAY_HOOK_MODULE, forwarded headers."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import anyio
import jwt
import pytest
from fastmcp import Client

from tests.processes import fixture_server, gateway

pytestmark = pytest.mark.e2e

SECRET = "a-shared-secret-that-is-long-enough-for-hs256"
ISSUER, AUDIENCE = "https://idp.test", "mcp-gateway"


def token(subject: str, **claims: Any) -> str:
    now = int(time.time())
    body = {"iss": ISSUER, "aud": AUDIENCE, "sub": subject, "iat": now, "exp": now + 900, **claims}
    return jwt.encode(body, SECRET, algorithm="HS256")


ALICE = token("alice", roles=["user"], domains=["alpha", "beta"])
BOB = token("bob", roles=["admin"], domains="*")
CAROL = token("carol", roles=["admin"], domains=["beta"])


@pytest.fixture(scope="module")
def secured() -> Iterator[dict[str, Any]]:
    alpha, alpha_url = fixture_server("alpha")
    beta, beta_url = fixture_server("beta")
    delta, delta_url = fixture_server("delta")
    upstreams = {
        "alpha": {"url": alpha_url, "forward_headers": ["Authorization"]},
        "beta": beta_url,
        "delta": delta_url,
    }
    process, base = gateway(
        {
            "GATEWAY_UPSTREAMS": json.dumps(upstreams),
            "GATEWAY_AUTH_JWT_SECRET": SECRET,
            "GATEWAY_AUTH_ISSUER": ISSUER,
            "GATEWAY_AUTH_AUDIENCE": AUDIENCE,
            "GATEWAY_AUTH_DOMAINS_CLAIM": "domains",
            "GATEWAY_HOOK_MODULE": "tests.hook_fixtures:create_hooks",
            "GATEWAY_CODE_MODE": "true",
        }
    )
    yield {"url": f"{base}/mcp", "gateway": process}
    for part in (process, alpha, beta, delta):
        part.stop()


def body(result: Any) -> dict[str, Any]:
    return json.loads(result.content[0].text)


async def test_a_hidden_tool_is_seen_nowhere_and_answers_like_an_absent_one(secured: dict[str, Any]) -> None:
    async with Client(secured["url"], auth=ALICE) as alice, Client(secured["url"], auth=BOB) as bob:
        answers = [
            await alice.call_tool_mcp("discover_tools", {}),
            await alice.call_tool_mcp("discover_tools", {"domain": "alpha"}),
            await alice.call_tool_mcp("discover_tools", {"domain": "alpha", "format": "signatures"}),
            await alice.call_tool_mcp("discover_tools", {"query": "stop with the given reason"}),
            await alice.call_tool_mcp("get_tool_schema", {"tool_name": "fai"}),
            await alice.call_tool_mcp("execute_tool", {"tool_name": "fial", "arguments": {}}),
            await alice.call_tool_mcp("refresh_registry", {}),
        ]
        for answer in answers:
            assert "fail" not in answer.content[0].text
        assert "fail" not in (alice.instructions or "")
        hidden = await alice.call_tool_mcp("execute_tool", {"tool_name": "fail", "arguments": {}})
        absent = await alice.call_tool_mcp("execute_tool", {"tool_name": "nothing_here", "arguments": {}})
        assert body(hidden)["code"] == body(absent)["code"] == "tool_not_found"
        assert body(hidden)["details"]["suggestions"] == []
        # the same tool, for an admin
        assert (await bob.call_tool_mcp("execute_tool", {"tool_name": "fail", "arguments": {}})).is_error
        assert "fail" in (await bob.call_tool_mcp("discover_tools", {"domain": "alpha"})).content[0].text


async def test_execute_code_binds_only_what_its_caller_may_see(secured: dict[str, Any]) -> None:
    probe = (
        "try:\n    await fail(reason='x')\n"
        "except NameError:\n    r = 'unbound'\n"
        "except RuntimeError as e:\n    r = str(e)\n"
        "r"
    )
    async with Client(secured["url"], auth=ALICE) as alice, Client(secured["url"], auth=BOB) as bob:
        assert body(await alice.call_tool_mcp("execute_code", {"code": probe}))["result"] == "unbound"
        by_name = await alice.call_tool_mcp("execute_code", {"code": "await call_tool('fail', {})"})
        assert "[tool_not_found]" in body(by_name)["error"]
        assert "fail" not in json.dumps(body(by_name)["details"])
        assert "alpha failed: x" in body(await bob.call_tool_mcp("execute_code", {"code": probe}))["result"]
        whoami = await alice.call_tool_mcp("execute_code", {"code": "(await whoami())['headers']"})
        assert body(whoami)["result"].get("x-caller") == "alice", "hooks run for calls made from code"


async def test_token_claims_decide_which_domains_a_caller_sees(secured: dict[str, Any]) -> None:
    async with Client(secured["url"], auth=CAROL) as carol:
        summary = body(await carol.call_tool_mcp("discover_tools", {}))
        assert [d["name"] for d in summary["domains"]] == ["beta"]
        missing = body(await carol.call_tool_mcp("discover_tools", {"domain": "alpha"}))
        assert missing["code"] == "domain_not_found"
        assert missing["details"]["available_domains"] == ["beta"]
        assert "alpha" not in (carol.instructions or "")


async def test_concurrent_callers_never_see_each_others_headers(secured: dict[str, Any]) -> None:
    callers = {"alice": ALICE, "bob": BOB}
    answers: list[tuple[str, dict[str, Any]]] = []

    async def one(client: Client, who: str, index: int) -> None:
        result = await client.call_tool_mcp(
            "execute_tool", {"tool_name": "whoami", "arguments": {"tag": f"{who}-{index}"}}
        )
        answers.append((who, result.structured_content["headers"]))

    async with Client(secured["url"], auth=ALICE) as alice, Client(secured["url"], auth=BOB) as bob:
        with anyio.fail_after(120):
            async with anyio.create_task_group() as group:
                for index in range(150):
                    group.start_soon(one, alice, "alice", index)
                    group.start_soon(one, bob, "bob", index)
        log = await bob.call_tool_mcp("execute_tool", {"tool_name": "received_headers", "arguments": {}})
    assert len(answers) == 300
    for who, headers in answers:
        assert headers["authorization"] == f"Bearer {callers[who]}"
        assert headers["x-caller"] == who
        assert "x-static" not in headers
    recorded = [entry for entry in log.structured_content["received"] if entry["tag"]]
    assert len(recorded) == 300, "the upstream saw every call"
    for entry in recorded:
        who = entry["tag"].split("-")[0]
        assert (entry["authorization"], entry["caller"]) == (f"Bearer {callers[who]}", who)


async def test_inbound_headers_reach_only_the_upstream_configured_for_them(secured: dict[str, Any]) -> None:
    async with Client(secured["url"], auth=BOB) as bob:
        delta = await bob.call_tool_mcp("execute_tool", {"tool_name": "delta_headers", "arguments": {}})
    headers = delta.structured_content["headers"]
    assert "authorization" not in headers, "only alpha is configured to receive the caller's token"
    assert headers["x-caller"] == "bob", "what hooks add goes everywhere the call goes"


async def test_a_hook_module_that_cannot_load_stops_the_gateway_with_one_line() -> None:
    import subprocess
    import sys

    from tests.processes import ROOT

    for reference, expected in (
        ("tests.no_such_module:create", "cannot import 'tests.no_such_module' (ModuleNotFoundError"),
        ("tests.hook_fixtures:missing", "'tests.hook_fixtures' has no callable 'missing'"),
        ("tests.hook_fixtures:broken_factory", "broken_factory() raised RuntimeError: the hook factory is broken"),
        ("not a reference", "expected 'package.module:factory'"),
    ):
        completed = subprocess.run(
            [sys.executable, "-m", "gateway_app"],
            env={
                "PATH": "/usr/bin:/bin",
                "GATEWAY_UPSTREAMS": '{"a": "http://127.0.0.1:1/mcp"}',
                "GATEWAY_HOOK_MODULE": reference,
            },
            capture_output=True,
            text=True,
            timeout=60,
            cwd=ROOT,
        )
        assert completed.returncode == 2, completed.stderr
        [line] = completed.stderr.strip().splitlines()
        assert line.startswith("configuration error: GATEWAY_HOOK_MODULE")
        assert expected in line


async def test_an_upstream_that_wants_a_token_is_listed_with_the_registry_token() -> None:
    guarded, url = fixture_server("guarded")
    try:
        without, base = gateway({"GATEWAY_UPSTREAMS": json.dumps({"guarded": url})})
        async with Client(f"{base}/mcp") as client:
            report = body(await client.call_tool_mcp("refresh_registry", {}))
        without.stop()
        [entry] = report["refreshed"]
        assert (entry["status"], entry["error"]["code"]) == ("failed", "upstream_unauthorized")

        with_token, base = gateway(
            {"GATEWAY_UPSTREAMS": json.dumps({"guarded": url}), "GATEWAY_REGISTRY_AUTH_TOKEN": "upstream-secret"}
        )
        async with Client(f"{base}/mcp") as client:
            summary = body(await client.call_tool_mcp("discover_tools", {}))
            call = await client.call_tool_mcp("execute_tool", {"tool_name": "ping", "arguments": {}})
        with_token.stop()
        assert summary["total_tools"] == 1, "the handshake and the listing carried the registry token"
        assert body(call)["code"] == "upstream_unauthorized", "calls need the upstream's own credentials"
    finally:
        guarded.stop()


def test_the_unauthenticated_readiness_probe_names_no_domain(secured: dict[str, Any]) -> None:
    import httpx2

    response = httpx2.get(secured["url"].removesuffix("/mcp") + "/readyz", timeout=5)
    assert response.status_code == 200
    assert response.json() == {"status": "ready", "domain_states": {"ready": 3}}
