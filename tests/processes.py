"""Starting real servers as processes for contract and end-to-end tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SERVERS = ROOT / "tests" / "servers"
PYTHON = sys.executable


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Process:
    """A child process whose output goes to a file, shown when a test needs it."""

    def __init__(self, name: str, argv: Sequence[str], env: Mapping[str, str] | None = None) -> None:
        self.name = name
        self.argv = list(argv)
        self.env = {**os.environ, **(env or {})}
        self.log = Path(tempfile.mkstemp(prefix=f"{name}-", suffix=".log")[1])
        self.popen: subprocess.Popen[bytes] | None = None

    def start(self) -> Process:
        with self.log.open("ab") as out:
            self.popen = subprocess.Popen(self.argv, stdout=out, stderr=subprocess.STDOUT, env=self.env, cwd=ROOT)
        return self

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def signal(self, number: int) -> None:
        assert self.popen is not None
        self.popen.send_signal(number)

    def stop(self) -> None:
        if self.popen is None:
            return
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGCONT)
            self.popen.terminate()
            try:
                self.popen.wait(5)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(5)
        self.popen = None

    def wait_http(self, url: str, *, status: int = 200, timeout: float = 30.0) -> None:
        """Wait until ``url`` answers ``status``; fail with the process output if it dies or never does."""
        deadline = time.monotonic() + timeout
        last = "no answer"
        while time.monotonic() < deadline:
            if not self.alive():
                raise RuntimeError(f"{self.name} exited early:\n{self.output()}")
            try:
                with urllib.request.urlopen(url, timeout=1) as response:
                    if response.status == status:
                        return
                    last = f"HTTP {response.status}"
            except urllib.error.HTTPError as error:
                if error.code == status:
                    return
                last = f"HTTP {error.code}"
            except OSError as error:
                last = str(error)
            time.sleep(0.05)
        raise RuntimeError(f"{self.name}: {url} never answered {status} ({last}):\n{self.output()}")

    def wait_port(self, port: int, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.alive():
                raise RuntimeError(f"{self.name} exited early:\n{self.output()}")
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    return
            time.sleep(0.05)
        raise RuntimeError(f"{self.name}: port {port} never opened:\n{self.output()}")


def fixture_server(profile: str, port: int | None = None) -> tuple[Process, str]:
    """Start a fixture upstream; returns the process and its MCP URL once it accepts connections."""
    port = port or free_port()
    process = Process(profile, [PYTHON, str(SERVERS / "fixture_server.py"), profile, str(port)]).start()
    process.wait_port(port)
    return process, f"http://127.0.0.1:{port}/mcp"


def gateway(env: Mapping[str, str], *, wait_ready: bool = True) -> tuple[Process, str]:
    """Start ``python -m gateway_app``; returns it and its base URL once ``/readyz`` is 200."""
    port = free_port()
    process = Process(
        "gateway",
        [PYTHON, "-m", "gateway_app"],
        {"GATEWAY_HOST": "127.0.0.1", "GATEWAY_PORT": str(port), "LOG_LEVEL": "INFO", **env},
    ).start()
    base = f"http://127.0.0.1:{port}"
    process.wait_http(f"{base}/readyz" if wait_ready else f"{base}/healthz")
    return process, base
