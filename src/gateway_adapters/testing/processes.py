"""Starting real servers as processes, for the contract suite and end-to-end tests."""

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

PYTHON = sys.executable


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Process:
    """A child process whose output goes to a file, shown when a test needs it."""

    def __init__(
        self, name: str, argv: Sequence[str], env: Mapping[str, str] | None = None, cwd: str | Path | None = None
    ) -> None:
        self.name = name
        self.argv = list(argv)
        self.env = {**os.environ, **(env or {})}
        self.cwd = cwd
        self.log = Path(tempfile.mkstemp(prefix=f"{name}-", suffix=".log")[1])
        self.popen: subprocess.Popen[bytes] | None = None

    def start(self) -> Process:
        with self.log.open("ab") as out:
            self.popen = subprocess.Popen(self.argv, stdout=out, stderr=subprocess.STDOUT, env=self.env, cwd=self.cwd)
        return self

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def kill(self) -> None:
        """Die abruptly, as a crashed server does (``start()`` brings it back on the same port)."""
        if self.popen is not None:
            self.popen.kill()
            self.popen.wait(5)
            self.popen = None

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


def contract_server(transport: str, port: int | None = None, *, legacy: bool = False) -> tuple[Process, str]:
    """Start the contract server over ``http`` or ``sse``; returns it and its URL once it listens."""
    port = port or free_port()
    process = Process(
        f"contract-{transport}",
        [PYTHON, "-m", "gateway_adapters.testing.contract_server", transport, str(port), *(["--legacy"] * legacy)],
    ).start()
    process.wait_port(port)
    path = "/sse" if transport == "sse" else "/mcp"
    return process, f"http://127.0.0.1:{port}{path}"


def child_pids(pattern: str) -> list[int]:
    """Processes started by this one whose command line contains ``pattern`` (Linux ``/proc``)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except (OSError, ValueError, IndexError):
            continue
        if parent == os.getpid() and pattern in command:
            found.append(int(entry.name))
    return found
