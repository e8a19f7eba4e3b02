"""The gateway's OpenTelemetry spans, recorded by the real SDK: the reference gateway's span names and
attributes, which dashboards and alerts are built on."""

from __future__ import annotations

from collections.abc import Iterator

import anyio
import pytest
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import StatusCode

from gateway_adapters.otel import OtelTracer
from gateway_domain import DiscoverRequest, Gateway, GatewayError, RetryPolicy, UpstreamRegistration

from .fakes import FakeUpstream, spec


@pytest.fixture
def exporter() -> Iterator[InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    yield exporter
    exporter.shutdown()


def traced_gateway(exporter: InMemorySpanExporter) -> Gateway:
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    return Gateway(tracer=OtelTracer(provider))


async def registered(exporter: InMemorySpanExporter) -> Gateway:
    gateway = traced_gateway(exporter)
    upstream = FakeUpstream([spec("fetch_page", "Fetch a web page by URL.", url={"type": "string"})])
    await gateway.register(UpstreamRegistration("web", upstream))
    return gateway


def named(exporter: InMemorySpanExporter, name: str) -> list[ReadableSpan]:
    return [span for span in exporter.get_finished_spans() if span.name == name]


async def test_each_meta_tool_has_its_span_with_the_reference_attributes(exporter: InMemorySpanExporter) -> None:
    gateway = await registered(exporter)
    await gateway.populate()
    await gateway.discover(DiscoverRequest(domain="web"))
    await gateway.get_schema("fetch_page")
    await gateway.execute("fetch_page", {"url": "https://example.com"})
    await gateway.refresh()

    (populate,) = named(exporter, "gateway.populate_all")
    assert populate.attributes == {"gateway.domain_count": 1, "gateway.domains_failed": 0}
    (discover,) = named(exporter, "gateway.discover_tools")
    assert discover.attributes == {"gateway.domain": "web", "gateway.result_count": 1}
    (schema,) = named(exporter, "gateway.get_tool_schema")
    assert schema.attributes is not None
    assert schema.attributes["gateway.tool_name"] == "fetch_page"
    (execute,) = named(exporter, "gateway.execute_tool")
    assert execute.attributes is not None
    assert execute.attributes["gateway.tool_name"] == "fetch_page"
    assert execute.attributes["gateway.domain"] == "web"
    assert execute.status.status_code is not StatusCode.ERROR
    assert len(named(exporter, "gateway.refresh_registry")) == 1


async def test_a_failure_marks_its_span_with_the_error_code(exporter: InMemorySpanExporter) -> None:
    gateway = await registered(exporter)
    await gateway.populate()
    with pytest.raises(GatewayError):
        await gateway.execute("no_such_tool", {})
    (execute,) = named(exporter, "gateway.execute_tool")
    assert execute.attributes is not None
    assert execute.attributes["gateway.error_code"] == "tool_not_found"
    assert execute.status.status_code is StatusCode.ERROR


async def test_what_a_caller_sent_is_recorded_in_part(exporter: InMemorySpanExporter) -> None:
    gateway = await registered(exporter)
    await gateway.populate()
    with pytest.raises(GatewayError):
        await gateway.get_schema("x" * 100_000)
    with pytest.raises(GatewayError):
        await gateway.discover(DiscoverRequest(domain="y" * 100_000))
    for span in exporter.get_finished_spans():
        assert all(len(str(value)) <= 257 for value in (span.attributes or {}).values())
    (schema,) = named(exporter, "gateway.get_tool_schema")
    assert schema.attributes is not None
    assert str(schema.attributes["gateway.tool_name"]).startswith("xxx")


async def test_listings_the_gateway_schedules_itself_are_populate_then_background(
    exporter: InMemorySpanExporter,
) -> None:
    gateway = await registered(exporter)
    async with anyio.create_task_group() as group:
        group.start_soon(lambda: gateway.maintain(refresh_interval=0.05, retry=RetryPolicy(), tick=0.01))
        with anyio.fail_after(10):
            while len(named(exporter, "gateway.background_refresh")) < 2:
                await anyio.sleep(0.01)
        group.cancel_scope.cancel()
    assert len(named(exporter, "gateway.populate_all")) == 1
    assert named(exporter, "gateway.refresh_registry") == []
