"""Upstreams registered and removed at run time (``GATEWAY_REGISTRATION_TOKEN``'s REST endpoints).

A registered upstream is validated like a configured one, and its session is opened by a task of
its own that closes it again when the upstream is removed (an upstream's session must be closed by
the task that opened it). Configured upstreams are the configuration's: REST can neither replace
nor remove them, so what a restart brings back is always what the configuration says. Whoever
holds the token can make the gateway connect to any URL, so nothing the gateway holds goes with
a registered upstream: neither ``GATEWAY_REGISTRY_AUTH_TOKEN`` nor a caller's headers.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Sequence, Set
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import anyio
from anyio.abc import TaskGroup, TaskStatus

from gateway_domain import DomainChange, ErrorCode, Gateway, GatewayError, Upstream, UpstreamRegistration
from gateway_domain.text import echoed

from .config import ConfigError, parse_registration, without_secrets
from .upstreams import build_upstream

log = logging.getLogger(__name__)

LISTING_WAIT = 5.0
"""How long a registration waits for the upstream's first listing before answering "pending"
(the listing goes on; a shutdown waits for answers being written, so not much longer)."""


class DynamicUpstreams:
    """The upstreams registered over REST, each held open while it is registered."""

    def __init__(self, gateway: Gateway, configured: Set[str]) -> None:
        self._gateway = gateway
        self._configured = frozenset(configured)
        self._group: TaskGroup | None = None
        self._lock = anyio.Lock()
        self._closers: dict[str, anyio.Event] = {}
        self._current: dict[str, UpstreamRegistration] = {}
        self._urls: dict[str, str] = {}

    @asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """While serving: registered upstreams stay open until removed or until this ends, and
        then leave the registry with their sessions."""
        async with anyio.create_task_group() as group:
            self._group = group
            try:
                yield
            finally:
                self._group = None
                with anyio.CancelScope(shield=True):
                    for domain in list(self._current):
                        await self._gateway.unregister(domain)
                self._closers.clear()
                self._current.clear()
                self._urls.clear()
                group.cancel_scope.cancel()

    async def add(self, body: Any) -> dict[str, Any]:
        """Register (or replace) the upstream ``body`` describes and list its tools; the answer
        says what it offers, why listing failed (it is then retried like any upstream), or that
        the listing is still going on."""
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
        url = without_secrets(config.url or "")
        registration = UpstreamRegistration(
            domain,
            build_upstream(domain, config),
            description=config.description or "",
            list_timeout=config.timeouts.list,
            call_timeout=config.timeouts.call,
        )
        async with self._lock:
            group = self._serving()
            closer = await group.start(self._hold, domain, registration.upstream)
            try:
                await self._gateway.register(registration)
            except BaseException:
                closer.set()
                raise
            self._close(domain)  # the upstream it replaces, if any
            self._closers[domain], self._current[domain], self._urls[domain] = closer, registration, url
        log.info("domain %s: registered over REST", domain)
        changes: list[DomainChange] = []
        listed = anyio.Event()
        group.start_soon(self._list, domain, changes, listed)
        with anyio.move_on_after(LISTING_WAIT):
            await listed.wait()
        if self._current.get(domain) is not registration:
            raise GatewayError(
                ErrorCode.CONFLICT,
                f"Domain '{domain}' was replaced or removed by another request while it was being listed.",
                {"domain": domain},
            )
        status = self._gateway.statuses().get(domain)
        return _answer(domain, url, changes, status.value if status is not None else "pending")

    async def remove(self, domain: str) -> dict[str, Any]:
        async with self._lock:
            if domain in self._configured:
                raise GatewayError(
                    ErrorCode.FORBIDDEN,
                    f"Domain '{domain}' is configured (GATEWAY_UPSTREAMS or the config file): remove it there.",
                    {"domain": domain},
                )
            if domain not in self._current:
                raise GatewayError(
                    ErrorCode.DOMAIN_NOT_FOUND,
                    f"No upstream is registered over REST as '{echoed(domain)}'.",
                    {"registered": sorted(self._current)},
                )
            await self._gateway.unregister(domain)
            self._close(domain)
            del self._current[domain], self._urls[domain]
        log.info("domain %s: removed over REST", domain)
        return {"deregistered": domain}

    def listing(self) -> dict[str, Any]:
        """Every upstream with its state; URLs only of those registered here, with what may be a
        credential starred (a configured URL may carry one, and this is no place to show it)."""
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

    async def _list(self, domain: str, changes: list[DomainChange], listed: anyio.Event) -> None:
        try:
            changes.extend(await self._gateway.refresh([domain]))
        except Exception:  # refresh reports an upstream's failure; anything else is a bug to log
            log.exception("listing %s after its registration failed", domain)
        finally:
            listed.set()

    @staticmethod
    async def _hold(domain: str, upstream: Upstream, *, task_status: TaskStatus[anyio.Event]) -> None:
        """Keep ``upstream`` entered until its event is set. A failure is logged and kept here:
        it must not end the task group every other registered upstream lives in."""
        closed = anyio.Event()
        if not isinstance(upstream, AbstractAsyncContextManager):
            task_status.started(closed)
            return
        started = False
        try:
            async with upstream:
                task_status.started(closed)
                started = True
                await closed.wait()
        except Exception:
            if not started:
                raise
            log.exception("upstream %s (registered over REST) failed while it was held open", domain)


def _answer(domain: str, url: str, changes: Sequence[DomainChange], status: str) -> dict[str, Any]:
    """The reference's ``{"registered", "url", "tools_discovered", "tools_added"}`` with the
    domain's status, and its error when listing failed (only the status while it is listed)."""
    answer: dict[str, Any] = {"registered": domain, "url": url, "status": status}
    for change in changes:
        payload = change.to_payload()
        answer.update(status=payload["status"], tools_discovered=change.tool_count, tools_added=payload["added"])
        answer.update({key: payload[key] for key in ("error", "skipped") if key in payload})
    return answer
