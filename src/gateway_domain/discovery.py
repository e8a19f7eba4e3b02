"""What ``discover_tools`` and ``get_tool_schema`` answer, as plain JSON-ready data.

The shapes are the reference gateway's (``domains``/``total_tools``, ``domain``/``tools``,
``query``/``results``, ``parameters``) so existing callers keep parsing them; new fields are only
ever added: ``total`` (how many items there are in all) and ``next_cursor`` (present when the
answer was cut to its size budget; pass it back as ``cursor`` for the next page).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import Any

from attrs import frozen

from gateway_domain.errors import ErrorCode, GatewayError
from gateway_domain.paging import DEFAULT_RESPONSE_BYTES, ENVELOPE_BYTES, Page, decode_cursor, json_size, take_page
from gateway_domain.registry import DomainView, RegistrySnapshot
from gateway_domain.search import SearchHit
from gateway_domain.signatures import short_description, signature, signature_block
from gateway_domain.text import echoed
from gateway_domain.tools import Tool

DEFAULT_SEARCH_LIMIT = 10
MAX_LIMIT = 200
MAX_GROUPS_SHOWN = 25
"""Groups listed per domain in the summary; a domain with more also says how many it has."""
MAX_QUERY_CHARS = 2_000
"""The longest query searched (LiveMCPBench's longest task in words is 631 characters). Analysing
a query costs about 2.5 ms a thousand characters, on the event loop: unbounded, one 4 MB query
would hold every caller up for ten seconds. The MCP tool's schema says the same."""
QUERY_ECHO_CHARS = 300
"""How much of the query a result page repeats."""


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
    cursor: str | None = None
    """Where to continue: the ``next_cursor`` of the previous answer to the same request."""

    def parsed_offset(self) -> int:
        return decode_cursor(self.cursor)

    def parsed_query(self) -> str:
        """The query without surrounding space (empty: browse instead of search), refused when
        longer than ``MAX_QUERY_CHARS``."""
        query = (self.query or "").strip()
        if len(query) > MAX_QUERY_CHARS:
            raise GatewayError(
                ErrorCode.INVALID_ARGUMENTS,
                f"query is {len(query):,} characters long and search reads at most {MAX_QUERY_CHARS:,}: "
                "describe the tool you need in a sentence or two.",
                {"argument": "query", "max_length": MAX_QUERY_CHARS},
            )
        return query

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


def _domain_entry(view: DomainView) -> dict[str, Any]:
    groups = list(view.groups)
    entry: dict[str, Any] = {
        "name": view.name,
        "description": view.description,
        "tool_count": view.tool_count,
        "groups": groups[:MAX_GROUPS_SHOWN],
        "status": view.status.value,
    }
    if len(groups) > MAX_GROUPS_SHOWN:
        entry["group_count"] = len(groups)
    return entry


def _paged(payload: dict[str, Any], page: Page) -> dict[str, Any]:
    if page.next_cursor is not None:
        payload["next_cursor"] = page.next_cursor
    return payload


def domain_summary(snapshot: RegistrySnapshot, offset: int = 0, budget: int = DEFAULT_RESPONSE_BYTES) -> dict[str, Any]:
    entries = [_domain_entry(view) for view in sorted(snapshot.domains.values(), key=lambda v: v.name)]
    page = take_page(entries, offset, len(entries), budget - ENVELOPE_BYTES)
    return _paged({"domains": list(page.items), "total_tools": snapshot.tool_count}, page)


def _signatures(blocks: Sequence[str], page: Page, total: int, offset: int) -> str:
    text = "\n\n".join(blocks)
    if page.next_cursor is None:
        return text
    shown = f"{offset + 1}-{offset + len(blocks)} of {total}"
    return f"{text}\n\n# Showing {shown}. More: call again with cursor={page.next_cursor!r}."


def _text_size(block: str) -> int:
    return len(block.encode())


def tool_listing(
    domain: str,
    group: str | None,
    tools: Sequence[Tool],
    fmt: DiscoverFormat,
    offset: int = 0,
    limit: int = MAX_LIMIT,
    budget: int = DEFAULT_RESPONSE_BYTES,
    code_names: Mapping[str, str] | None = None,
) -> Discovery:
    if fmt is DiscoverFormat.SIGNATURES:
        names = code_names or {}
        blocks = [signature_block(tool, names.get(tool.name)) for tool in tools]
        page = take_page(blocks, offset, limit, budget - ENVELOPE_BYTES, _text_size)
        text = _signatures(page.items, page, len(tools), offset)
        return Discovery(text=text or f"No tools in domain '{domain}'.")
    payload: dict[str, Any] = {"domain": domain}
    if group is not None:
        payload["group"] = group
        entries = [{"name": t.name, "description": short_description(t.description)} for t in tools]
    else:
        entries = [{"name": t.name, "group": t.group, "description": short_description(t.description)} for t in tools]
    page = take_page(entries, offset, limit, budget - ENVELOPE_BYTES)
    payload["tools"] = list(page.items)
    payload["total"] = len(tools)
    return Discovery(payload=_paged(payload, page))


def search_results(
    query: str,
    hits: Sequence[SearchHit],
    total: int,
    fmt: DiscoverFormat,
    offset: int = 0,
    budget: int = DEFAULT_RESPONSE_BYTES,
    code_names: Mapping[str, str] | None = None,
) -> Discovery:
    """One page of search results; ``hits`` are the requested page, cut further to ``budget``."""
    more = offset + len(hits) < total
    if fmt is DiscoverFormat.SIGNATURES:
        names = code_names or {}
        blocks = [signature_block(hit.tool, names.get(hit.tool.name)) for hit in hits]
        page = take_page(blocks, 0, len(blocks), budget - ENVELOPE_BYTES, _text_size)
        page = _continued(page, offset, len(blocks), more)
        return Discovery(text=_signatures(page.items, page, total, offset) or f"No tools match '{echoed(query)}'.")
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
    shown = echoed(query, QUERY_ECHO_CHARS)
    room = budget - ENVELOPE_BYTES - json_size(shown)
    page = _continued(take_page(results, 0, len(results), room), offset, len(results), more)
    return Discovery(payload=_paged({"query": shown, "results": list(page.items), "total": total}, page))


def _continued(page: Page, offset: int, fetched: int, more: bool) -> Page:
    """A page cut from ``fetched`` items that start at ``offset``, with its next offset made absolute."""
    if page.next_offset is not None:
        return Page(page.items, offset + page.next_offset)
    return Page(page.items, offset + fetched if more else None)


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
    shown = echoed(domain)
    message = (
        f"Unknown domain '{shown}'. Available domains: {', '.join(available)}"
        if available
        else f"Unknown domain '{shown}'. No domains are registered."
    )
    return GatewayError(ErrorCode.DOMAIN_NOT_FOUND, message, {"domain": shown, "available_domains": available})


def group_not_found(domain: str, group: str, snapshot: RegistrySnapshot) -> GatewayError:
    available = list(snapshot.domains[domain].groups)
    return GatewayError(
        ErrorCode.GROUP_NOT_FOUND,
        f"Unknown group '{echoed(group)}' in domain '{domain}'. Available groups: {', '.join(available)}",
        {"domain": domain, "group": echoed(group), "available_groups": available},
    )
