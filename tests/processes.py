"""Process helpers for this project's tests: the packaged helpers plus our fixture servers."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from gateway_adapters.testing.processes import PYTHON, Process, free_port

ROOT = Path(__file__).resolve().parents[1]
SERVERS = ROOT / "tests" / "servers"

__all__ = ["PYTHON", "ROOT", "Process", "fixture_server", "free_port", "gateway"]


def fixture_server(profile: str, port: int | None = None) -> tuple[Process, str]:
    """Start a fixture upstream; returns the process and its MCP URL once it accepts connections."""
    port = port or free_port()
    process = Process(profile, [PYTHON, str(SERVERS / "fixture_server.py"), profile, str(port)], cwd=ROOT).start()
    process.wait_port(port)
    return process, f"http://127.0.0.1:{port}/mcp"


def gateway(env: Mapping[str, str], *, wait_ready: bool = True, args: tuple[str, ...] = ()) -> tuple[Process, str]:
    """Start ``python -m gateway_app``; returns it and its base URL once ``/readyz`` is 200."""
    port = free_port()
    process = Process(
        "gateway",
        [PYTHON, "-m", "gateway_app", *args],
        {"GATEWAY_HOST": "127.0.0.1", "GATEWAY_PORT": str(port), "LOG_LEVEL": "INFO", **env},
        cwd=ROOT,
    ).start()
    base = f"http://127.0.0.1:{port}"
    process.wait_http(f"{base}/readyz" if wait_ready else f"{base}/healthz")
    return process, base
