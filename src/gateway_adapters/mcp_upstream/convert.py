"""Translation between MCP SDK types and the domain's wire-neutral value objects."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import mcp_types as mt

from gateway_domain import CallResult, ToolSpec

_PROTOCOL_META_PREFIX = "io.modelcontextprotocol/"


def tool_spec(tool: mt.Tool) -> ToolSpec:
    annotations = tool.annotations.model_dump(by_alias=True, exclude_none=True) if tool.annotations else None
    return ToolSpec(
        name=tool.name,
        description=tool.description or "",
        input_schema=dict(tool.input_schema) if tool.input_schema else {"type": "object", "properties": {}},
        output_schema=dict(tool.output_schema) if tool.output_schema is not None else None,
        title=tool.title,
        annotations=annotations or None,
    )


def without_protocol_keys(meta: dict[str, Any] | None) -> dict[str, Any] | None:
    """Drop the SDK's own ``io.modelcontextprotocol/*`` bookkeeping; keep what the server meant to say."""
    if not meta:
        return None
    kept = {key: value for key, value in meta.items() if not key.startswith(_PROTOCOL_META_PREFIX)}
    return kept or None


def call_result(result: mt.CallToolResult) -> CallResult:
    return CallResult(
        content=tuple(block.model_dump(by_alias=True, exclude_none=True, mode="json") for block in result.content),
        structured_content=result.structured_content,
        is_error=bool(result.is_error),
        meta=without_protocol_keys(result.meta),
    )


def wire_call_result(result: Mapping[str, Any]) -> CallResult:
    """A ``CallToolResult`` as it came off the wire, without a round trip through the SDK's models.

    The blocks are already in wire form, which is what the domain keeps; the server side validates
    each block against the MCP schema when it renders the answer.
    """
    content = result.get("content")
    if not isinstance(content, list) or not all(isinstance(block, Mapping) and "type" in block for block in content):
        raise ValueError("a tool result's content must be a list of content blocks")
    meta = result.get("_meta")
    return CallResult(
        content=tuple(content),
        structured_content=result.get("structuredContent"),
        is_error=result.get("isError") is True,
        meta=without_protocol_keys(meta) if isinstance(meta, dict) else None,
    )
