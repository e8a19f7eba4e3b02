"""Turning the tool name a caller typed into one tool, or an error that helps them retry."""

from __future__ import annotations

from gateway_domain.errors import ErrorCode, GatewayError
from gateway_domain.registry import DomainStatus, RegistrySnapshot
from gateway_domain.suggestions import MAX_NAME, suggest
from gateway_domain.text import echoed, normalized_name
from gateway_domain.tools import Tool


def _ambiguous(name: str, candidates: tuple[str, ...]) -> GatewayError:
    listed = ", ".join(repr(c) for c in candidates)
    return GatewayError(
        ErrorCode.AMBIGUOUS_TOOL,
        f"Tool name '{name}' is ambiguous: it matches {listed}. Call one of them by its full name.",
        {"tool_name": name, "candidates": list(candidates)},
    )


def not_found(name: str, snapshot: RegistrySnapshot) -> GatewayError:
    suggestions = suggest(name, snapshot.tools.keys())
    hint = (
        f"Did you mean {', '.join(repr(s) for s in suggestions)}?"
        if suggestions
        else "Use discover_tools to browse available tools."
    )
    details: dict[str, object] = {"tool_name": name, "suggestions": suggestions}
    unavailable = sorted(d for d, view in snapshot.domains.items() if view.status is not DomainStatus.READY)
    if unavailable:
        # The tool may belong to a domain that has not been listed (yet): say so rather than imply it does not exist.
        hint += f" Not listed right now: {', '.join(unavailable)}; their tools may be missing until they answer."
        details["unavailable_domains"] = unavailable
    details["tool_name"] = echoed(name)
    return GatewayError(ErrorCode.TOOL_NOT_FOUND, f"Unknown tool '{echoed(name)}'. {hint}", details)


def resolve_tool(snapshot: RegistrySnapshot, name: str) -> Tool:
    """The tool ``name`` means: its exposed name, else its original name, else the one tool whose
    name matches once case and ``-``/``_``/``.``/camelCase differences are ignored.

    Raises ``ambiguous_tool`` with the candidates when several tools fit, ``tool_not_found`` with
    suggestions when none does.
    """
    if len(name) > MAX_NAME:
        raise not_found(name, snapshot)
    tool = snapshot.tools.get(name)
    if tool is not None:
        return tool
    renamed = snapshot.renamed_from.get(name)
    if renamed:
        if len(renamed) == 1:
            return snapshot.tools[renamed[0]]
        raise _ambiguous(name, renamed)
    loose = snapshot.by_normalized.get(normalized_name(name), ())
    if len(loose) == 1:
        return snapshot.tools[loose[0]]
    if len(loose) > 1:
        raise _ambiguous(name, loose)
    raise not_found(name, snapshot)
