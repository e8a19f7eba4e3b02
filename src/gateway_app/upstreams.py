"""Building the upstream adapter for each configured upstream: the transport decides which."""

from __future__ import annotations

from collections.abc import Mapping

from gateway_adapters.mcp_upstream import (
    McpUpstream,
    RestartPolicy,
    http_connector,
    sse_connector,
    stdio_connector,
)
from gateway_domain import UpstreamRegistration

from .config import GatewayConfig, Transport, UpstreamConfig


def build_upstream(domain: str, config: UpstreamConfig, list_headers: Mapping[str, str] | None = None) -> McpUpstream:
    connect_timeout = config.timeouts.connect
    if config.transport is Transport.STDIO:
        assert config.command is not None
        connector = stdio_connector(domain, config.command, config.args, env=config.env, cwd=config.cwd)
        # A crashed child is restarted in the background, with a growing delay if it keeps crashing.
        return McpUpstream(domain, connector, connect_timeout=connect_timeout, restart=RestartPolicy())
    assert config.url is not None
    make = sse_connector if config.transport is Transport.SSE else http_connector
    # GATEWAY_REGISTRY_AUTH_TOKEN authorizes listing where the upstream has no credentials of its own.
    listing = {} if "authorization" in {h.lower() for h in config.headers} else dict(list_headers or {})
    return McpUpstream(
        domain, make(config.url, headers=config.headers, connect_timeout=connect_timeout), list_headers=listing
    )


def registrations(config: GatewayConfig, list_headers: Mapping[str, str] | None = None) -> list[UpstreamRegistration]:
    return [
        UpstreamRegistration(
            domain,
            build_upstream(domain, upstream, list_headers),
            description=config.description_of(domain),
            list_timeout=upstream.timeouts.list,
            call_timeout=upstream.timeouts.call,
            forward_headers=upstream.forward_headers,
        )
        for domain, upstream in config.upstreams.items()
    ]
