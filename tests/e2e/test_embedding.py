"""The Python facade: GatewayServer in a program, with an Upstream adapter of the program's own."""

from __future__ import annotations

from collections.abc import Sequence

import anyio
import pytest
from fastmcp import Client
from fastmcp.client.transports import StreamableHttpTransport

from gateway_app import CallContext, CallResult, GatewayServer, ToolSpec, UpstreamCall
from tests.processes import fixture_server, free_port

pytestmark = pytest.mark.e2e


async def wait_for_port(port: int) -> None:
    with anyio.fail_after(20):
        while True:
            try:
                await (await anyio.connect_tcp("127.0.0.1", port)).aclose()
                return
            except OSError:
                await anyio.sleep(0.05)


class Calculator:
    """An upstream that is not an MCP server at all: a plain Python object implementing the port."""

    def __init__(self) -> None:
        self.entered = 0

    async def __aenter__(self) -> Calculator:
        self.entered += 1
        return self

    async def __aexit__(self, *exc: object) -> None:
        return None

    async def list_tools(self) -> Sequence[ToolSpec]:
        schema = {"type": "object", "properties": {"x": {"type": "number"}}, "required": ["x"]}
        return [ToolSpec("square", "Square a number.", schema)]

    async def call_tool(self, call: UpstreamCall) -> CallResult:
        x = call.arguments["x"]
        return CallResult(content=({"type": "text", "text": str(x * x)},), structured_content={"result": x * x})


async def test_an_embedded_gateway_serves_mcp_and_custom_upstreams() -> None:
    beta, beta_url = fixture_server("beta")
    calculator = Calculator()
    port = free_port()
    try:
        server = GatewayServer(
            {"beta": beta_url, "calc": calculator},
            name="embedded",
            domain_descriptions={"calc": "Arithmetic in process"},
        )
        assert await server.populate() == {"beta": 2, "calc": 1}
        async with anyio.create_task_group() as group:
            group.start_soon(server.run_async, "streamable-http", "127.0.0.1", port)
            await wait_for_port(port)
            async with Client(f"http://127.0.0.1:{port}/mcp") as client:
                square = await client.call_tool("execute_tool", {"tool_name": "square", "arguments": {"x": 7}})
                multiply = await client.call_tool(
                    "execute_tool", {"tool_name": "multiply", "arguments": {"a": 2, "b": 4}}
                )
                assert "Arithmetic in process" in (client.instructions or "")
            server.stop()
        assert square.content[0].text == "49"
        assert multiply.content[0].text == "8.0"
        assert calculator.entered == 2, "entered once by populate, once while serving"
    finally:
        beta.stop()


def test_the_facade_rejects_bad_upstreams_with_the_same_messages() -> None:
    from gateway_app import ConfigError

    with pytest.raises(ConfigError) as error:
        GatewayServer({"crm": {"url": 5}, "bad name": "http://x"})
    assert error.value.problems == [
        "upstreams.crm.url: expected a string, got a number",
        "upstreams.bad name: a domain name must be 1-48 characters of letters, digits, '_' or '-', "
        "starting with a letter or digit",
    ]


def test_the_facade_names_a_bad_search_setting_instead_of_failing_in_an_enum() -> None:
    from gateway_app import ConfigError

    with pytest.raises(ConfigError) as error:
        GatewayServer({}, semantic_search="yes", search_glosses=True)  # type: ignore[arg-type]
    assert error.value.problems == [
        "semantic_search: expected one of auto, on, off, got 'yes'",
        "search_glosses: expected one of auto, on, off, got True",
    ]


async def test_execute_code_is_listed_only_to_callers_the_code_authorizer_admits() -> None:
    async def admins(user: object, ctx: CallContext) -> bool:
        return ctx.headers.get("x-role") == "admin"

    port = free_port()
    server = GatewayServer({"calc": Calculator()}, code_mode=True, code_mode_authorizer=admins)
    await server.populate()
    url = f"http://127.0.0.1:{port}/mcp"
    async with anyio.create_task_group() as group:
        group.start_soon(server.run_async, "streamable-http", "127.0.0.1", port)
        await wait_for_port(port)
        for role, admitted in (("admin", True), ("user", False)):
            async with Client(StreamableHttpTransport(url, headers={"X-Role": role})) as client:
                listed = {tool.name for tool in await client.list_tools()}
                assert ("execute_code" in listed) is admitted, role
                assert ("execute_code" in (client.instructions or "")) is admitted, role
                assert "calc" in (client.instructions or "")
                answer = await client.call_tool_mcp("execute_code", {"code": "await square(x=3)"})
                assert bool(answer.is_error) is not admitted, answer
        group.cancel_scope.cancel()
