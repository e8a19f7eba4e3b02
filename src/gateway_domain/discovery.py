"""What ``discover_tools`` and ``get_tool_schema`` answer, as plain JSON-ready data.

The shapes are the reference gateway's (``domains``/``total_tools``, ``domain``/``tools``,
``query``/``results``, ``parameters``) so existing callers keep parsing them; new fields are only
ever added.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import Any

from attrs import frozen

from gateway_domain.errors import ErrorCode, GatewayError
from gateway_domain.registry import RegistrySnapshot
from gateway_domain.search import SearchHit
from gateway_domain.signatures import short_description, signature, signature_block
from gateway_domain.tools import Tool

DEFAULT_SEARCH_LIMIT = 10
MAX_LIMIT = 200


class DiscoverFormat(StrEnum):
    SCHEMA = "schema"
    SIGNATURES = "signatures"


@frozen
class DiscoverRequest:
    domain: str | None = None
    group: str | None = None
    query: str | None = None
    format: str = DiscoverFormat.SCHEMA.value
    limit: int | None = None

    def parsed_format(self) -> DiscoverFormat:
        try:
            return DiscoverFormat(self.format)
        except ValueError:
            allowed = ", ".join(repr(f.value) for f in DiscoverFormat)
            raise GatewayError(
                ErrorCode.INVALID_ARGUMENTS,
                f"format must be one of {allowed} (got {self.format!r}).",
                {"argument": "format", "allowed": [f.value for f in DiscoverFormat]},
            ) from None

    def parsed_limit(self, default: int) -> int:
        if self.limit is None:
            return default
        if not 1 <= self.limit <= MAX_LIMIT:
            raise GatewayError(
                ErrorCode.INVALID_ARGUMENTS,
                f"limit must be between 1 and {MAX_LIMIT} (got {self.limit}).",
                {"argument": "limit"},
            )
        return self.limit


@frozen
class Discovery:
    """One answer: a JSON payload, or a text block (signatures) for the model to read."""

    payload: dict[str, Any] | None = None
    text: str | None = None


def domain_summary(snapshot: RegistrySnapshot) -> dict[str, Any]:
    domains = []
    for view in sorted(snapshot.domains.values(), key=lambda v: v.name):
        entry: dict[str, Any] = {
            "name": view.name,
            "description": view.description,
            "tool_count": view.tool_count,
            "groups": list(view.groups),
            "status": view.status.value,
        }
        domains.append(entry)
    return {"domains": domains, "total_tools": snapshot.tool_count}


def _signatures(tools: Sequence[Tool]) -> str:
    return "\n\n".join(signature_block(tool) for tool in tools)


def tool_listing(domain: str, group: str | None, tools: Sequence[Tool], fmt: DiscoverFormat) -> Discovery:
    if fmt is DiscoverFormat.SIGNATURES:
        return Discovery(text=_signatures(tools) or f"No tools in domain '{domain}'.")
    payload: dict[str, Any] = {"domain": domain}
    if group is not None:
        payload["group"] = group
        payload["tools"] = [{"name": t.name, "description": short_description(t.description)} for t in tools]
    else:
        payload["tools"] = [
            {"name": t.name, "group": t.group, "description": short_description(t.description)} for t in tools
        ]
    return Discovery(payload=payload)


def search_results(query: str, hits: Sequence[SearchHit], fmt: DiscoverFormat) -> Discovery:
    if fmt is DiscoverFormat.SIGNATURES:
        return Discovery(text=_signatures([hit.tool for hit in hits]) or f"No tools match '{query}'.")
    results = [
        {
            "name": hit.tool.name,
            "domain": hit.tool.domain,
            "group": hit.tool.group,
            "description": short_description(hit.tool.description),
            "score": round(hit.score, 4),
        }
        for hit in hits
    ]
    return Discovery(payload={"query": query, "results": results})


def tool_schema(tool: Tool) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "name": tool.name,
        "domain": tool.domain,
        "group": tool.group,
        "description": tool.description,
        "parameters": tool.spec.input_schema,
        "signature": signature(tool),
    }
    if tool.renamed:
        payload["original_name"] = tool.original_name
    if tool.spec.title:
        payload["title"] = tool.spec.title
    if tool.spec.output_schema is not None:
        payload["output_schema"] = tool.spec.output_schema
    if tool.spec.annotations:
        payload["annotations"] = tool.spec.annotations
    return payload


def domain_not_found(domain: str, snapshot: RegistrySnapshot) -> GatewayError:
    available = sorted(snapshot.domains)
    message = (
        f"Unknown domain '{domain}'. Available domains: {', '.join(available)}"
        if available
        else f"Unknown domain '{domain}'. No domains are registered."
    )
    return GatewayError(ErrorCode.DOMAIN_NOT_FOUND, message, {"domain": domain, "available_domains": available})


def group_not_found(domain: str, group: str, snapshot: RegistrySnapshot) -> GatewayError:
    available = list(snapshot.domains[domain].groups)
    return GatewayError(
        ErrorCode.GROUP_NOT_FOUND,
        f"Unknown group '{group}' in domain '{domain}'. Available groups: {', '.join(available)}",
        {"domain": domain, "group": group, "available_groups": available},
    )
