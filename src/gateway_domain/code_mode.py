"""``execute_code``: the caller's Python runs in a sandbox with every tool it may see bound as a function.

The domain decides what the code can reach and what a tool call inside it means: the functions
are built from the caller's own view of the registry (a hidden tool is not bound, so naming it is
a ``NameError`` exactly like a tool that does not exist), and each one goes through ``execute``
with the caller's context, so hooks, policy, argument checks and timeouts apply unchanged. The
sandbox itself is a port; the Monty adapter is one implementation.
"""

from __future__ import annotations

import builtins
import json
import keyword
import re
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any, Protocol

from attrs import field, frozen

from gateway_domain.tools import CallResult, Tool

ToolFunction = Callable[..., Awaitable[Any]]
CodeAuthorizer = Callable[[Any, Any], Awaitable[bool]]


@frozen
class CodeLimits:
    """What one ``execute_code`` run may use. ``max_duration_secs`` is wall-clock, tool calls included."""

    max_duration_secs: float = 30.0
    max_memory: int = 256 * 1024 * 1024
    max_recursion_depth: int = 200
    max_nested_calls: int = 50


@frozen
class CodeOutcome:
    """What the sandbox gives back: the value of the code's last expression and what it printed."""

    value: Any = field(default=None, hash=False)
    output: str = ""


class CodeFailure(Exception):
    """The code could not run to its end: a syntax error, an uncaught exception, a limit hit.

    ``message`` is for the caller who wrote the code (a traceback of *their* code is fine; nothing
    of the gateway's own is in it).
    """

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


class CodeSandbox(Protocol):
    """Runs untrusted Python with host functions in scope.

    ``functions`` maps each name the code may call to an async function taking keyword arguments.
    Raises :class:`CodeFailure` when the code fails; never lets the code touch the host otherwise.
    """

    async def run(self, code: str, functions: Mapping[str, ToolFunction], limits: CodeLimits) -> CodeOutcome: ...


_NOT_IDENTIFIER = re.compile(r"\W")
GENERIC_CALL = "call_tool"
"""Bound beside the tools: ``await call_tool("name-with-dashes", {...})`` reaches any visible tool by
its exposed name, for names that had to be changed to become identifiers."""
_RESERVED = frozenset(dir(builtins)) | {
    GENERIC_CALL,
    # modules the sandbox offers: `import json` would hide a tool called json
    *[
        "asyncio",
        "base64",
        "collections",
        "copy",
        "dataclasses",
        "datetime",
        "functools",
        "hashlib",
        "itertools",
        "json",
        "math",
        "os",
        "pathlib",
        "random",
        "re",
        "sys",
        "time",
        "typing",
    ],
}
"""Names a tool cannot be bound to: a builtin or an imported module would hide it (``list``,
``open``, ``json``)."""
_LOGGED_NAME = re.compile(r"[^A-Za-z0-9_.\-]")


def python_name(tool_name: str) -> str:
    """The identifier a tool is bound to: ``-`` and ``.`` become ``_``; a leading digit gets an
    underscore before it, and a keyword or a builtin's name one after it (``class_``, ``list_``)."""
    name = _NOT_IDENTIFIER.sub("_", tool_name)
    if not name or name[0].isdigit():
        name = f"_{name}"
    if keyword.iskeyword(name) or name in _RESERVED:
        name = f"{name}_"
    return name


def loggable_name(name: str) -> str:
    """A name the code asked for, safe to put in a log line: at most 64 characters of a tool
    name's alphabet (the code chooses it, so it may hold newlines or a forged log record)."""
    return _LOGGED_NAME.sub("?", name[:64])


def arguments_problem(arguments: Mapping[str, Any]) -> str | None:
    """Why ``arguments`` cannot be sent as JSON, or ``None``: the code can build values (a
    5,000-digit integer, ``nan``, a set) that no upstream could be sent."""
    try:
        json.dumps(arguments, allow_nan=False)
    except (TypeError, ValueError) as exc:
        return f"arguments must be JSON values: {str(exc)[:200]}"
    return None


def bound_names(tools: Iterable[Tool]) -> dict[str, str]:
    """Identifier → exposed tool name for every tool, decided in name order so that the same
    catalogue always binds the same identifiers (``a-b`` and ``a_b`` become ``a_b`` and ``a_b_2``)."""
    names = sorted(tool.name for tool in tools)
    bound: dict[str, str] = {}
    taken = set(names) | {GENERIC_CALL}
    for tool_name in names:
        identifier = python_name(tool_name)
        if identifier in bound or (identifier != tool_name and identifier in taken):
            suffix = 2
            while f"{identifier}_{suffix}" in bound or f"{identifier}_{suffix}" in taken:
                suffix += 1
            identifier = f"{identifier}_{suffix}"
        bound[identifier] = tool_name
    return bound


def tool_value(result: CallResult, output_schema: Mapping[str, Any] | None = None) -> Any:
    """A tool's answer as a Python value for the code: its structured content when it has one,
    else its text (parsed when it is JSON), else its content blocks as they are (images stay
    ``{"type": "image", "data": ..., "mimeType": ...}``).

    A server that could only return an object wraps a plain value as ``{"result": value}`` and says
    so in its output schema (``x-fastmcp-wrap-result``); the code gets the value itself.
    """
    structured = result.structured_content
    if structured is not None:
        if output_schema and output_schema.get("x-fastmcp-wrap-result") and set(structured) == {"result"}:
            return structured["result"]
        return dict(structured)
    values = []
    for block in result.content:
        if block.get("type") == "text":
            text = str(block.get("text", ""))
            try:
                values.append(json.loads(text))
            except ValueError:
                values.append(text)
        else:
            values.append(dict(block))
    if not values:
        return None
    return values[0] if len(values) == 1 else values


@frozen
class CodeMode:
    """``execute_code`` switched on: the sandbox to run code in and the limits of every run.

    ``audit_verbatim`` logs the code itself at DEBUG; off by default because code an LLM writes
    often carries what the user typed.
    """

    sandbox: CodeSandbox = field(eq=False)
    limits: CodeLimits = field(factory=CodeLimits)
    audit_verbatim: bool = False
    authorizer: CodeAuthorizer | None = field(default=None, eq=False)
    """Asked ``(user, ctx)`` before every run (``user`` as ``on_authenticate`` returned it);
    ``False`` refuses the run with ``forbidden``."""


@frozen
class CodeRun:
    """One finished ``execute_code`` run: its value, what it printed, the tools it called in order."""

    value: Any = field(default=None, hash=False)
    output: str = ""
    tool_calls: tuple[str, ...] = ()


def keyword_arguments(function: str, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> dict[str, Any]:
    """A bound tool takes keyword arguments (as its signature shows), or one dict of them."""
    if not args:
        return dict(kwargs)
    if len(args) == 1 and isinstance(args[0], Mapping) and not kwargs:
        return dict(args[0])
    raise TypeError(f"{function}() takes keyword arguments, e.g. {function}(name=value); see its signature.")
