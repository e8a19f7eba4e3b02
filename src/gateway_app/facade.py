"""``GatewayServer``: the gateway embedded in a Python program, in the reference gateway's shape.

This is the composition root: the only place that picks real adapters (FastMCP serving, MCP SDK
upstream sessions, OpenTelemetry) and hands them to the domain. The CLI builds one of these from
the environment; a program builds one directly and may pass its own ``Upstream`` adapters.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager, nullcontext
from functools import partial
from typing import Any, TypeGuard

import anyio
import uvicorn
from attrs import frozen
from fastmcp import FastMCP
from fastmcp.server.auth import AuthProvider
from starlette.applications import Starlette

from gateway_adapters.jwt_auth import JwtVerifier
from gateway_adapters.jwt_settings import JwtSettings
from gateway_adapters.mcp_server import (
    ASGIApp,
    FastExecute,
    add_health_routes,
    add_registry_routes,
    build_http_app,
    build_server,
    execute_tool_runner,
)
from gateway_adapters.otel import OtelTracer
from gateway_domain import AccessPolicy, DomainGrants, Gateway, HookRunner, Tracer, Upstream, UpstreamRegistration
from gateway_domain.code_mode import CodeAuthorizer, CodeLimits, CodeMode, CodeSandbox

from .code_mode_config import CodeModeConfig, monty_sandbox
from .config import (
    DEFAULT_NAME,
    ConfigError,
    GatewayConfig,
    OptionalExtra,
    UpstreamConfig,
    apply_headers,
    parse_descriptions,
    parse_extra_mode,
    parse_upstreams,
)
from .dynamic_upstreams import DynamicUpstreams
from .hook_loading import load_hooks
from .search_extras import search_glosser, semantic_ranker
from .upstreams import registrations

log = logging.getLogger(__name__)


def _loop_options() -> dict[str, Any]:
    """uvloop when installed: the gateway is an event-loop-bound relay, and uvloop's loop costs a
    fraction of asyncio's per callback."""
    try:
        import uvloop  # noqa: F401
    except ImportError:
        return {}
    return {"use_uvloop": True}


_LOOP_OPTIONS = _loop_options()

UpstreamSource = str | Mapping[str, Any] | Upstream
"""A URL, a ``{"url": ..., "headers": ..., "description": ...}`` object, or your own ``Upstream``."""


def _is_adapter(value: object) -> TypeGuard[Upstream]:
    return callable(getattr(value, "list_tools", None)) and callable(getattr(value, "call_tool", None))


@frozen
class _PythonSettings:
    upstreams: dict[str, UpstreamConfig]
    descriptions: dict[str, str]
    semantic_search: OptionalExtra
    search_glosses: OptionalExtra


def _python_config(
    sources: Mapping[str, Any],
    upstream_headers: Mapping[str, Mapping[str, str]] | None,
    domain_descriptions: Mapping[str, str] | None,
    semantic_search: object,
    search_glosses: object,
) -> _PythonSettings:
    """Validate the constructor's arguments with the same rules as the environment, naming the
    parameters, and raise one ``ConfigError`` listing every problem."""
    problems: list[str] = []
    upstreams, named = parse_upstreams(dict(sources), "upstreams", problems) if sources else ({}, set())
    apply_headers(upstreams, named, dict(upstream_headers) if upstream_headers else None, "upstream_headers", problems)
    descriptions = parse_descriptions(
        dict(domain_descriptions) if domain_descriptions else None, "domain_descriptions", problems
    )
    settings = _PythonSettings(
        upstreams,
        descriptions,
        parse_extra_mode(semantic_search, "semantic_search", problems),
        parse_extra_mode(search_glosses, "search_glosses", problems),
    )
    if problems:
        raise ConfigError(problems)
    return settings


class GatewayServer:
    """A progressive-discovery MCP gateway in front of ``upstreams``.

    ``upstreams`` maps each domain to a URL, an object (``url``, ``headers``, ``description``) or an
    object implementing the ``Upstream`` port (``list_tools``, ``call_tool``); an adapter that is
    also an async context manager is entered while the gateway runs.
    """

    def __init__(
        self,
        upstreams: Mapping[str, UpstreamSource],
        *,
        name: str = DEFAULT_NAME,
        instructions: str | None = None,
        upstream_headers: Mapping[str, Mapping[str, str]] | None = None,
        domain_descriptions: Mapping[str, str] | None = None,
        refresh_interval: float | None = None,
        semantic_search: str = "auto",
        search_glosses: str = "auto",
        self_descriptions: bool = True,
        access_policy: AccessPolicy | None = None,
        hooks: Sequence[Any] = (),
        auth: JwtSettings | AuthProvider | None = None,
        domain_grants: DomainGrants | None = None,
        registry_auth_headers: Mapping[str, str] | None = None,
        registration_token: str | None = None,
        tracer: Tracer | None = None,
        code_mode: bool = False,
        code_mode_limits: CodeLimits | None = None,
        code_mode_authorizer: CodeAuthorizer | None = None,
        code_mode_audit_verbatim: bool = False,
        code_sandbox: CodeSandbox | None = None,
    ) -> None:
        adapters: dict[str, Upstream] = {d: source for d, source in upstreams.items() if _is_adapter(source)}
        sources = {domain: source for domain, source in upstreams.items() if domain not in adapters}
        headers = {d: h for d, h in (upstream_headers or {}).items() if d not in adapters}
        settings = _python_config(sources, headers, domain_descriptions, semantic_search, search_glosses)
        config = GatewayConfig(
            upstreams=settings.upstreams,
            name=name,
            instructions=instructions,
            domain_descriptions=settings.descriptions,
            refresh_interval=refresh_interval,
            domain_grants=domain_grants,
            semantic_search=settings.semantic_search,
            search_glosses=settings.search_glosses,
            self_descriptions=bool(self_descriptions),
            registration_token=(registration_token or "").strip() or None,
            code_mode=CodeModeConfig(
                enabled=code_mode or code_sandbox is not None,
                limits=code_mode_limits or CodeLimits(),
                audit_verbatim=code_mode_audit_verbatim,
            ),
        )
        self._setup(
            config,
            adapters,
            tracer,
            access_policy=access_policy,
            hooks=hooks,
            auth=auth,
            list_headers=registry_auth_headers,
            sandbox=code_sandbox,
            authorizer=code_mode_authorizer,
        )

    @classmethod
    def from_config(
        cls, config: GatewayConfig, *, adapters: Mapping[str, Upstream] | None = None, tracer: Tracer | None = None
    ) -> GatewayServer:
        """A gateway for a validated configuration (what ``python -m gateway_app`` runs).

        Raises :class:`ConfigError` when ``GATEWAY_HOOK_MODULE`` cannot be loaded.
        """
        server = cls.__new__(cls)
        hooks = load_hooks(config.hook_module) if config.hook_module else []
        token = config.registry_auth_token
        server._setup(
            config,
            dict(adapters or {}),
            tracer,
            hooks=hooks,
            auth=config.auth,
            list_headers={"Authorization": f"Bearer {token}"} if token else None,
        )
        return server

    def _setup(
        self,
        config: GatewayConfig,
        adapters: Mapping[str, Upstream],
        tracer: Tracer | None,
        *,
        access_policy: AccessPolicy | None = None,
        hooks: Sequence[Any] = (),
        auth: JwtSettings | AuthProvider | None = None,
        list_headers: Mapping[str, str] | None = None,
        sandbox: CodeSandbox | None = None,
        authorizer: CodeAuthorizer | None = None,
    ) -> None:
        self._refresh_interval = config.refresh_interval
        self._sandbox: object = sandbox
        code = config.code_mode
        if code.enabled and sandbox is None:
            self._sandbox = sandbox = monty_sandbox(code.limits, code.workers)
        mode = (
            CodeMode(sandbox, code.limits, audit_verbatim=code.audit_verbatim, authorizer=authorizer)
            if code.enabled and sandbox is not None
            else None
        )
        # An explicit policy wins over per-upstream allowed_tools/denied_tools, as in the reference.
        policy = access_policy if access_policy is not None else config.access_policy()
        self._gateway = Gateway(
            tracer=tracer or OtelTracer(),
            instructions=config.instructions,
            policy=policy,
            hooks=HookRunner(hooks),
            grants=config.domain_grants,
            semantic=semantic_ranker(config.semantic_search),
            glosser=search_glosser(config.search_glosses),
            code_mode=mode,
            self_descriptions=config.self_descriptions,
        )
        self._registrations: list[UpstreamRegistration] = []
        self._registered = False
        self._registrations.extend(registrations(config, list_headers=list_headers))
        for domain, upstream in adapters.items():
            self._registrations.append(
                UpstreamRegistration(domain, upstream, description=config.domain_descriptions.get(domain, ""))
            )
        verifier = JwtVerifier(auth) if isinstance(auth, JwtSettings) else auth
        self._server = build_server(self._gateway, name=config.name, auth=verifier)
        add_health_routes(self._server, self._gateway)
        self._dynamic: DynamicUpstreams | None = None
        if config.registration_token:
            configured = {registration.domain for registration in self._registrations}
            self._dynamic = DynamicUpstreams(self._gateway, configured)
            add_registry_routes(self._server, self._dynamic, config.registration_token)
        self._uvicorn: uvicorn.Server | None = None

    @property
    def gateway(self) -> Gateway:
        """The domain object, for programs that call the use cases directly."""
        return self._gateway

    @property
    def mcp(self) -> FastMCP[Any]:
        """The FastMCP server, for adding middleware or routes before serving."""
        return self._server

    # ------------------------------------------------------------------ lifecycle

    async def _ensure_registered(self) -> None:
        if not self._registered:
            self._registered = True
            for registration in self._registrations:
                await self._gateway.register(registration)

    @asynccontextmanager
    async def _upstreams_entered(self) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            for registration in self._registrations:
                if isinstance(registration.upstream, AbstractAsyncContextManager):
                    await stack.enter_async_context(registration.upstream)
            yield

    @asynccontextmanager
    async def _sandbox_entered(self) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            if isinstance(self._sandbox, AbstractAsyncContextManager):
                await stack.enter_async_context(self._sandbox)
            yield

    async def populate(self) -> dict[str, int]:
        """List every upstream once, now; returns each domain's tool count.

        Optional: serving populates by itself in the background and reports readiness on
        ``/readyz``. Calling this first makes the catalogue complete before the port opens.
        """
        await self._ensure_registered()
        async with self._upstreams_entered():
            await self._gateway.populate()
        return {domain: view.tool_count for domain, view in self._gateway.snapshot.domains.items()}

    @asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """Upstream sessions open, the catalogue populating in the background, refreshes scheduled.

        Serving enters this by itself. It wraps FastMCP's own lifespan rather than being passed to
        it, because FastMCP closes lifespans inside a shielded scope, where task groups cannot end.
        """
        await self._ensure_registered()
        async with (
            self._upstreams_entered(),
            self._sandbox_entered(),
            self._dynamic.running() if self._dynamic is not None else nullcontext(),
            anyio.create_task_group() as group,
        ):
            group.start_soon(partial(self._gateway.maintain, refresh_interval=self._refresh_interval))
            try:
                yield
            finally:
                group.cancel_scope.cancel()

    # ------------------------------------------------------------------ serving

    def http_app(self, path: str = "/mcp", transport: str = "http") -> ASGIApp:
        """The ASGI app (MCP endpoint plus ``/healthz`` and ``/readyz``); run it with its lifespan on."""
        if transport == "sse":
            app = self._server.http_app(path="/sse", transport="sse")
            inner = app.router.lifespan_context

            @asynccontextmanager
            async def lifespan(started: Starlette) -> AsyncIterator[Any]:
                async with self.running(), inner(started) as state:
                    yield state

            app.router.lifespan_context = lifespan
            return app
        fast = FastExecute(self._server, execute_tool_runner(self._gateway))
        return build_http_app(self._server, path, self.running, fast)

    async def run_async(
        self,
        transport: str = "streamable-http",
        host: str = "0.0.0.0",
        port: int = 8080,
        path: str = "/mcp",
        log_level: str = "warning",
    ) -> None:
        if transport == "stdio":
            async with self.running():
                await self._server.run_stdio_async(show_banner=False)
            return
        if transport not in ("streamable-http", "http", "sse"):
            raise ValueError(f"transport must be 'streamable-http', 'sse' or 'stdio', not {transport!r}")
        path = "/sse" if transport == "sse" else path
        app = self.http_app(path=path, transport=transport)
        config = uvicorn.Config(app, host=host, port=port, lifespan="on", log_level=log_level.lower())
        self._uvicorn = uvicorn.Server(config)
        log.info("serving MCP on http://%s:%d%s", host, port, path)
        await self._uvicorn.serve()

    def run(self, transport: str = "streamable-http", host: str = "0.0.0.0", port: int = 8080, **options: Any) -> None:
        """Serve until stopped. Works from plain code and from inside a running event loop.

        Inside a running loop (as in ``asyncio.run(main())`` with ``gateway.run(...)`` in ``main``),
        the server runs on a worker thread with its own loop and this call blocks until it stops;
        prefer ``await gateway.run_async(...)`` there.
        """
        work = partial(self.run_async, transport, host, port, **options)
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            anyio.run(work, backend_options=_LOOP_OPTIONS)
            return
        failure: list[BaseException] = []

        def serve() -> None:
            try:
                anyio.run(work, backend_options=_LOOP_OPTIONS)
            except BaseException as exc:
                failure.append(exc)

        worker = threading.Thread(target=serve, name="gateway-server")
        worker.start()
        try:
            worker.join()
        except KeyboardInterrupt:
            if self._uvicorn is not None:
                self._uvicorn.should_exit = True
            worker.join()
        if failure:
            raise failure[0]

    def stop(self) -> None:
        """Ask a running HTTP server to shut down gracefully."""
        if self._uvicorn is not None:
            self._uvicorn.should_exit = True
