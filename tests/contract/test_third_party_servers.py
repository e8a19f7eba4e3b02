"""The upstream contract against real third-party MCP servers from PyPI, started over stdio."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, ClassVar

import mcp
import pytest

from gateway_adapters.mcp_upstream import McpUpstream, RestartPolicy, stdio_connector
from gateway_adapters.testing.contract import UpstreamContract
from gateway_adapters.testing.processes import child_pids
from gateway_domain import Upstream

BIN = Path(sys.executable).parent


def server_command(name: str) -> str:
    command = BIN / name
    if not command.exists():
        pytest.fail(f"{name} is not installed in this environment; `make test` installs it")
    return str(command)


class _ThirdPartyStdio(UpstreamContract):
    command: ClassVar[str]
    args: ClassVar[list[str]] = []

    @classmethod
    def arguments(cls) -> list[str]:
        return list(cls.args)

    @pytest.fixture(scope="class")
    @classmethod
    async def upstream(cls) -> AsyncIterator[Upstream]:
        command = server_command(cls.command)
        before = set(child_pids(cls.command))
        connector = stdio_connector(cls.command, command, cls.arguments())
        async with McpUpstream(cls.command, connector, restart=RestartPolicy(first_delay=0.2)) as upstream:
            await upstream.list_tools()
            cls.started = set(child_pids(cls.command)) - before
            yield upstream

    @pytest.fixture(scope="class")
    @classmethod
    async def reference(cls) -> AsyncIterator[mcp.Client]:
        params = mcp.StdioServerParameters(command=server_command(cls.command), args=cls.arguments())
        async with mcp.Client(params) as client:
            yield client

    async def server_pid(self, upstream: Upstream) -> int:
        [pid] = self.started
        return pid


class TestMcpServerTime(_ThirdPartyStdio):
    command = "mcp-server-time"
    args: ClassVar[list[str]] = ["--local-timezone", "Europe/London"]
    sample_call: ClassVar[tuple[str, dict[str, Any]]] = (
        "convert_time",
        {"source_timezone": "Europe/London", "time": "12:00", "target_timezone": "Asia/Tokyo"},
    )
    failing_call: ClassVar[tuple[str, dict[str, Any]] | None] = ("get_current_time", {"timezone": "Not/AZone"})


@pytest.fixture(scope="module")
def repository(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("repo")
    git = shutil.which("git") or pytest.fail("git is needed to test mcp-server-git")
    subprocess.run([git, "init", "-q", "-b", "main", str(path)], check=True)
    (path / "README.md").write_text("hello\n")
    return path


class TestMcpServerGit(_ThirdPartyStdio):
    command = "mcp-server-git"
    failing_call: ClassVar[tuple[str, dict[str, Any]] | None] = ("git_status", {"repo_path": "/nonexistent"})
    repo: ClassVar[Path]

    @pytest.fixture(scope="class", autouse=True)
    @classmethod
    def _repository(cls, repository: Path) -> None:
        cls.repo = repository
        cls.sample_call = ("git_status", {"repo_path": str(repository)})

    @classmethod
    def arguments(cls) -> list[str]:
        return ["--repository", str(cls.repo)]
