"""The upstream contract suite: what every ``Upstream`` adapter must do, as reusable pytest classes.

A transport's author subclasses one of the classes and provides two fixtures — the adapter under
test, entered, and a plain MCP SDK client to the same server as the reference — plus, when the
server is not one the adapter restarts by itself, how to kill and restart it::

    class TestMyTransport(FullUpstreamContract):
        @pytest.fixture
        async def upstream(self, server):            # connected to the packaged contract server
            async with MyUpstream(server.url) as upstream:
                yield upstream

        @pytest.fixture
        async def reference(self, server):
            async with mcp.Client(server.url) as client:
                yield client

``UpstreamContract`` holds the checks that apply to any server (exact listing, a call relayed
unchanged, the error flag, concurrent calls, death and recovery); ``FullUpstreamContract`` adds
those that need the tools of ``gateway_adapters.testing.contract_server`` (every content type,
structured content, unusual names and ``$ref`` schemas, per-call header isolation, progress, and a
hung call that must not take the session down with it).
"""

from __future__ import annotations

import os
import signal
from collections.abc import Mapping
from typing import Any, ClassVar

import anyio
import mcp
import mcp_types as mt
import pytest

from gateway_domain import CallResult, GatewayError, Upstream, UpstreamCall

_PROTOCOL_KEYS = "io.modelcontextprotocol/"
RECOVERY_DEADLINE = 30.0


def wire_tool(tool: mt.Tool) -> dict[str, Any]:
    """The fields of a listed tool that an adapter must keep, as they travelled on the wire."""
    dumped = tool.model_dump(by_alias=True, exclude_none=True, mode="json")
    return {
        "name": dumped["name"],
        "title": dumped.get("title"),
        "description": dumped.get("description", ""),
        "inputSchema": dumped.get("inputSchema"),
        "outputSchema": dumped.get("outputSchema"),
        "annotations": dumped.get("annotations") or None,
    }


def wire_result(result: mt.CallToolResult) -> dict[str, Any]:
    dumped = result.model_dump(by_alias=True, exclude_none=True, mode="json")
    meta = {k: v for k, v in (dumped.get("_meta") or {}).items() if not k.startswith(_PROTOCOL_KEYS)}
    return {
        "content": dumped["content"],
        "structuredContent": dumped.get("structuredContent"),
        "isError": bool(dumped.get("isError")),
        "_meta": meta or None,
    }


def relayed_result(result: CallResult) -> dict[str, Any]:
    return {
        "content": [dict(block) for block in result.content],
        "structuredContent": dict(result.structured_content) if result.structured_content is not None else None,
        "isError": result.is_error,
        "_meta": dict(result.meta) if result.meta else None,
    }


async def call(upstream: Upstream, tool: str, arguments: Mapping[str, Any] | None = None, **kw: Any) -> CallResult:
    return await upstream.call_tool(UpstreamCall(tool_name=tool, arguments=dict(arguments or {}), **kw))


class UpstreamContract:
    """Checks that hold for an adapter in front of any MCP server.

    Subclasses provide the ``upstream`` and ``reference`` fixtures, a ``sample_call`` that succeeds
    with a deterministic result and a ``failing_call`` whose result carries ``isError`` (or None).
    ``kill_server`` and ``restart_server`` default to what fits a server the adapter starts itself
    (stdio): kill the process it reports through ``server_pid``; the adapter restarts it.
    """

    sample_call: ClassVar[tuple[str, dict[str, Any]]]
    failing_call: ClassVar[tuple[str, dict[str, Any]] | None] = None

    async def server_pid(self, upstream: Upstream) -> int:
        raise NotImplementedError("override server_pid, or kill_server and restart_server")

    async def kill_server(self, upstream: Upstream) -> None:
        os.kill(await self.server_pid(upstream), signal.SIGKILL)

    async def restart_server(self) -> None:
        return None

    restarts_itself: ClassVar[bool] = True
    """True when the adapter brings its server back by itself (stdio); False when ``restart_server``
    does, and then the very first call after it must succeed."""

    async def test_lists_every_tool_exactly_as_the_server_does(self, upstream: Upstream, reference: mcp.Client) -> None:
        expected = [wire_tool(tool) for tool in (await reference.list_tools()).tools]
        listed = [
            {
                "name": spec.name,
                "title": spec.title,
                "description": spec.description,
                "inputSchema": dict(spec.input_schema),
                "outputSchema": dict(spec.output_schema) if spec.output_schema is not None else None,
                "annotations": dict(spec.annotations) if spec.annotations else None,
            }
            for spec in await upstream.list_tools()
        ]
        assert listed == expected

    async def test_relays_a_call_unchanged(self, upstream: Upstream, reference: mcp.Client) -> None:
        name, arguments = self.sample_call
        expected = wire_result(await reference.call_tool(name, arguments))
        assert relayed_result(await call(upstream, name, arguments)) == expected

    async def test_relays_the_error_flag(self, upstream: Upstream, reference: mcp.Client) -> None:
        if self.failing_call is None:
            pytest.skip("this server has no failing call to check")
        name, arguments = self.failing_call
        expected = wire_result(await reference.call_tool(name, arguments))
        relayed = await call(upstream, name, arguments)
        assert relayed.is_error
        assert relayed_result(relayed) == expected

    async def test_serves_concurrent_calls(self, upstream: Upstream) -> None:
        name, arguments = self.sample_call
        first = relayed_result(await call(upstream, name, arguments))
        results: list[dict[str, Any]] = []

        async def one() -> None:
            results.append(relayed_result(await call(upstream, name, arguments)))

        with anyio.fail_after(30):
            async with anyio.create_task_group() as group:
                for _ in range(20):
                    group.start_soon(one)
        assert results == [first] * 20

    async def test_survives_the_death_of_its_server(self, upstream: Upstream) -> None:
        name, arguments = self.sample_call
        await call(upstream, name, arguments)
        await self.kill_server(upstream)
        failure = await self._first_failure(upstream, name, arguments)
        assert failure.code in {"upstream_unavailable", "upstream_timeout"}
        await self.restart_server()
        if not self.restarts_itself:
            with anyio.fail_after(RECOVERY_DEADLINE):
                assert not (await call(upstream, name, arguments)).is_error
            return
        with anyio.fail_after(RECOVERY_DEADLINE):
            while True:
                try:
                    result = await call(upstream, name, arguments)
                    break
                except GatewayError:
                    await anyio.sleep(0.1)
        assert not result.is_error

    @staticmethod
    async def _first_failure(upstream: Upstream, name: str, arguments: dict[str, Any]) -> GatewayError:
        """Call until a call fails: one may still land on the dying server; a later one must fail."""
        with anyio.fail_after(RECOVERY_DEADLINE):
            while True:
                try:
                    await call(upstream, name, arguments)
                except GatewayError as error:
                    return error
                await anyio.sleep(0.05)

    async def test_answers_the_first_call_after_its_server_restarted(self, upstream: Upstream) -> None:
        if self.restarts_itself:
            pytest.skip("the adapter restarts this server itself")
        name, arguments = self.sample_call
        await call(upstream, name, arguments)
        await self.kill_server(upstream)
        await self.restart_server()
        with anyio.fail_after(RECOVERY_DEADLINE):
            result = await call(upstream, name, arguments)
        assert not result.is_error


class FullUpstreamContract(UpstreamContract):
    """Every check, against ``gateway_adapters.testing.contract_server``.

    Set ``carries_headers = False`` for a transport without HTTP headers (stdio).
    """

    sample_call: ClassVar[tuple[str, dict[str, Any]]] = ("add", {"a": 2, "b": 3})
    failing_call: ClassVar[tuple[str, dict[str, Any]] | None] = ("fail", {"message": "disk full"})
    carries_headers: ClassVar[bool] = True

    async def server_pid(self, upstream: Upstream) -> int:
        result = await call(upstream, "pid")
        return int(result.texts()[0])

    async def test_relays_every_content_type_unchanged(self, upstream: Upstream, reference: mcp.Client) -> None:
        expected = wire_result(await reference.call_tool("content_kinds", {}))
        relayed = await call(upstream, "content_kinds")
        assert relayed_result(relayed) == expected
        assert [block["type"] for block in relayed.content] == [
            "text",
            "image",
            "audio",
            "resource",
            "resource",
            "resource_link",
        ]

    async def test_relays_structured_content(self, upstream: Upstream) -> None:
        result = await call(upstream, "profile", {"user_id": "u1"})
        assert result.structured_content == {"id": "u1", "name": "Ada", "roles": ["admin", "dev"]}
        assert not result.is_error

    async def test_keeps_unusual_names_annotations_and_ref_schemas(self, upstream: Upstream) -> None:
        specs = {spec.name: spec for spec in await upstream.list_tools()}
        assert "get-user.v2" in specs
        assert specs["delete_record"].annotations == {
            "title": "Delete a record",
            "readOnlyHint": False,
            "destructiveHint": True,
            "idempotentHint": True,
            "openWorldHint": False,
        }
        deep = specs["deep"].input_schema
        assert "$defs" in deep
        assert "Person" in deep["$defs"]
        nested = {"name": "a", "address": {"street": "s", "city": "c"}}
        person = {**nested, "manager": {**nested, "manager": nested}}
        assert (await call(upstream, "deep", {"person": person})).texts() == ["a has 2 managers above"]

    async def test_relays_progress(self, upstream: Upstream) -> None:
        seen: list[tuple[float, float | None]] = []

        async def progress(value: float, total: float | None, message: str | None) -> None:
            seen.append((value, total))

        result = await call(upstream, "sleep", {"seconds": 0.2}, progress=progress)
        assert result.texts() == ["slept 0.2"]
        assert seen == [(0, 4), (1, 4), (2, 4), (3, 4)]

    async def test_a_hung_call_can_be_abandoned_without_losing_the_session(self, upstream: Upstream) -> None:
        with pytest.raises(TimeoutError), anyio.fail_after(0.5):
            await call(upstream, "sleep", {"seconds": 30})
        with anyio.fail_after(5):
            assert (await call(upstream, "echo", {"text": "still here"})).texts() == ["still here"]

    async def test_keeps_concurrent_calls_apart(self, upstream: Upstream) -> None:
        answers: dict[int, list[str]] = {}

        async def one(index: int) -> None:
            answers[index] = list((await call(upstream, "echo", {"text": f"call {index}"})).texts())

        with anyio.fail_after(30):
            async with anyio.create_task_group() as group:
                for index in range(40):
                    group.start_soon(one, index)
        assert answers == {index: [f"call {index}"] for index in range(40)}

    async def test_sends_each_call_only_its_own_headers(self, upstream: Upstream) -> None:
        if not self.carries_headers:
            pytest.skip("this transport has no HTTP headers")
        seen: dict[int, Any] = {}

        async def one(index: int) -> None:
            headers = {"x-caller": f"caller-{index}"} if index % 3 else {}
            result = await call(upstream, "headers", headers=headers)
            seen[index] = (result.structured_content or {}).get("x-caller")

        with anyio.fail_after(30):
            async with anyio.create_task_group() as group:
                for index in range(60):
                    group.start_soon(one, index)
        assert seen == {index: (f"caller-{index}" if index % 3 else None) for index in range(60)}
