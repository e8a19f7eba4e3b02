"""The FastMCP server: the meta-tools and the health routes, translating to and from the domain.

Each meta-tool builds a ``CallContext``, calls one use case and renders its answer. Nothing here
decides anything; every failure becomes a ``{"error", "code", "details"}`` result, never a trace.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Annotated, Any

import mcp_types as mt
from fastmcp import Context, FastMCP
from fastmcp.exceptions import NotFoundError, ValidationError
from fastmcp.server.auth import AuthProvider
from fastmcp.server.middleware import CallNext, Middleware, MiddlewareContext
from fastmcp.tools import Tool, ToolResult
from pydantic import Field
from pydantic import ValidationError as PydanticValidationError

from gateway_domain import (
    MAX_QUERY_CHARS,
    CallContext,
    DiscoverRequest,
    ErrorCode,
    Gateway,
    GatewayError,
    RegistrySnapshot,
)
from gateway_domain.text import echoed

from .rendering import call_result, discovery_result, error_result, json_result
from .request_context import call_context

log = logging.getLogger(__name__)


async def _guarded(tool: str, work: Callable[[], Awaitable[ToolResult]]) -> ToolResult:
    """Run one meta-tool; a domain error becomes an error result, anything else a generic one."""
    try:
        return await work()
    except GatewayError as error:
        return error_result(error)
    except Exception:
        log.exception("%s failed unexpectedly", tool)
        return error_result(
            GatewayError(ErrorCode.EXECUTION_ERROR, f"{tool} failed inside the gateway; the failure was logged.")
        )


def _parse_arguments(arguments: Mapping[str, Any] | str | None) -> Mapping[str, Any]:
    """Accept the arguments object, or the same object sent as a JSON string (a common LLM slip)."""
    if arguments is None:
        return {}
    if isinstance(arguments, str):
        try:
            parsed = json.loads(arguments) if arguments.strip() else {}
        except json.JSONDecodeError as exc:
            raise GatewayError(
                ErrorCode.INVALID_ARGUMENTS,
                f"arguments must be a JSON object; the string given is not valid JSON ({exc.msg}).",
                {"argument": "arguments"},
            ) from None
        arguments = parsed
    if not isinstance(arguments, Mapping):
        raise GatewayError(
            ErrorCode.INVALID_ARGUMENTS,
            f"arguments must be a JSON object, not {type(arguments).__name__}.",
            {"argument": "arguments"},
        )
    return arguments


class _CallErrors(Middleware):
    """Calls FastMCP itself refuses get the gateway's error shape instead of its own text.

    Meta-tool arguments of the wrong shape get ``invalid_arguments``, not pydantic's multi-line
    report with its documentation links. A call of a tool this server does not list gets
    ``tool_not_found`` with the way to call it: models that have seen an upstream tool's name often
    call it directly. That answer is the same whether or not such an upstream tool exists (a
    hidden one must stay hidden)."""

    async def on_call_tool(
        self,
        context: MiddlewareContext[mt.CallToolRequestParams],
        call_next: CallNext[mt.CallToolRequestParams, ToolResult],
    ) -> ToolResult:
        try:
            return await call_next(context)
        except ValidationError as error:
            return error_result(_invalid_arguments(context.message.name, error))
        except NotFoundError:
            return error_result(_not_listed(echoed(context.message.name)))


def _invalid_arguments(tool: str, error: ValidationError) -> GatewayError:
    cause = error.__cause__
    problems = (
        [f"{'.'.join(str(part) for part in e['loc']) or 'arguments'}: {e['msg']}" for e in cause.errors()]
        if isinstance(cause, PydanticValidationError)
        else [str(error)]
    )
    return GatewayError(
        ErrorCode.INVALID_ARGUMENTS,
        f"Invalid arguments for {tool}: {'; '.join(problems)}.",
        {"tool": tool, "problems": problems},
    )


def _not_listed(name: str) -> GatewayError:
    if name == "execute_code":
        hint = "execute_code is not available to you on this gateway; use execute_tool."
    else:
        hint = (
            f"Upstream tools are called through the gateway: execute_tool(tool_name='{name}', "
            f"arguments={{...}}); get_tool_schema('{name}') gives its parameters."
        )
    message = f"'{name}' is not one of this server's tools. {hint}"
    return GatewayError(ErrorCode.TOOL_NOT_FOUND, message, {"tool_name": name})


_READ_ONLY = mt.ToolAnnotations(read_only_hint=True, open_world_hint=False)
_OPEN_WORLD = mt.ToolAnnotations(read_only_hint=False, open_world_hint=True)
_REFRESH = mt.ToolAnnotations(read_only_hint=False, idempotent_hint=True, open_world_hint=False)


class _CallerInstructions(Middleware):
    """The handshake names only the domains this caller may see (with per-caller visibility), and
    ``execute_code`` is listed and mentioned only to callers the code-mode authorizer lets use it."""

    def __init__(self, gateway: Gateway) -> None:
        self._gateway = gateway

    async def on_initialize(
        self,
        context: MiddlewareContext[mt.InitializeRequest],
        call_next: CallNext[mt.InitializeRequest, mt.InitializeResult | None],
    ) -> mt.InitializeResult | None:
        result = await call_next(context)
        if result is not None and self._gateway.instructions_per_caller:
            result.instructions = await self._gateway.instructions_for(call_context(None))
        return result

    async def on_discover(
        self,
        context: MiddlewareContext[mt.DiscoverRequest],
        call_next: CallNext[mt.DiscoverRequest, mt.DiscoverResult | dict[str, Any]],
    ) -> mt.DiscoverResult | dict[str, Any]:
        result = await call_next(context)
        if self._gateway.instructions_per_caller:
            text = await self._gateway.instructions_for(call_context(None))
            if isinstance(result, dict):
                result["instructions"] = text
            else:
                result.instructions = text
        return result

    async def on_list_tools(
        self,
        context: MiddlewareContext[mt.ListToolsRequest],
        call_next: CallNext[mt.ListToolsRequest, Sequence[Tool]],
    ) -> Sequence[Tool]:
        tools = await call_next(context)
        if self._gateway.code_per_caller and not await self._gateway.may_run_code(call_context(None)):
            return [tool for tool in tools if tool.name != "execute_code"]
        return tools


def execute_tool_runner(gateway: Gateway) -> Callable[[str, Any, CallContext], Awaitable[ToolResult]]:
    """``execute_tool``'s work for one caller's context, errors rendered: shared by the meta-tool
    and the fast path (``fast_execute``), so both answer alike."""

    async def run(tool_name: str, arguments: Any, ctx: CallContext) -> ToolResult:
        async def work() -> ToolResult:
            return call_result(await gateway.execute(tool_name, _parse_arguments(arguments), ctx))

        return await _guarded("execute_tool", work)

    return run


def build_server(gateway: Gateway, *, name: str, auth: AuthProvider | None = None) -> FastMCP[Any]:
    """A FastMCP server exposing the gateway's four meta-tools (five with code mode); its
    instructions follow the registry."""
    server: FastMCP[Any] = FastMCP(
        name,
        instructions=gateway.instructions(),
        auth=auth,
        middleware=[_CallErrors(), _CallerInstructions(gateway)],
        mask_error_details=True,
        on_duplicate="replace",
    )

    def follow(snapshot: RegistrySnapshot) -> None:
        server.instructions = gateway.instructions()

    gateway.subscribe(follow)
    run_execute_tool = execute_tool_runner(gateway)

    async def discover_tools(
        ctx: Context,
        domain: Annotated[str | None, Field(description="A domain to list or search in.", max_length=256)] = None,
        group: Annotated[str | None, Field(description="A group inside the domain to list.", max_length=256)] = None,
        query: Annotated[
            str | None, Field(description="Words describing what you want to do.", max_length=MAX_QUERY_CHARS)
        ] = None,
        format: Annotated[
            str, Field(description='"schema" for a JSON summary, "signatures" for Python-style signatures.')
        ] = "schema",
        limit: Annotated[
            int | None, Field(description="How many tools to return per page (search default 10, at most 200).")
        ] = None,
        cursor: Annotated[
            str | None, Field(description="The next_cursor of a previous answer, to get its next page.", max_length=64)
        ] = None,
    ) -> ToolResult:
        """Find tools. With no arguments: every domain with its tool count and groups. With
        `domain`: that domain's tools (add `group` to narrow). With `query`: the tools that best
        match it, ranked, across all domains (or inside `domain`). Use `format="signatures"` to get
        Python-style signatures you can call directly. Long answers come in pages: pass an
        answer's `next_cursor` back as `cursor` for the next one."""
        request = DiscoverRequest(domain=domain, group=group, query=query, format=format, limit=limit, cursor=cursor)

        async def work() -> ToolResult:
            return discovery_result(await gateway.discover(request, call_context(ctx)))

        return await _guarded("discover_tools", work)

    async def get_tool_schema(
        ctx: Context,
        tool_name: Annotated[str, Field(description="The tool's name as discover_tools shows it.", max_length=256)],
    ) -> ToolResult:
        """Get a tool's full input JSON Schema (and output schema and annotations) before calling
        it with execute_tool. An unknown name answers with similar names."""

        async def work() -> ToolResult:
            return json_result(await gateway.get_schema(tool_name, call_context(ctx)))

        return await _guarded("get_tool_schema", work)

    async def execute_tool(
        ctx: Context,
        tool_name: Annotated[str, Field(description="The tool to run.", max_length=256)],
        arguments: Annotated[
            dict[str, Any] | str | None, Field(description="The tool's arguments as an object.")
        ] = None,
    ) -> ToolResult:
        """Run a tool with the given arguments and return its result exactly as the tool produced
        it (text, images, structured content). Find tools with discover_tools and check their
        arguments with get_tool_schema first."""

        return await run_execute_tool(tool_name, arguments, call_context(ctx))

    async def refresh_registry(ctx: Context) -> ToolResult:
        """Re-read every upstream server's tool list now and report the tools added and removed in
        each domain. Use it when tools seem to be missing or out of date."""

        async def work() -> ToolResult:
            changes = await gateway.refresh_for(call_context(ctx))
            return json_result({"refreshed": [change.to_payload() for change in changes]})

        return await _guarded("refresh_registry", work)

    async def execute_code(
        ctx: Context,
        code: Annotated[
            str,
            Field(
                description="Python to run; tools are async functions: `await tool_name(arg=value)`.",
                max_length=100_000,
            ),
        ],
    ) -> ToolResult:
        """Run Python in a sandbox where every tool is an async function named like the tool
        (`-` and `.` become `_`; discover_tools(format="signatures") notes any other name, and
        `await call_tool("exact-name", {...})` reaches a tool by its exact name). Chain calls in one
        step, e.g. `rows = await crm_search(query="x")`, and fan out with `await asyncio.gather(...)`;
        always await a call. The value of the last expression is returned with what the code
        printed. A failed tool call raises RuntimeError("[error_code] message") inside the code.
        No file system or network; modules such as json, re, math, datetime and asyncio work."""

        async def work() -> ToolResult:
            run = await gateway.execute_code(code, call_context(ctx))
            payload: dict[str, Any] = {"result": run.value, "tool_calls": len(run.tool_calls)}
            if run.output:
                payload["output"] = run.output
            return json_result(payload)

        return await _guarded("execute_code", work)

    tools = [
        Tool.from_function(discover_tools, annotations=_READ_ONLY, output_schema=None),
        Tool.from_function(get_tool_schema, annotations=_READ_ONLY, output_schema=None),
        Tool.from_function(execute_tool, annotations=_OPEN_WORLD, output_schema=None),
        Tool.from_function(refresh_registry, annotations=_REFRESH, output_schema=None),
    ]
    if gateway.code_mode:
        tools.append(Tool.from_function(execute_code, annotations=_OPEN_WORLD, output_schema=None))
    for tool in tools:
        server.add_tool(tool)
    schemas = {tool.name: tool.parameters for tool in tools}
    # On 2026-07-28 requests the SDK checks each tools/call's Mcp-Param headers against the tool's
    # input schema; without this lookup it finds the schema by running the whole tools/list
    # handler, middleware and all, on every call — a third of the gateway's time per call.
    server._mcp_server.get_tool_input_schema = schemas.get
    return server
