"""What one caller may see and use, decided once per request and applied to every answer.

The static access policy is applied when the registry snapshot is built (refused tools never enter
it). On top of it, per caller: the domains a verified token's claims grant, and the hooks'
``after_list_tools``. Every use case works on the caller's restricted snapshot, so a listing, a
search, a suggestion, an error or the handshake text can only ever name what the caller may see,
and a hidden tool answers exactly like an absent one.
"""

from __future__ import annotations

from typing import Any

from gateway_domain.context import CallContext
from gateway_domain.hooks import HookRunner, ListToolsContext
from gateway_domain.identity import DomainGrants
from gateway_domain.registry import RegistrySnapshot
from gateway_domain.tools import Tool

_USER = "user"


class Access:
    """The per-caller half of access control: token grants and the hooks' view of each caller."""

    def __init__(self, hooks: HookRunner | None = None, grants: DomainGrants | None = None) -> None:
        self.hooks = hooks or HookRunner()
        self.grants = grants

    @property
    def per_caller(self) -> bool:
        return self.grants is not None or self.hooks.has("after_list_tools")

    async def user(self, ctx: CallContext) -> Any:
        """The caller as hooks see it: the verified token's identity unless an ``on_authenticate``
        hook says otherwise. Computed once per request, however many times it is asked for."""
        if _USER not in ctx.memo:
            ctx.memo[_USER] = await self.hooks.authenticate(ctx.headers, ctx.identity)
        return ctx.memo[_USER]

    def _granted(self, ctx: CallContext, domain: str) -> bool:
        return self.grants is None or self.grants.allows(ctx.identity, domain)

    async def may_use(self, ctx: CallContext, tool: Tool) -> bool:
        """Whether this caller may see (and so call) ``tool``; asks the hooks about this tool only."""
        if not self._granted(ctx, tool.domain):
            return False
        if not self.hooks.has("after_list_tools"):
            return True
        listing = ListToolsContext(domain=tool.domain, headers=ctx.headers, user=await self.user(ctx))
        return bool(await self.hooks.filter_tools([tool], listing))

    async def restrict(self, snapshot: RegistrySnapshot, ctx: CallContext) -> RegistrySnapshot:
        """The caller's view of ``snapshot``.

        With hooks filtering tools, a domain is shown only when the caller may see one of its
        tools: a hook cannot be asked about a domain that has none, and its name alone is a leak.
        """
        if not self.per_caller:
            return snapshot
        domains = set(snapshot.domains)
        if self.grants is not None:
            domains = self.grants.granted_among(ctx.identity, domains)
        if not self.hooks.has("after_list_tools"):
            # Granted domains decide alone: the view is found by them, without a pass over every
            # tool at every request (a few milliseconds at ten thousand tools).
            return snapshot.restricted_to(None, domains)
        tools = [tool for tool in snapshot.all_tools() if tool.domain in domains]
        listing = ListToolsContext(domain=None, headers=ctx.headers, user=await self.user(ctx))
        tools = await self.hooks.filter_tools(tools, listing)
        return snapshot.restricted_to({tool.name for tool in tools}, {tool.domain for tool in tools})
