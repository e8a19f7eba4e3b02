"""In-memory fakes of the domain's ports. Fakes live here and nowhere else."""

from __future__ import annotations

import ast
import asyncio
import inspect
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import anyio

from gateway_domain import CallResult, ToolSpec, UpstreamCall
from gateway_domain.code_mode import CodeFailure, CodeLimits, CodeOutcome


def spec(name: str, description: str = "", /, **properties: Any) -> ToolSpec:
    """A tool spec whose arguments are all required strings unless given a schema."""
    props = {key: value if isinstance(value, dict) else {"type": "string"} for key, value in properties.items()}
    return ToolSpec(
        name=name,
        description=description,
        input_schema={"type": "object", "properties": props, "required": list(props)},
    )


class FakeUpstream:
    """Answers from memory; records every call; can be told to fail or hang."""

    def __init__(
        self,
        tools: Sequence[ToolSpec] = (),
        handler: Callable[[UpstreamCall], CallResult] | None = None,
    ) -> None:
        self.tools = list(tools)
        self.handler = handler
        self.calls: list[UpstreamCall] = []
        self.list_error: BaseException | None = None
        self.call_error: BaseException | None = None
        self.hang = False
        self.list_count = 0

    async def list_tools(self) -> Sequence[ToolSpec]:
        self.list_count += 1
        if self.hang:
            await anyio.sleep_forever()
        if self.list_error is not None:
            raise self.list_error
        return list(self.tools)

    async def call_tool(self, call: UpstreamCall) -> CallResult:
        self.calls.append(call)
        if self.hang:
            await anyio.sleep_forever()
        if self.call_error is not None:
            raise self.call_error
        if self.handler is not None:
            return self.handler(call)
        return CallResult.text(f"{call.tool_name} ok")


class FakeSandbox:
    """Runs one Python expression in-process with the bound functions as its globals.

    Not a sandbox at all — a stand-in for the port so the domain's part of ``execute_code``
    (what is bound, what a call does) can be tested without worker processes.
    """

    def __init__(self) -> None:
        self.bound: list[str] = []

    async def run(self, code: str, functions: Mapping[str, Any], limits: CodeLimits) -> CodeOutcome:
        self.bound = sorted(functions)
        try:
            compiled = compile(code, "<code>", "eval", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
            value = eval(compiled, {"__builtins__": {}, "gather": asyncio.gather, **functions})
            if inspect.iscoroutine(value):
                value = await value
        except Exception as exc:  # the code's own failure, as a real sandbox reports it
            raise CodeFailure("runtime", f"{type(exc).__name__}: {exc}") from None
        return CodeOutcome(value=value)
