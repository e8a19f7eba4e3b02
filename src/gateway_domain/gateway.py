"""The use cases: discover, get_schema, execute, refresh.

``Gateway`` holds the registered upstreams and the current registry snapshot. Readers use the
snapshot without locking; writers fetch listings concurrently with no lock held, then apply them
and swap the snapshot under one ``anyio.Lock``.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import anyio
from attrs import evolve, field, frozen

from gateway_domain.arguments import argument_problems
from gateway_domain.code_mode import CodeMode, CodeRun
from gateway_domain.code_runner import CodeRunner
from gateway_domain.context import ANONYMOUS, CallContext
from gateway_domain.discovery import (
    DEFAULT_SEARCH_LIMIT,
    MAX_LIMIT,
    DiscoverFormat,
    DiscoverRequest,
    Discovery,
    domain_not_found,
    domain_summary,
    group_not_found,
    search_results,
    tool_listing,
    tool_schema,
)
from gateway_domain.errors import ErrorCode, GatewayError
from gateway_domain.glossing import Glosser
from gateway_domain.hooks import ExecutionContext, ExecutionDenied, HookRunner
from gateway_domain.identity import DomainGrants
from gateway_domain.instructions import build_instructions
from gateway_domain.paging import DEFAULT_RESPONSE_BYTES
from gateway_domain.policy import OPEN, AccessPolicy
from gateway_domain.ports import NoopTracer, SelfDescribing, Tracer, Upstream, UpstreamCall
from gateway_domain.registry import (
    DomainChange,
    DomainState,
    DomainStatus,
    RegistrySnapshot,
    build_snapshot,
    diff_domain,
    ingest,
)
from gateway_domain.resolution import resolve_tool
from gateway_domain.search import search, search_scope, snapshot_index
from gateway_domain.semantic import SemanticRanker
from gateway_domain.signatures import first_sentence, signature
from gateway_domain.text import printable
from gateway_domain.tools import CallResult, Tool, ToolSpec
from gateway_domain.visibility import Access

log = logging.getLogger(__name__)

SELF_DESCRIPTION_CHARS = 300
"""At most this much of what a server says about itself describes its domain."""

DEFAULT_LIST_TIMEOUT = 30.0
DEFAULT_CALL_TIMEOUT = 60.0

POPULATE_SPAN = "gateway.populate_all"
BACKGROUND_SPAN = "gateway.background_refresh"
REFRESH_SPAN = "gateway.refresh_registry"
"""A listing's span says what started it, with the reference gateway's names: the first listing
of every upstream, a later one the gateway scheduled itself (a periodic refresh, a retry), or one
asked for (``refresh_registry``)."""


@frozen
class RetryPolicy:
    """When an upstream whose listing failed is listed again: after ``first_delay`` seconds,
    doubling with each further failure up to ``max_delay``."""

    first_delay: float = 1.0
    max_delay: float = 60.0

    def delay(self, failures: int) -> float:
        return float(min(self.first_delay * 2 ** min(max(failures - 1, 0), 30), self.max_delay))


def _lower_names(names: Iterable[str]) -> tuple[str, ...]:
    return tuple(name.lower() for name in names)


@frozen
class UpstreamRegistration:
    """One upstream as the domain knows it: the port to reach it and the limits to hold it to."""

    domain: str
    upstream: Upstream = field(eq=False, hash=False)
    description: str = ""
    list_timeout: float = DEFAULT_LIST_TIMEOUT
    call_timeout: float = DEFAULT_CALL_TIMEOUT
    forward_headers: tuple[str, ...] = field(default=(), converter=_lower_names)
    """Inbound request headers (lower-case names) passed on to this upstream with each call."""


SnapshotListener = Callable[[RegistrySnapshot], None]


def _safe_upstream_error(domain: str, exc: BaseException) -> GatewayError:
    """Turn whatever an adapter raised into an error that names the domain and nothing secret."""
    if isinstance(exc, GatewayError):
        return exc.with_details(domain=domain)
    log.warning("upstream %s failed unexpectedly: %r", domain, exc, exc_info=exc)
    return GatewayError(
        ErrorCode.UPSTREAM_ERROR,
        f"Upstream server '{domain}' failed while handling the request.",
        {"domain": domain},
    )


class Gateway:
    """The gateway's use cases over a set of upstream registrations."""

    def __init__(
        self,
        *,
        tracer: Tracer | None = None,
        instructions: str | None = None,
        code_mode: CodeMode | None = None,
        policy: AccessPolicy = OPEN,
        hooks: HookRunner | None = None,
        grants: DomainGrants | None = None,
        startup_wait: float = 5.0,
        semantic: SemanticRanker | None = None,
        glosser: Glosser | None = None,
        response_budget: int = DEFAULT_RESPONSE_BYTES,
        self_descriptions: bool = True,
    ) -> None:
        """``semantic`` adds a meaning-based ranking to search (fused with the lexical one);
        ``glosser`` lets English queries find tools described in other languages;
        ``self_descriptions`` lets an upstream describe a domain the operator did not describe;
        ``response_budget`` is the size in bytes every discovery answer is paged to stay under;
        ``code_mode`` switches ``execute_code`` on."""
        self._tracer: Tracer = tracer or NoopTracer()
        self._semantic = semantic
        self._glosser = glosser
        self._budget = response_budget
        self._self_descriptions = self_descriptions
        self._policy = policy
        self._access = Access(hooks, grants)
        self._startup_wait = startup_wait
        self._settle_waiters: list[anyio.Event] = []
        self._custom_instructions = instructions
        self._code = CodeRunner(code_mode, self.execute, self._tracer) if code_mode is not None else None
        self._registrations: dict[str, UpstreamRegistration] = {}
        self._states: dict[str, DomainState] = {}
        self._tickets = itertools.count()
        self._applied_ticket: dict[str, int] = {}
        self._snapshot = RegistrySnapshot()
        self._write_lock = anyio.Lock()
        self._listeners: list[SnapshotListener] = []
        self._retry = RetryPolicy()
        self._failures: dict[str, int] = {}
        self._retry_at: dict[str, float] = {}

    # ----------------------------------------------------------------- state

    @property
    def snapshot(self) -> RegistrySnapshot:
        return self._snapshot

    @property
    def domains(self) -> Sequence[str]:
        return sorted(self._registrations)

    def subscribe(self, listener: SnapshotListener) -> None:
        """Call ``listener`` with every new snapshot (for example to update handshake instructions)."""
        self._listeners.append(listener)

    async def _rebuild(self) -> None:
        """Build the next snapshot from the current states (reusing the search analysis of every
        unchanged tool) and swap it in. Called with the write lock held.

        The build runs on a worker thread: at thousands of tools it takes the better part of a
        second, and the event loop keeps serving calls on the current snapshot meanwhile.
        """
        states, previous = list(self._states.values()), self._snapshot
        snapshot = await anyio.to_thread.run_sync(
            lambda: build_snapshot(
                states, self._policy, previous=previous, semantic=self._semantic, glosser=self._glosser
            )
        )
        self._swap(snapshot)

    def _swap(self, snapshot: RegistrySnapshot) -> None:
        self._snapshot = snapshot
        for listener in self._listeners:
            try:
                listener(snapshot)
            except Exception:
                log.exception("snapshot listener failed")
        if self._settle_waiters and self.is_ready():
            waiters, self._settle_waiters = self._settle_waiters, []
            for waiter in waiters:
                waiter.set()

    async def _settle(self) -> None:
        """Right after start, wait (briefly) for upstreams still being listed for the first time.

        A client that connects as the gateway starts — a desktop client spawning it over stdio does
        exactly that — would otherwise be told a tool does not exist because its upstream has not
        answered yet. Bounded by ``startup_wait``: a hung upstream delays nobody for long.
        """
        if self.is_ready():
            return
        waiter = anyio.Event()
        self._settle_waiters.append(waiter)
        with anyio.move_on_after(self._startup_wait):
            await waiter.wait()

    def statuses(self) -> dict[str, DomainStatus]:
        """Each domain's state as callers see it now, for operators (domains the access policy
        refuses are not in the snapshot, so not here either)."""
        return {name: view.status for name, view in sorted(self._snapshot.domains.items())}

    def is_ready(self) -> bool:
        """True once every upstream has answered or failed at least once and the snapshot shows it.

        A listing is applied to the states before the next snapshot is built (on a worker thread);
        readiness waits for the snapshot, so a "ready" gateway never serves an empty catalogue.
        """
        return all(state.status is not DomainStatus.PENDING for state in self._states.values()) and all(
            view.status is not DomainStatus.PENDING for view in self._snapshot.domains.values()
        )

    @property
    def per_caller(self) -> bool:
        """Whether callers see different things (token grants or visibility hooks are set)."""
        return self._access.per_caller

    @property
    def code_per_caller(self) -> bool:
        """Whether an authorizer decides who may use ``execute_code`` (see ``may_run_code``)."""
        return self._code is not None and self._code.mode.authorizer is not None

    @property
    def instructions_per_caller(self) -> bool:
        """Whether the handshake text depends on the caller (``instructions_for``)."""
        return self._custom_instructions is None and (self.per_caller or self.code_per_caller)

    def instructions(self) -> str:
        """The handshake text for every caller: it names the domains only when all callers see the
        same ones (with per-caller rules, ``instructions_for`` names each caller's own)."""
        if self._custom_instructions is not None:
            return self._custom_instructions
        domains = () if self.per_caller else self._snapshot.domains.values()
        return build_instructions(domains, code_mode=self.code_mode and not self.code_per_caller)

    async def instructions_for(self, ctx: CallContext) -> str:
        """The handshake text naming only the domains this caller may see, and ``execute_code``
        only when the caller may use it."""
        if not self.instructions_per_caller:
            return self.instructions()
        snapshot = await self._visible(ctx) if self.per_caller else self._snapshot
        return build_instructions(snapshot.domains.values(), code_mode=await self.may_run_code(ctx))

    async def register(self, registration: UpstreamRegistration) -> None:
        """Add (or replace) an upstream. Its domain is pending until the next refresh lists it."""
        async with self._write_lock:
            self._registrations[registration.domain] = registration
            previous = self._states.get(registration.domain)
            # Until the new upstream lists its tools, the domain keeps its tools and its description.
            state = DomainState(
                name=registration.domain,
                description=previous.description if previous else "",
                specs=previous.specs if previous else (),
            )
            self._states[registration.domain] = evolve(state, description=self._description(state))
            await self._rebuild()

    async def unregister(self, domain: str) -> bool:
        async with self._write_lock:
            if self._registrations.pop(domain, None) is None:
                return False
            self._states.pop(domain, None)
            self._applied_ticket.pop(domain, None)
            self._failures.pop(domain, None)
            self._retry_at.pop(domain, None)
            await self._rebuild()
            return True

    # --------------------------------------------------------------- refresh

    async def _fetch(self, registration: UpstreamRegistration) -> Sequence[ToolSpec] | GatewayError:
        try:
            with anyio.fail_after(registration.list_timeout):
                return await registration.upstream.list_tools()
        except TimeoutError:
            return GatewayError(
                ErrorCode.UPSTREAM_TIMEOUT,
                f"Upstream server '{registration.domain}' did not list its tools within "
                f"{registration.list_timeout:g} s.",
                {"domain": registration.domain},
            )
        except Exception as exc:
            return _safe_upstream_error(registration.domain, exc)

    async def refresh_for(self, ctx: CallContext) -> list[DomainChange]:
        """``refresh_registry``: re-list every upstream and report only what this caller may see.

        With per-caller rules the names of skipped tools are left out: whether a tool the upstream
        listed badly would have been visible to this caller cannot be known.
        """
        before = await self._visible(ctx)
        changes = await self.refresh()
        after = await self._visible(ctx)
        if not self.per_caller:
            return [change for change in changes if change.domain in after.domains]
        return [
            evolve(diff_domain(before, after, self._states[change.domain]), skipped=())
            for change in changes
            if change.domain in after.domains
        ]

    async def populate(self) -> list[DomainChange]:
        """The first listing of every upstream (its span is ``gateway.populate_all``, as the
        reference gateway names it, so that dashboards built on its spans keep working)."""
        return await self.refresh(span_name=POPULATE_SPAN)

    async def refresh(
        self, domains: Iterable[str] | None = None, *, span_name: str = REFRESH_SPAN
    ) -> list[DomainChange]:
        """Re-list the given upstreams (all by default) concurrently.

        Each upstream is held to its own list timeout, and its answer is applied as soon as it
        arrives, so a slow upstream delays nobody else's tools. One that fails keeps serving the
        tools of its last good listing and is reported as failed. No lock is held while listing.
        The report compares the registry before and after, so it also shows tools renamed because
        another domain now offers the same name.
        """
        wanted = set(self._registrations) if domains is None else set(domains) & set(self._registrations)
        targets = [self._registrations[name] for name in sorted(wanted)]
        before = self._snapshot
        applied: set[str] = set()

        async def fetch(registration: UpstreamRegistration) -> None:
            ticket = next(self._tickets)
            outcome = await self._fetch(registration)
            async with self._write_lock:
                domain = registration.domain
                if self._registrations.get(domain) is not registration:
                    return  # unregistered or replaced while listing
                if ticket < self._applied_ticket.get(domain, -1):
                    return  # a listing that started later has already been applied
                self._applied_ticket[domain] = ticket
                self._states[domain] = self._apply(self._states[domain], outcome)
                self._schedule_retry(domain, failed=isinstance(outcome, GatewayError))
                await self._rebuild()
                applied.add(domain)

        with self._tracer.start_span(span_name, {"gateway.domain_count": len(targets)}) as span:
            async with anyio.create_task_group() as group:
                for registration in targets:
                    group.start_soon(fetch, registration)
            after = self._snapshot
            changes = [
                diff_domain(before, after, self._states[name]) for name in sorted(applied) if name in self._states
            ]
            span.set_attribute("gateway.domains_failed", sum(c.status is DomainStatus.FAILED for c in changes))
        for change in changes:
            self._log_change(change)
        return changes

    def _schedule_retry(self, domain: str, *, failed: bool) -> None:
        if not failed:
            self._failures.pop(domain, None)
            self._retry_at.pop(domain, None)
            return
        self._failures[domain] = self._failures.get(domain, 0) + 1
        self._retry_at[domain] = anyio.current_time() + self._retry.delay(self._failures[domain])

    async def maintain(
        self, *, refresh_interval: float | None = None, retry: RetryPolicy | None = None, tick: float = 0.25
    ) -> None:
        """Keep the registry current until cancelled: list every upstream now, re-list upstreams whose
        listing failed on a growing delay (so one that was down comes back by itself), and re-list
        everything every ``refresh_interval`` seconds when one is set."""
        if retry is not None:
            self._retry = retry
        in_flight: set[str] = set()

        async def run(domains: list[str], span_name: str) -> None:
            try:
                await self.refresh(domains, span_name=span_name)
            except Exception:
                # Keeping the registry current must outlive any one bad refresh.
                log.exception("background refresh of %s failed", ", ".join(domains))
            finally:
                in_flight.difference_update(domains)

        next_full = anyio.current_time()
        span_name = POPULATE_SPAN  # the first pass lists every upstream for the first time
        async with anyio.create_task_group() as group:
            while True:
                now = anyio.current_time()
                if now >= next_full:
                    next_full = now + refresh_interval if refresh_interval else float("inf")
                    targets = [domain for domain in sorted(self._registrations) if domain not in in_flight]
                else:
                    targets = sorted(
                        domain
                        for domain, at in self._retry_at.items()
                        if at <= now and domain in self._registrations and domain not in in_flight
                    )
                for domain in targets:
                    self._retry_at.pop(domain, None)
                if targets:
                    in_flight.update(targets)
                    group.start_soon(run, targets, span_name)
                    span_name = BACKGROUND_SPAN
                await anyio.sleep(tick)

    @staticmethod
    def _log_change(change: DomainChange) -> None:
        if change.added or change.removed or change.skipped:
            log.info(
                "domain %s: %d tools (+%d -%d)%s",
                change.domain,
                change.tool_count,
                len(change.added),
                len(change.removed),
                "".join(f"; skipped {s.name!r}: {s.reason}" for s in change.skipped),
            )
        if change.status is DomainStatus.FAILED:
            log.warning("domain %s: listing failed (%s): %s", change.domain, change.error_code, change.error_message)

    def _apply(self, state: DomainState, outcome: Sequence[ToolSpec] | GatewayError) -> DomainState:
        if isinstance(outcome, GatewayError):
            return evolve(
                state,
                status=DomainStatus.FAILED,
                error_code=outcome.code,
                error_message=outcome.message,
                description=self._description(state),
            )
        kept, skipped = ingest(outcome)
        # A refused tool stays unnamed even when the upstream listed it badly.
        skipped = tuple(s for s in skipped if self._policy.permits(state.name, s.name, s.name))
        return evolve(
            state,
            status=DomainStatus.READY,
            specs=kept,
            skipped=skipped,
            error_code=None,
            error_message=None,
            description=self._description(state),
        )

    def _description(self, state: DomainState) -> str:
        """The operator's description of the domain, else what its server says about itself: its
        first sentence, which names what the server is for (what follows is usually how to use
        it), cut short: it is the upstream's text, and it goes into the handshake."""
        registration = self._registrations.get(state.name)
        if registration is None:
            return state.description
        if registration.description:
            return registration.description
        upstream = registration.upstream
        if not self._self_descriptions or not isinstance(upstream, SelfDescribing):
            return state.description
        try:
            said = upstream.self_description()
        except Exception:
            log.exception("domain %s: the upstream's description could not be read", state.name)
            return state.description
        if not isinstance(said, str) or not said.strip():
            return state.description  # not connected yet, or silent now: keep what it said before
        return first_sentence(printable(said), SELF_DESCRIPTION_CHARS)

    # -------------------------------------------------------------- discover

    async def _visible(self, ctx: CallContext) -> RegistrySnapshot:
        """The part of the registry this caller may see."""
        await self._settle()
        return await self._access.restrict(self._snapshot, ctx)

    async def _resolve(self, ctx: CallContext, tool_name: str) -> Tool:
        """The visible tool ``tool_name`` means; a hidden one answers exactly like an absent one.

        The common case — an exact name the caller may use — asks the hooks about that one tool;
        anything else is resolved against the caller's whole view, so candidates and suggestions
        only ever name tools the caller may see.
        """
        await self._settle()
        tool = self._snapshot.tools.get(tool_name)
        if tool is not None and await self._access.may_use(ctx, tool):
            return tool
        return resolve_tool(await self._visible(ctx), tool_name)

    async def discover(self, request: DiscoverRequest, ctx: CallContext = ANONYMOUS) -> Discovery:
        attributes = {
            key: value
            for key, value in (("gateway.domain", request.domain), ("gateway.group", request.group))
            if value is not None
        }
        with self._tracer.start_span("gateway.discover_tools", attributes) as span:
            try:
                # Only signatures name execute_code's bindings: ask the authorizer only for them.
                coded = request.parsed_format() is DiscoverFormat.SIGNATURES and await self.may_run_code(ctx)
                result, count = self._discover(request, await self._visible(ctx), coded)
            except GatewayError as error:
                span.record_error(error, error.code)
                raise
            span.set_attribute("gateway.result_count", count)
            return result

    def _discover(self, request: DiscoverRequest, snapshot: RegistrySnapshot, coded: bool) -> tuple[Discovery, int]:
        """``coded``: the caller may use execute_code, so signatures name each tool's code binding."""
        fmt = request.parsed_format()
        request.parsed_limit(DEFAULT_SEARCH_LIMIT)  # refused in every mode, also where no page is cut by count
        if request.domain is not None and request.domain not in snapshot.domains:
            raise domain_not_found(request.domain, snapshot)
        if request.group is not None:
            if request.domain is None:
                raise GatewayError(
                    ErrorCode.INVALID_ARGUMENTS,
                    "group needs a domain: call discover_tools(domain=..., group=...).",
                    {"argument": "group"},
                )
            if request.group not in snapshot.domains[request.domain].groups:
                raise group_not_found(request.domain, request.group, snapshot)
        offset = request.parsed_offset()
        code_names = self._code_names(snapshot) if coded else None
        query = request.parsed_query()
        if query:
            index = snapshot_index(snapshot)
            scope = search_scope(snapshot, index, request.domain, request.group)
            page = search(index, query, scope=scope, limit=request.parsed_limit(DEFAULT_SEARCH_LIMIT), offset=offset)
            return search_results(query, page.hits, page.total, fmt, offset, self._budget, code_names), len(page.hits)
        if request.domain is None:
            return Discovery(payload=domain_summary(snapshot, offset, self._budget)), len(snapshot.domains)
        tools = snapshot.domain_tools(request.domain, request.group)
        listing = tool_listing(
            request.domain,
            request.group,
            tools,
            fmt,
            offset,
            request.parsed_limit(MAX_LIMIT),
            self._budget,
            code_names,
        )
        return listing, len(tools)

    async def get_schema(self, tool_name: str, ctx: CallContext = ANONYMOUS) -> dict[str, Any]:
        with self._tracer.start_span("gateway.get_tool_schema", {"gateway.tool_name": tool_name}) as span:
            try:
                tool = await self._resolve(ctx, tool_name)
            except GatewayError as error:
                span.record_error(error, error.code)
                raise
            span.set_attribute("gateway.domain", tool.domain)
            return tool_schema(tool)

    # --------------------------------------------------------------- execute

    async def execute(
        self, tool_name: str, arguments: Mapping[str, Any] | None, ctx: CallContext = ANONYMOUS
    ) -> CallResult:
        """Route one call to its upstream and return the upstream's answer unchanged.

        Gateway-side failures raise :class:`GatewayError`; an upstream's own tool error comes back
        as a result with ``is_error`` set, exactly as the upstream sent it.
        """
        with self._tracer.start_span("gateway.execute_tool", {"gateway.tool_name": tool_name}) as span:
            try:
                result = await self._execute(tool_name, arguments, ctx, span.set_attribute)
            except GatewayError as error:
                span.record_error(error, error.code)
                raise
            if result.is_error:
                span.set_attribute("gateway.error_code", ErrorCode.UPSTREAM_ERROR.value)
            return result

    async def _execute(
        self,
        tool_name: str,
        arguments: Mapping[str, Any] | None,
        ctx: CallContext,
        annotate: Callable[[str, str], None],
    ) -> CallResult:
        tool = await self._resolve(ctx, tool_name)
        annotate("gateway.domain", tool.domain)
        hooks = self._access.hooks
        context = ExecutionContext(
            tool=tool,
            arguments=dict(arguments or {}),
            headers=ctx.headers,
            user=await self._access.user(ctx),
            request_meta=ctx.request_meta,
        )
        try:
            await hooks.before_execute(context)
        except ExecutionDenied as denied:
            raise GatewayError(denied.code, denied.message, {"tool": tool.name, "domain": tool.domain}) from None
        problems = argument_problems(tool.spec.input_schema, context.arguments)
        if problems:
            raise GatewayError(
                ErrorCode.INVALID_ARGUMENTS,
                f"Invalid arguments for '{tool.name}': {'; '.join(problems)}.",
                {"tool": tool.name, "domain": tool.domain, "problems": problems, "signature": signature(tool)},
            )
        try:
            result = await self._call_upstream(tool, context, ctx)
        except GatewayError as error:
            await hooks.on_error(context, error)
            raise
        try:
            return await hooks.after_result(context, result)
        except ExecutionDenied as denied:
            raise GatewayError(denied.code, denied.message, {"tool": tool.name, "domain": tool.domain}) from None

    async def _call_upstream(self, tool: Tool, context: ExecutionContext, ctx: CallContext) -> CallResult:
        registration = self._registrations.get(tool.domain)
        if registration is None:
            raise GatewayError(
                ErrorCode.UPSTREAM_UNAVAILABLE,
                f"Upstream server '{tool.domain}' was removed; call discover_tools to see what is available.",
                {"tool": tool.name, "domain": tool.domain},
            )
        # Per request, never shared: inbound headers this upstream is configured to receive, then
        # what hooks added (which win). Static upstream headers sit below both, in the adapter.
        headers = {name: ctx.headers[name] for name in registration.forward_headers if name in ctx.headers}
        headers.update(context.extra_headers)
        call = UpstreamCall(
            tool_name=tool.original_name,
            arguments=context.arguments,
            headers=headers,
            meta=ctx.request_meta,
            progress=ctx.progress,
        )
        try:
            with anyio.fail_after(registration.call_timeout):
                return await registration.upstream.call_tool(call)
        except TimeoutError:
            raise GatewayError(
                ErrorCode.UPSTREAM_TIMEOUT,
                f"Tool '{tool.name}' did not answer within {registration.call_timeout:g} s "
                f"(upstream server '{tool.domain}'). Other domains may still be available.",
                {"tool": tool.name, "domain": tool.domain, "timeout_seconds": registration.call_timeout},
            ) from None
        except Exception as exc:
            raise _safe_upstream_error(tool.domain, exc).with_details(tool=tool.name) from None

    # ------------------------------------------------------------ execute_code

    @property
    def code_mode(self) -> bool:
        return self._code is not None

    async def execute_code(self, code: str, ctx: CallContext = ANONYMOUS) -> CodeRun:
        """Run the caller's Python with every tool the caller may see bound as an async function
        (see :class:`CodeRunner`)."""
        if self._code is None:
            raise GatewayError(
                ErrorCode.EXECUTION_ERROR, "execute_code is not enabled on this gateway (GATEWAY_CODE_MODE=true)."
            )
        if not await self.may_run_code(ctx):
            raise GatewayError(ErrorCode.FORBIDDEN, "execute_code is not allowed for this caller.")
        return await self._code.run(code, ctx, await self._visible(ctx))

    async def may_run_code(self, ctx: CallContext = ANONYMOUS) -> bool:
        """Whether ``execute_code`` is on and the code-mode authorizer (if any) lets this caller use
        it. An authorizer that fails refuses, and the failure is logged: a broken rule must not open
        the sandbox to everyone. Callers it refuses are not shown ``execute_code`` at all."""
        if self._code is None:
            return False
        authorizer = self._code.mode.authorizer
        if authorizer is None:
            return True
        try:
            return bool(await authorizer(await self._access.user(ctx), ctx))
        except Exception:
            log.exception("deciding whether this caller may use execute_code failed; it is refused")
            return False

    def _code_names(self, snapshot: RegistrySnapshot) -> Mapping[str, str] | None:
        """Tool name → the identifier execute_code binds it to, for signatures (code mode only)."""
        return self._code.aliases(snapshot) if self._code is not None else None
