"""Upstreams registered and removed at run time (``GATEWAY_REGISTRATION_TOKEN``'s REST endpoints).

A registered upstream is validated like a configured one, and its session is opened by a task of
its own that closes it again when the upstream is removed (an upstream's session must be closed by
the task that opened it). Configured upstreams are the configuration's: REST can neither replace
nor remove them, so what a restart brings back is always what the configuration says.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Mapping, Set
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import anyio
from anyio.abc import TaskGroup, TaskStatus

from gateway_domain import ErrorCode, Gateway, GatewayError, Upstream, UpstreamRegistration
from gateway_domain.text import echoed

from .config import ConfigError, parse_registration
from .upstreams import build_upstream

log = logging.getLogger(__name__)


class DynamicUpstreams:
    """The upstreams registered over REST, each held open while it is registered."""

    def __init__(self, gateway: Gateway, configured: Set[str], list_headers: Mapping[str, str] | None = None) -> None:
        self._gateway = gateway
        self._configured = frozenset(configured)
        self._list_headers = dict(list_headers or {})
        self._group: TaskGroup | None = None
        self._lock = anyio.Lock()
        self._closers: dict[str, anyio.Event] = {}
        self._urls: dict[str, str] = {}

    @asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """While serving: registered upstreams stay open until removed or until this ends."""
        async with anyio.create_task_group() as group:
            self._group = group
            try:
                yield
            finally:
                self._group = None
                self._closers.clear()
                self._urls.clear()
                group.cancel_scope.cancel()

    async def add(self, body: Any) -> dict[str, Any]:
        """Register (or replace) the upstream ``body`` describes and list its tools; the answer
        says what it offers, or why listing failed (it is then retried like any upstream)."""
        try:
            domain, config = parse_registration(body)
        except ConfigError as error:
            raise GatewayError(
                ErrorCode.INVALID_ARGUMENTS,
                "The registration is not valid: " + "; ".join(error.problems),
                {"problems": error.problems},
            ) from None
        if domain in self._configured:
            raise GatewayError(
                ErrorCode.FORBIDDEN,
                f"Domain '{domain}' is configured (GATEWAY_UPSTREAMS or the config file): "
                "change it there, or register this upstream under another name.",
                {"domain": domain},
            )
        upstream = build_upstream(domain, config, self._list_headers)
        registration = UpstreamRegistration(
            domain,
            upstream,
            description=config.description or "",
            list_timeout=config.timeouts.list,
            call_timeout=config.timeouts.call,
            forward_headers=config.forward_headers,
        )
        async with self._lock:
            group = self._serving()
            self._close(domain)
            self._closers[domain] = await group.start(self._hold, upstream)
            self._urls[domain] = config.url or ""
            await self._gateway.register(registration)
        log.info("domain %s: registered over REST", domain)
        changes = await self._gateway.refresh([domain])
        answer: dict[str, Any] = {"registered": domain, "url": config.url}
        for change in changes:
            payload = change.to_payload()
            answer.update(
                status=payload["status"],
                tools_discovered=change.tool_count,
                tools_added=payload["added"],
                **{key: payload[key] for key in ("error", "skipped") if key in payload},
            )
        return answer

    async def remove(self, domain: str) -> dict[str, Any]:
        async with self._lock:
            if domain in self._configured:
                raise GatewayError(
                    ErrorCode.FORBIDDEN,
                    f"Domain '{domain}' is configured (GATEWAY_UPSTREAMS or the config file): remove it there.",
                    {"domain": domain},
                )
            if domain not in self._closers:
                raise GatewayError(
                    ErrorCode.DOMAIN_NOT_FOUND,
                    f"No upstream is registered over REST as '{echoed(domain)}'.",
                    {"registered": sorted(self._closers)},
                )
            await self._gateway.unregister(domain)
            self._close(domain)
            self._urls.pop(domain, None)
        log.info("domain %s: removed over REST", domain)
        return {"deregistered": domain}

    def listing(self) -> dict[str, Any]:
        """Every upstream with its state; URLs only of those registered here (a configured URL
        may carry a credential in its query string, and this is no place to show it)."""
        views = self._gateway.snapshot.domains
        servers = []
        for domain in self._gateway.domains:
            entry: dict[str, Any] = {"domain": domain}
            if domain in self._urls:
                entry.update(source="registered", url=self._urls[domain])
            else:
                entry["source"] = "configured"
            view = views.get(domain)
            if view is not None:
                entry.update(status=view.status.value, tool_count=view.tool_count)
            servers.append(entry)
        return {"servers": servers}

    def _serving(self) -> TaskGroup:
        if self._group is None:
            raise GatewayError(
                ErrorCode.UPSTREAM_UNAVAILABLE, "The gateway is not serving yet; try again in a moment.", {}
            )
        return self._group

    def _close(self, domain: str) -> None:
        closer = self._closers.pop(domain, None)
        if closer is not None:
            closer.set()

    @staticmethod
    async def _hold(upstream: Upstream, *, task_status: TaskStatus[anyio.Event]) -> None:
        closed = anyio.Event()
        if isinstance(upstream, AbstractAsyncContextManager):
            async with upstream:
                task_status.started(closed)
                await closed.wait()
        else:
            task_status.started(closed)
