"""``python -m gateway_app`` as a user starts it: bad configuration, health and readiness."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
import urllib.error
import urllib.request

import pytest

from tests.processes import PYTHON, ROOT, fixture_server, free_port, gateway

pytestmark = pytest.mark.e2e


def run_cli(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("GATEWAY_")}
    return subprocess.run(
        [PYTHON, "-m", "gateway_app"], env={**clean, **env}, capture_output=True, text=True, timeout=30, cwd=ROOT
    )


@pytest.mark.parametrize(
    ("upstreams", "expected"),
    [
        ('{"crm": {"url": 5}}', "configuration error: GATEWAY_UPSTREAMS.crm.url: expected a string, got a number"),
        ('{"crm": "http://x', "configuration error: GATEWAY_UPSTREAMS: not valid JSON"),
        ('["http://x"]', "configuration error: GATEWAY_UPSTREAMS: expected a JSON object"),
        ('{"crm": "ftp://x"}', "configuration error: GATEWAY_UPSTREAMS.crm.url: expected an http:// or https:// URL"),
        ("", "configuration error: GATEWAY_UPSTREAMS: required"),
    ],
)
def test_a_malformed_upstreams_variable_exits_with_one_clear_line(upstreams: str, expected: str) -> None:
    completed = run_cli({"GATEWAY_UPSTREAMS": upstreams})
    assert completed.returncode == 2
    lines = completed.stderr.strip().splitlines()
    assert len(lines) == 1, completed.stderr
    assert lines[0].startswith(expected)
    assert "Traceback" not in completed.stderr


def test_every_problem_is_reported_at_once() -> None:
    completed = run_cli(
        {
            "GATEWAY_UPSTREAMS": '{"a": {"url": "http://a", "timeout_secs": 1}, "b": 7}',
            "GATEWAY_PORT": "http",
            "LOG_LEVEL": "chatty",
        }
    )
    assert completed.returncode == 2
    assert completed.stderr.strip().splitlines() == [
        "configuration error: GATEWAY_UPSTREAMS.a: unknown field(s) (timeout_secs)",
        "configuration error: GATEWAY_UPSTREAMS.b: expected a URL string or an object with a 'url' or 'command', "
        "got a number",
        "configuration error: GATEWAY_PORT: expected an integer, got 'http'",
        "configuration error: LOG_LEVEL: expected one of CRITICAL, ERROR, WARNING, INFO, DEBUG, got 'CHATTY'",
    ]


def status(url: str) -> tuple[int, dict[str, object]]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_readyz_waits_for_every_upstream_and_never_shows_urls() -> None:
    frozen, frozen_url = fixture_server("beta")
    frozen.signal(signal.SIGSTOP)
    process = None
    try:
        process, base = gateway(
            {"GATEWAY_UPSTREAMS": json.dumps({"beta": frozen_url, "gone": f"http://127.0.0.1:{free_port()}/mcp"})},
            wait_ready=False,
        )
        assert status(f"{base}/healthz") == (200, {"status": "ok"})
        code, body = status(f"{base}/readyz")
        deadline = time.monotonic() + 15  # the refused connection is recorded by a background listing
        while body["domains"].get("gone") == "pending" and time.monotonic() < deadline:
            time.sleep(0.05)
            code, body = status(f"{base}/readyz")
        assert code == 503
        assert body["domains"] == {"beta": "pending", "gone": "failed"}
        assert "127.0.0.1" not in json.dumps(body)
        frozen.signal(signal.SIGCONT)
        process.wait_http(f"{base}/readyz", timeout=20)
        code, body = status(f"{base}/readyz")
        assert (code, body["domains"]) == (200, {"beta": "ready", "gone": "failed"})
    finally:
        frozen.stop()
        if process is not None:
            process.stop()


def test_an_upstream_url_with_user_info_connects() -> None:
    beta, beta_url = fixture_server("beta")
    process = None
    try:
        with_user = beta_url.replace("http://", "http://user:pw@")
        process, base = gateway({"GATEWAY_UPSTREAMS": json.dumps({"beta": with_user})})
        code, body = status(f"{base}/readyz")
        assert (code, body["domains"]) == (200, {"beta": "ready"})
    finally:
        beta.stop()
        if process is not None:
            process.stop()


async def test_the_example_mcp_servers_file_fronts_real_servers_from_pypi() -> None:
    import sys
    from pathlib import Path

    import anyio
    from fastmcp import Client

    from tests.processes import ROOT

    env = {
        "GATEWAY_UPSTREAMS": "",
        "PATH": f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}",
    }
    process, base = gateway(env, args=("--config", str(ROOT / "examples" / "mcp_servers.json")))
    try:
        async with Client(f"{base}/mcp") as client:
            summary = json.loads((await client.call_tool_mcp("discover_tools", {})).content[0].text)
            assert {d["name"]: d["status"] for d in summary["domains"]} == {"git": "ready", "time": "ready"}
            converted = await client.call_tool_mcp(
                "execute_tool",
                {
                    "tool_name": "convert_time",
                    "arguments": {"source_timezone": "UTC", "time": "12:00", "target_timezone": "Asia/Tokyo"},
                },
            )
            assert converted.structured_content["target"]["datetime"].endswith("T21:00:00+09:00")
            with anyio.fail_after(30):
                log = await client.call_tool_mcp(
                    "execute_tool", {"tool_name": "git_log", "arguments": {"repo_path": str(ROOT), "max_count": 1}}
                )
            assert not log.is_error
            assert "Commit history" in log.content[0].text
    finally:
        process.stop()


async def test_a_desktop_client_can_start_the_gateway_over_stdio() -> None:
    import sys

    import mcp

    from tests.processes import fixture_server

    beta, url = fixture_server("beta")
    try:
        params = mcp.StdioServerParameters(
            command=sys.executable,
            args=["-m", "gateway_app", "--transport", "stdio"],
            env={"GATEWAY_UPSTREAMS": json.dumps({"beta": url}), "LOG_LEVEL": "WARNING"},
            cwd=str(ROOT),
        )
        async with mcp.Client(params) as client:
            product = await client.call_tool("execute_tool", {"tool_name": "multiply", "arguments": {"a": 6, "b": 7}})
        assert product.content[0].text == "42.0"
    finally:
        beta.stop()


async def test_the_gateway_serves_sse_clients() -> None:
    import anyio
    from fastmcp import Client

    from tests.processes import Process, fixture_server

    beta, url = fixture_server("beta")
    port = free_port()
    process = Process(
        "gateway-sse",
        [PYTHON, "-m", "gateway_app"],
        {
            "GATEWAY_UPSTREAMS": json.dumps({"beta": url}),
            "GATEWAY_TRANSPORT": "sse",
            "GATEWAY_HOST": "127.0.0.1",
            "GATEWAY_PORT": str(port),
        },
        cwd=ROOT,
    ).start()
    try:
        process.wait_http(f"http://127.0.0.1:{port}/readyz")
        with anyio.fail_after(30):
            async with Client(f"http://127.0.0.1:{port}/sse") as client:
                product = await client.call_tool(
                    "execute_tool", {"tool_name": "multiply", "arguments": {"a": 2, "b": 8}}
                )
        assert product.content[0].text == "16.0"
    finally:
        process.stop()
        beta.stop()
