"""The handshake instructions: what an MCP client learns before its first tool call.

Naming the domains up front saves the model a ``discover_tools()`` round trip. Only what the
caller may see is named; a domain still loading or down is marked so the model does not chase it.
"""

from __future__ import annotations

from collections.abc import Iterable

from gateway_domain.registry import DomainStatus, DomainView
from gateway_domain.signatures import short_description

WORKFLOW = (
    "Workflow: discover_tools(query=...) or discover_tools(domain=...) → get_tool_schema(tool_name) → "
    "execute_tool(tool_name, arguments)."
)

_EMPTY = (
    "You have access to a tool discovery gateway. No tool domains are available to you yet; "
    "call discover_tools() to see what is."
)


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def build_instructions(domains: Iterable[DomainView], *, code_mode: bool = False) -> str:
    """Domain-aware instructions in the reference gateway's shape."""
    listed = sorted(domains, key=lambda view: view.name)
    if not listed:
        return f"{_EMPTY}\n\n{WORKFLOW}"
    lines = ["You have access to a tool discovery gateway with tools across these domains:", ""]
    for view in listed:
        line = f"- **{view.name}** ({_plural(view.tool_count, 'tool')})"
        if view.description:
            line += f" — {short_description(view.description, 160)}"
        if view.status is DomainStatus.PENDING:
            line += " [loading]"
        elif view.status is DomainStatus.FAILED:
            line += " [currently unavailable]"
        lines.append(line)
    lines += ["", WORKFLOW]
    if code_mode:
        lines.append(
            "To chain several calls in one step, call execute_code(code) with Python that awaits the tools "
            'as functions; discover_tools(format="signatures") shows their signatures.'
        )
    return "\n".join(lines)
