"""The full upstream contract against every bundled transport, with the contract server as a process."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Iterator

import anyio
import mcp
import pytest
from mcp.client.sse import sse_client

from gateway_adapters.mcp_upstream import McpUpstream, RestartPolicy, http_connector, sse_connector, stdio_connector
from gateway_adapters.testing.contract import FullUpstreamContract
from gateway_adapters.testing.processes import Process, contract_server
from gateway_domain import Upstream

CONTRACT_SERVER = [sys.executable, "-m", "gateway_adapters.testing.contract_server"]


class _ServerProcessContract(FullUpstreamContract):
    """The server runs as its own process; killing and restarting it is the test's job."""

    transport = "http"
    legacy = False
    restarts_itself = False

    @pytest.fixture(scope="class")
    @classmethod
    def server(cls) -> Iterator[tuple[Process, str]]:
        process, url = contract_server(cls.transport, legacy=cls.legacy)
        yield process, url
        process.stop()

    async def kill_server(self, upstream: Upstream) -> None:
        await anyio.to_thread.run_sync(self.process.kill)

    async def restart_server(self) -> None:
        # Off the event loop: the adapter must see its server go, as it would in production.
        port = int(self.url.rsplit(":", 1)[1].split("/")[0])
        await anyio.to_thread.run_sync(self.process.start)
        await anyio.to_thread.run_sync(self.process.wait_port, port)

    @pytest.fixture(autouse=True)
    def _remember(self, server: tuple[Process, str]) -> None:
        self.process, self.url = server


class TestStreamableHttp(_ServerProcessContract):
    @pytest.fixture
    async def upstream(self, server: tuple[Process, str]) -> AsyncIterator[Upstream]:
        async with McpUpstream("contract", http_connector(server[1])) as upstream:
            yield upstream

    @pytest.fixture
    async def reference(self, server: tuple[Process, str]) -> AsyncIterator[mcp.Client]:
        async with mcp.Client(server[1]) as client:
            yield client


class TestStreamableHttpLegacyHandshake(TestStreamableHttp):
    """A server that only speaks the pre-2026 initialize handshake (with an Mcp-Session-Id)."""

    legacy = True


class TestSse(_ServerProcessContract):
    transport = "sse"

    @pytest.fixture
    async def upstream(self, server: tuple[Process, str]) -> AsyncIterator[Upstream]:
        async with McpUpstream("contract", sse_connector(server[1])) as upstream:
            yield upstream

    @pytest.fixture
    async def reference(self, server: tuple[Process, str]) -> AsyncIterator[mcp.Client]:
        async with mcp.Client(sse_client(server[1])) as client:
            yield client


class TestStdio(FullUpstreamContract):
    """The adapter starts the server itself and restarts it when it dies."""

    carries_headers = False

    @pytest.fixture(scope="class")
    @classmethod
    async def upstream(cls) -> AsyncIterator[Upstream]:
        connector = stdio_connector("contract", CONTRACT_SERVER[0], [*CONTRACT_SERVER[1:], "stdio"])
        async with McpUpstream("contract", connector, restart=RestartPolicy(first_delay=0.2)) as upstream:
            yield upstream

    @pytest.fixture(scope="class")
    @classmethod
    async def reference(cls) -> AsyncIterator[mcp.Client]:
        params = mcp.StdioServerParameters(command=CONTRACT_SERVER[0], args=[*CONTRACT_SERVER[1:], "stdio"])
        async with mcp.Client(params) as client:
            yield client
