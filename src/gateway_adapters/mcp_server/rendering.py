"""Domain answers rendered as MCP tool results, on both the text and the structured channel."""

from __future__ import annotations

import json
import logging
from typing import Any

import mcp_types as mt
from fastmcp.tools import ToolResult
from pydantic import TypeAdapter, ValidationError

from gateway_domain import CallResult, Discovery, GatewayError, JsonObject

log = logging.getLogger(__name__)

_CONTENT_BLOCK: TypeAdapter[mt.ContentBlock] = TypeAdapter(mt.ContentBlock)
_BLOCK_TYPES: dict[str, type[Any]] = {
    "text": mt.TextContent,
    "image": mt.ImageContent,
    "audio": mt.AudioContent,
    "resource": mt.EmbeddedResource,
    "resource_link": mt.ResourceLink,
}


def json_result(payload: dict[str, Any], *, is_error: bool = False) -> ToolResult:
    """JSON text for readers of ``content[0].text`` and the same object as structured content."""
    text = json.dumps(payload, ensure_ascii=False)
    return ToolResult(content=[mt.TextContent(type="text", text=text)], structured_content=payload, is_error=is_error)


def error_result(error: GatewayError) -> ToolResult:
    return json_result(error.to_payload(), is_error=True)


def discovery_result(discovery: Discovery) -> ToolResult:
    if discovery.text is not None:
        return ToolResult(content=[mt.TextContent(type="text", text=discovery.text)])
    return json_result(discovery.payload or {})


def _block(block: JsonObject) -> mt.ContentBlock:
    try:
        model = _BLOCK_TYPES.get(str(block.get("type")))
        if model is not None:  # one model's validation, not a trial of every member of the union
            validated: mt.ContentBlock = model.model_validate(block)
            return validated
        return _CONTENT_BLOCK.validate_python(dict(block))
    except ValidationError:
        # An upstream sent a block outside the MCP schema: keep its data visible as text, not lost.
        log.warning("relaying an invalid content block of type %r as text", block.get("type"))
        return mt.TextContent(type="text", text=json.dumps(dict(block), ensure_ascii=False, default=str))


def call_result(result: CallResult) -> ToolResult:
    """The upstream's answer as it sent it: every block type, structured content, the error flag."""
    return ToolResult(
        content=[_block(block) for block in result.content],
        structured_content=dict(result.structured_content) if result.structured_content is not None else None,
        meta=dict(result.meta) if result.meta else None,
        is_error=result.is_error,
    )
