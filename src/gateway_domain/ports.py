"""The ports: what the domain needs from the outside, as small Protocols.

Each port is as narrow as httpx's transport interface. Adapters implement them; the domain and
its tests only ever see these shapes, so an in-memory fake is a few lines.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from typing import Protocol, runtime_checkable

from attrs import field, frozen

from gateway_domain.tools import CallResult, JsonObject, ToolSpec

AttributeValue = str | int | float | bool


class ProgressSink(Protocol):
    """Receives progress notifications of a running call (relayed to the caller)."""

    async def __call__(self, progress: float, total: float | None, message: str | None) -> None: ...


@frozen
class UpstreamCall:
    """One tool call as it goes to an upstream.

    ``headers`` are the extra headers for this request only: an adapter must send them with this
    call and never store them where another caller's call could pick them up.
    """

    tool_name: str
    arguments: JsonObject = field(factory=dict, hash=False)
    headers: Mapping[str, str] = field(factory=dict, hash=False)
    meta: JsonObject | None = field(default=None, hash=False)
    progress: ProgressSink | None = field(default=None, eq=False, hash=False)


class Upstream(Protocol):
    """One upstream MCP server, seen from the domain.

    Sessions, reconnects, protocol eras and transports are the adapter's business. Failures are
    raised as :class:`~gateway_domain.errors.GatewayError` with one of the ``upstream_*`` codes so
    the domain can tell an unreachable server from a slow one from a refusal.
    """

    async def list_tools(self) -> Sequence[ToolSpec]: ...

    async def call_tool(self, call: UpstreamCall) -> CallResult: ...


@runtime_checkable
class SelfDescribing(Protocol):
    """An upstream that can say what it is (optional beside ``Upstream``).

    A domain the operator did not describe is described by its server, so that the domain list in
    ``discover_tools()`` and the handshake say what each upstream is for.
    """

    def self_description(self) -> str:
        """What the server said about itself when the session opened ('' if nothing, or not yet)."""
        ...


class Span(Protocol):
    def set_attribute(self, key: str, value: AttributeValue) -> None: ...

    def record_error(self, error: BaseException, code: str) -> None: ...


class Tracer(Protocol):
    """Opens spans around use cases; the domain ships a no-op default."""

    def start_span(
        self, name: str, attributes: Mapping[str, AttributeValue] | None = None
    ) -> AbstractContextManager[Span]: ...


class _NoopSpan:
    def set_attribute(self, key: str, value: AttributeValue) -> None:
        return None

    def record_error(self, error: BaseException, code: str) -> None:
        return None


class _NoopSpanContext(AbstractContextManager[Span]):
    _span = _NoopSpan()

    def __enter__(self) -> Span:
        return self._span

    def __exit__(self, *exc: object) -> None:
        return None


class NoopTracer:
    """The default tracer: costs one attribute lookup per span."""

    _context = _NoopSpanContext()

    def start_span(
        self, name: str, attributes: Mapping[str, AttributeValue] | None = None
    ) -> AbstractContextManager[Span]:
        return self._context
