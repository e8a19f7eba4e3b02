"""Building the domain's ``CallContext`` from one inbound MCP request."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastmcp import Context
from fastmcp.server.dependencies import get_access_token, get_http_headers

from gateway_domain import CallContext, Identity

_DROPPED_META_PREFIXES = ("io.modelcontextprotocol/",)
_DROPPED_META_KEYS = {"progressToken", "progress_token"}


def forwardable_meta(meta: Any) -> dict[str, Any] | None:
    """The caller's ``_meta`` minus protocol bookkeeping, which belongs to this hop only."""
    if meta is None:
        return None
    raw: Mapping[str, Any] = meta if isinstance(meta, Mapping) else getattr(meta, "model_dump", dict)()
    kept = {
        key: value
        for key, value in raw.items()
        if key not in _DROPPED_META_KEYS and not key.startswith(_DROPPED_META_PREFIXES)
    }
    return kept or None


class _ProgressRelay:
    """Relays an upstream's progress notifications to the caller of the meta-tool."""

    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx

    async def __call__(self, progress: float, total: float | None, message: str | None) -> None:
        await self._ctx.report_progress(progress, total, message)


def verified_identity() -> Identity | None:
    """The identity of the bearer token the server's verifier accepted for this request, if any."""
    token = get_access_token()
    return Identity.from_claims(token.claims) if token is not None else None


def call_context(ctx: Context | None) -> CallContext:
    headers = get_http_headers(include_all=True)
    if ctx is None:
        return CallContext(headers=headers, identity=verified_identity())
    request = ctx.request_context
    raw_meta = request.meta if request is not None else None
    wants_progress = isinstance(raw_meta, Mapping) and raw_meta.get("progressToken") is not None
    # Progress is asked for upstream only when the caller asked for it: otherwise the upstream
    # may answer with an event stream where plain JSON would do.
    return CallContext(
        headers=headers,
        request_meta=forwardable_meta(raw_meta),
        progress=_ProgressRelay(ctx) if wants_progress else None,
        identity=verified_identity(),
    )
