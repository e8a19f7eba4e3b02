"""Per-call state carried to the HTTP layer through a context variable.

One upstream session is shared by every caller, so headers cannot live on the shared HTTP client.
The MCP SDK copies the caller's context into the task that sends each request, so a context
variable set around one call reaches exactly that call's HTTP request, and nothing else.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

import httpx2
from attrs import define, field


@define
class CallScope:
    """What one call sends (extra headers) and what its HTTP exchange answered (error status)."""

    headers: Mapping[str, str] = field(factory=dict)
    error_status: int | None = None
    challenge: str | None = None


_current: contextvars.ContextVar[CallScope | None] = contextvars.ContextVar("gateway_upstream_call", default=None)


@contextmanager
def call_scope(headers: Mapping[str, str] | None = None) -> Iterator[CallScope]:
    scope = CallScope(headers=dict(headers or {}))
    token = _current.set(scope)
    try:
        yield scope
    finally:
        _current.reset(token)


async def inject_headers(request: httpx2.Request) -> None:
    """httpx2 request hook: add this call's headers (they win over the client's static headers)."""
    scope = _current.get()
    if scope is not None and scope.headers:
        request.headers.update(scope.headers)


async def record_status(response: httpx2.Response) -> None:
    """httpx2 response hook: remember an error status, which the SDK otherwise folds into -32603."""
    scope = _current.get()
    if scope is not None and response.status_code >= 400 and scope.error_status is None:
        scope.error_status = response.status_code
        scope.challenge = response.headers.get("www-authenticate")


def note_status(status: int, challenge: str | None = None) -> None:
    """Record an error status for the current call (for requests sent without httpx2's hooks)."""
    scope = _current.get()
    if scope is not None and scope.error_status is None:
        scope.error_status = status
        scope.challenge = challenge
