"""The ``Tracer`` port on OpenTelemetry: spans go to whatever ``TracerProvider`` the host installed."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager

from opentelemetry import trace
from opentelemetry.trace import Status, StatusCode

from gateway_domain import NoopTracer, Span
from gateway_domain.ports import AttributeValue

_NOOP = NoopTracer()
MAX_ATTRIBUTE_CHARS = 256
"""Attributes such as ``gateway.tool_name`` repeat what a caller sent, and a host's provider
usually sets no length limit: a megabyte name would be exported whole."""


def _bounded(value: AttributeValue) -> AttributeValue:
    if isinstance(value, str) and len(value) > MAX_ATTRIBUTE_CHARS:
        return f"{value[:MAX_ATTRIBUTE_CHARS]}…"
    return value


class _OtelSpan:
    def __init__(self, span: trace.Span) -> None:
        self._span = span

    def set_attribute(self, key: str, value: AttributeValue) -> None:
        self._span.set_attribute(key, _bounded(value))

    def record_error(self, error: BaseException, code: str) -> None:
        self._span.set_attribute("gateway.error_code", code)
        self._span.set_status(Status(StatusCode.ERROR, code))


class OtelTracer:
    """Spans named ``gateway.*`` with ``gateway.*`` attributes, as the reference gateway emits.

    Until an SDK ``TracerProvider`` is installed (by the host, at any time), spans cost nothing:
    the hot path of every call would otherwise pay for spans nobody records.
    """

    def __init__(self, tracer_provider: trace.TracerProvider | None = None) -> None:
        self._provider = tracer_provider
        self._tracer = trace.get_tracer("mcp_discovery_gateway", tracer_provider=tracer_provider)

    def start_span(
        self, name: str, attributes: Mapping[str, AttributeValue] | None = None
    ) -> AbstractContextManager[Span]:
        if self._provider is None and isinstance(trace.get_tracer_provider(), trace.ProxyTracerProvider):
            return _NOOP.start_span(name, attributes)
        return self._span(name, attributes)

    @contextmanager
    def _span(self, name: str, attributes: Mapping[str, AttributeValue] | None) -> Iterator[Span]:
        bounded = {key: _bounded(value) for key, value in (attributes or {}).items()}
        with self._tracer.start_as_current_span(name, attributes=bounded) as span:
            yield _OtelSpan(span)
