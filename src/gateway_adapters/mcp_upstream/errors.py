"""Classifying what went wrong on the way to an upstream into the domain's error codes."""

from __future__ import annotations

import logging

import aiohttp
import anyio
import httpx2
from mcp import Client, MCPError
from mcp_types import CONNECTION_CLOSED, REQUEST_TIMEOUT

from gateway_domain import ErrorCode, GatewayError

from .call_scope import CallScope

log = logging.getLogger(__name__)

_MAX_UPSTREAM_MESSAGE = 500

_CONNECTION_ERRORS: tuple[type[BaseException], ...] = (
    httpx2.TransportError,
    aiohttp.ClientConnectionError,
    OSError,
    anyio.BrokenResourceError,
    anyio.ClosedResourceError,
    anyio.EndOfStream,
    EOFError,
)


def _bounded(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _MAX_UPSTREAM_MESSAGE else text[: _MAX_UPSTREAM_MESSAGE - 1] + "…"


def _leaves(exc: BaseException) -> list[BaseException]:
    if isinstance(exc, BaseExceptionGroup):
        return [leaf for inner in exc.exceptions for leaf in _leaves(inner)]
    chain = [exc]
    if exc.__cause__ is not None:
        chain.append(exc.__cause__)
    return chain


def connection_lost(exc: BaseException) -> bool:
    """True when the session itself is broken and must be reopened before the next call."""
    for leaf in _leaves(exc):
        if isinstance(leaf, MCPError) and leaf.code == CONNECTION_CLOSED:
            return True
        if isinstance(leaf, _CONNECTION_ERRORS):
            return True
    return False


def stale_session(exc: BaseException, scope: CallScope) -> bool:
    """The server answered 404 to a request on an existing session: it restarted and forgot it.

    Such a request was refused before it ran, so sending it again on a new session is safe.
    """
    return scope.error_status == 404 and any(isinstance(leaf, MCPError) for leaf in _leaves(exc))


def transport_closed(client: Client) -> bool:
    """Whether the session's transport has already ended (the server's stream or process is gone).

    The SDK exposes no public flag for it; this reads the dispatcher's, and says "open" whenever
    that is not available, which only costs the caller one failed call.
    """
    dispatcher = getattr(client.session, "_dispatcher", None)
    return getattr(dispatcher, "_closed", False) is True


def classify(domain: str, exc: BaseException, scope: CallScope | None = None) -> GatewayError:
    """The domain error for ``exc``: unauthorized, timeout, unavailable, or the upstream's own error.

    Messages name the domain, never the URL or anything the transport printed about it.
    """
    details = {"domain": domain}
    status = scope.error_status if scope else None
    if status in (401, 403):
        return GatewayError(
            ErrorCode.UPSTREAM_UNAUTHORIZED,
            f"Upstream server '{domain}' refused the request: not authorized (HTTP {status}).",
            {**details, "upstream_status": status},
        )
    leaves = _leaves(exc)
    for leaf in leaves:
        if isinstance(leaf, MCPError) and leaf.code == REQUEST_TIMEOUT:
            return GatewayError(
                ErrorCode.UPSTREAM_TIMEOUT, f"Upstream server '{domain}' did not answer in time.", details
            )
    if connection_lost(exc):
        return GatewayError(
            ErrorCode.UPSTREAM_UNAVAILABLE,
            f"Upstream server '{domain}' is unreachable or closed the connection. "
            "Other domains may still be available.",
            details,
        )
    for leaf in leaves:
        if isinstance(leaf, MCPError):
            return GatewayError(
                ErrorCode.UPSTREAM_ERROR,
                f"Upstream server '{domain}' answered with an error: {_bounded(leaf.message)}",
                {**details, "upstream_error_code": leaf.code},
            )
    if status is not None:
        return GatewayError(
            ErrorCode.UPSTREAM_ERROR,
            f"Upstream server '{domain}' answered HTTP {status}.",
            {**details, "upstream_status": status},
        )
    log.warning("upstream %s: unexpected failure", domain, exc_info=exc)
    return GatewayError(
        ErrorCode.UPSTREAM_ERROR, f"Upstream server '{domain}' failed while handling the request.", details
    )
