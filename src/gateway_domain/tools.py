"""Value objects for tools and tool results, in wire-neutral form.

JSON Schemas, annotations and content blocks stay plain JSON mappings: the domain never needs
to understand every MCP field, and keeping them as data is what lets the gateway relay an
upstream's answer byte for byte (images stay images, structured content stays an object).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from attrs import field, frozen

JsonObject = Mapping[str, Any]
"""A JSON object as parsed from the wire (a dict in practice)."""


def _default_input_schema() -> JsonObject:
    return {"type": "object", "properties": {}}


@frozen
class ToolSpec:
    """A tool as its upstream lists it. ``name`` is the upstream's own (original) name."""

    name: str
    description: str = ""
    input_schema: JsonObject = field(factory=_default_input_schema, hash=False)
    output_schema: JsonObject | None = field(default=None, hash=False)
    title: str | None = None
    annotations: JsonObject | None = field(default=None, hash=False)


@frozen
class Tool:
    """A tool as the gateway exposes it.

    ``name`` is the exposed name (renamed when it collides across domains); calls are dispatched
    to the upstream by ``spec.name``, the name the upstream knows.
    """

    name: str
    domain: str
    group: str
    spec: ToolSpec

    @property
    def original_name(self) -> str:
        return self.spec.name

    @property
    def description(self) -> str:
        return self.spec.description

    @property
    def renamed(self) -> bool:
        return self.name != self.spec.name


def _blocks(blocks: Sequence[JsonObject]) -> tuple[JsonObject, ...]:
    return tuple(blocks)


@frozen
class CallResult:
    """The answer of one tool call, relayed unchanged.

    ``content`` holds MCP content blocks in their wire form (``{"type": "image", ...}``);
    ``meta`` holds the upstream result's ``_meta`` minus protocol bookkeeping.
    """

    content: tuple[JsonObject, ...] = field(default=(), converter=_blocks, hash=False)
    structured_content: JsonObject | None = field(default=None, hash=False)
    is_error: bool = False
    meta: JsonObject | None = field(default=None, hash=False)

    @classmethod
    def text(cls, text: str, *, is_error: bool = False) -> CallResult:
        return cls(content=({"type": "text", "text": text},), is_error=is_error)

    def texts(self) -> Sequence[str]:
        """The text blocks, for logs and tests; other block types are skipped."""
        return [str(block.get("text", "")) for block in self.content if block.get("type") == "text"]
