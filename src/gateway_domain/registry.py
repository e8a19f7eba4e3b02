"""The registry: an immutable snapshot of every domain, group and tool.

Readers take the current snapshot without a lock. A writer (populate, refresh, registration)
builds the next snapshot from the per-domain states and swaps it in. Building from all states at
once is what keeps collision renaming deterministic.
"""

from __future__ import annotations

from collections import OrderedDict, defaultdict
from collections.abc import Iterable, Mapping, Sequence, Set
from enum import StrEnum
from typing import Any

from attrs import evolve, field, frozen

from gateway_domain.glossing import Glosser
from gateway_domain.naming import assign_exposed_names, infer_group
from gateway_domain.policy import OPEN, AccessPolicy
from gateway_domain.search_index import SearchIndex
from gateway_domain.semantic import Positions, SemanticRanker
from gateway_domain.text import normalized_name
from gateway_domain.tools import Tool, ToolSpec

MAX_UPSTREAM_NAME = 128


class DomainStatus(StrEnum):
    PENDING = "pending"
    """Not answered yet: its first listing is still under way."""
    READY = "ready"
    """Its last listing succeeded."""
    FAILED = "failed"
    """Its last listing failed; the tools of its last good listing (if any) are still served."""


@frozen
class SkippedTool:
    """A tool an upstream listed that the gateway cannot serve, and why."""

    name: str
    reason: str


@frozen
class DomainState:
    """What the gateway knows of one upstream: its last good listing and how the last attempt went."""

    name: str
    description: str = ""
    status: DomainStatus = DomainStatus.PENDING
    specs: tuple[ToolSpec, ...] = ()
    skipped: tuple[SkippedTool, ...] = ()
    error_code: str | None = None
    error_message: str | None = None


def ingest(specs: Sequence[ToolSpec]) -> tuple[tuple[ToolSpec, ...], tuple[SkippedTool, ...]]:
    """Keep every tool the gateway can serve; say which others were dropped and why.

    Only a tool that cannot be addressed at all is dropped: one without a name, one whose name is
    longer than MCP allows, or a second tool of the same name (the upstream could not dispatch it
    either). Deep schemas, ``$ref`` schemas and unusual characters are all kept.
    """
    kept: list[ToolSpec] = []
    skipped: list[SkippedTool] = []
    seen: set[str] = set()
    for spec in specs:
        if not spec.name.strip():
            skipped.append(SkippedTool(spec.name, "the tool has no name"))
        elif len(spec.name) > MAX_UPSTREAM_NAME:
            skipped.append(SkippedTool(spec.name[:40] + "…", f"the name is longer than {MAX_UPSTREAM_NAME} characters"))
        elif spec.name in seen:
            skipped.append(SkippedTool(spec.name, "the upstream lists this name twice; the first one is kept"))
        else:
            seen.add(spec.name)
            kept.append(spec)
    return tuple(kept), tuple(skipped)


@frozen
class DomainView:
    """One domain as the snapshot shows it."""

    name: str
    description: str
    status: DomainStatus
    tool_names: tuple[str, ...]
    groups: Mapping[str, tuple[str, ...]] = field(hash=False)
    error_code: str | None = None

    @property
    def tool_count(self) -> int:
        return len(self.tool_names)


_KEPT_VIEWS = 8
"""Views of a snapshot kept for callers who will ask again (each at most a copy of its maps)."""


@frozen
class RegistrySnapshot:
    """Every domain and tool at one moment. Never changed: build a new one instead. (It keeps what
    is derived from it for callers who ask again, views and search scopes, in fields of their own.)"""

    domains: Mapping[str, DomainView] = field(factory=dict, hash=False)
    tools: Mapping[str, Tool] = field(factory=dict, hash=False)
    renamed_from: Mapping[str, tuple[str, ...]] = field(factory=dict, hash=False)
    """Original names that were renamed, mapped to the exposed names they became."""
    by_normalized: Mapping[str, tuple[str, ...]] = field(factory=dict, hash=False)
    """Exposed and original names with case and separators erased, mapped to exposed names."""
    search_index: SearchIndex = field(factory=SearchIndex, eq=False, hash=False)
    """The search index of ``tools``, built with the snapshot."""
    _views: OrderedDict[tuple[frozenset[str] | None, frozenset[str]], RegistrySnapshot] = field(
        factory=OrderedDict, init=False, eq=False, hash=False, repr=False
    )
    """The last few callers' views (``restricted_to``), by what they may see."""
    search_scopes: dict[tuple[str | None, str | None], Positions | None] = field(
        factory=dict, init=False, eq=False, hash=False, repr=False
    )
    """``search.search_scope``'s answers for this snapshot, by domain and group (a view is kept and
    searched again and again: its nine thousand positions took 2 ms to gather at each search)."""

    @property
    def tool_count(self) -> int:
        return len(self.tools)

    def domain_tool_names(self, domain: str, group: str | None = None) -> tuple[str, ...]:
        view = self.domains[domain]
        return view.tool_names if group is None else view.groups.get(group, ())

    def domain_tools(self, domain: str, group: str | None = None) -> list[Tool]:
        return [self.tools[name] for name in self.domain_tool_names(domain, group)]

    def all_tools(self) -> Iterable[Tool]:
        return self.tools.values()

    def restricted_to(self, tool_names: Set[str] | None, domains: Set[str]) -> RegistrySnapshot:
        """The part of this snapshot one caller may see: only ``tool_names`` (``None``: every tool
        of the domains), only ``domains``.

        Every lookup, listing, search, suggestion and error built on the result can only ever name
        what it holds, which is what keeps hidden tools from leaking through any of them.

        A caller asks for the same view request after request, and building one took 40 ms at ten
        thousand tools (and its search scope 2 ms more), so the last few views are kept with the
        snapshot they came from and go when it is replaced.
        """
        key = (None if tool_names is None else frozenset(tool_names), frozenset(domains))
        view = self._views.get(key)
        if view is None:
            view = self._restricted(key[0], key[1])
            if len(self._views) >= _KEPT_VIEWS:
                self._views.popitem(last=False)  # (one call: safe if another thread adds a view)
            self._views[key] = view
        return view

    def _restricted(self, tool_names: Set[str] | None, domains: Set[str]) -> RegistrySnapshot:
        tools = {
            name: tool
            for name, tool in self.tools.items()
            if tool.domain in domains and (tool_names is None or name in tool_names)
        }
        views: dict[str, DomainView] = {}
        for name, view in self.domains.items():
            if name not in domains:
                continue
            kept = tuple(n for n in view.tool_names if n in tools)
            groups = {g: members for g, ms in view.groups.items() if (members := tuple(n for n in ms if n in tools))}
            views[name] = evolve(view, tool_names=kept, groups=groups)
        return RegistrySnapshot(
            domains=views,
            tools=tools,
            renamed_from={
                k: v for k, targets in self.renamed_from.items() if (v := tuple(t for t in targets if t in tools))
            },
            by_normalized={
                k: v for k, names in self.by_normalized.items() if (v := tuple(n for n in names if n in tools))
            },
            # Shared, not rebuilt per request: a search of this view keeps to the tools it holds.
            search_index=self.search_index,
        )


def _permitted(ordered: list[DomainState], policy: AccessPolicy) -> list[tuple[DomainState, list[ToolSpec]]]:
    """Each domain's tools that the policy lets through, judged on exposed and original names."""
    if policy.is_open:
        return [(state, list(state.specs)) for state in ordered]
    tentative = assign_exposed_names({state.name: [spec.name for spec in state.specs] for state in ordered})
    return [
        (state, [s for s in state.specs if policy.permits(state.name, tentative[(state.name, s.name)], s.name)])
        for state in ordered
    ]


def build_snapshot(
    states: Iterable[DomainState],
    policy: AccessPolicy = OPEN,
    *,
    previous: RegistrySnapshot | None = None,
    semantic: SemanticRanker | None = None,
    glosser: Glosser | None = None,
) -> RegistrySnapshot:
    """Lay out every domain's permitted tools, renaming collisions deterministically, and index them.

    Names are assigned twice when a policy is set: once to judge each tool by the name it would
    have, then again over the permitted tools only, so a hidden tool never renames a visible one.
    The search index reuses ``previous``'s analysis of every tool that did not change.
    """
    ordered = sorted((s for s in states if not policy.hides_domain(s.name)), key=lambda state: state.name)
    permitted = _permitted(ordered, policy)
    exposed = assign_exposed_names({state.name: [spec.name for spec in specs] for state, specs in permitted})

    tools: dict[str, Tool] = {}
    domains: dict[str, DomainView] = {}
    renamed_from: dict[str, list[str]] = defaultdict(list)
    by_normalized: dict[str, set[str]] = defaultdict(set)
    for state, specs in permitted:
        names: list[str] = []
        groups: dict[str, list[str]] = defaultdict(list)
        for spec in specs:
            name = exposed[(state.name, spec.name)]
            group = infer_group(state.name, spec.name)
            tools[name] = Tool(name=name, domain=state.name, group=group, spec=spec)
            names.append(name)
            groups[group].append(name)
            if name != spec.name:
                renamed_from[spec.name].append(name)
            by_normalized[normalized_name(name)].add(name)
            by_normalized[normalized_name(spec.name)].add(name)
        domains[state.name] = DomainView(
            name=state.name,
            description=state.description,
            status=state.status,
            tool_names=tuple(names),
            groups={group: tuple(members) for group, members in sorted(groups.items())},
            error_code=state.error_code,
        )
    index = SearchIndex.build(
        list(tools.values()),
        {state.name: state.description for state in ordered},
        previous=previous.search_index if previous is not None else None,
        semantic=semantic,
        glosser=glosser,
    )
    return RegistrySnapshot(
        domains=domains,
        tools=tools,
        renamed_from={name: tuple(sorted(targets)) for name, targets in renamed_from.items()},
        by_normalized={key: tuple(sorted(names)) for key, names in by_normalized.items()},
        search_index=index,
    )


@frozen
class DomainChange:
    """What one refresh changed in one domain, by exposed tool name."""

    domain: str
    added: tuple[str, ...]
    removed: tuple[str, ...]
    tool_count: int
    status: DomainStatus
    error_code: str | None = None
    error_message: str | None = None
    skipped: tuple[SkippedTool, ...] = ()

    def to_payload(self) -> dict[str, Any]:
        """The reference's ``{"domain", "added", "removed", "tool_count"}`` plus status and problems."""
        payload: dict[str, Any] = {
            "domain": self.domain,
            "added": list(self.added),
            "removed": list(self.removed),
            "tool_count": self.tool_count,
            "status": self.status.value,
        }
        if self.error_code:
            payload["error"] = {"code": self.error_code, "message": self.error_message}
        if self.skipped:
            payload["skipped"] = [{"name": s.name, "reason": s.reason} for s in self.skipped]
        return payload


def diff_domain(before: RegistrySnapshot, after: RegistrySnapshot, state: DomainState) -> DomainChange:
    old = set(before.domains[state.name].tool_names) if state.name in before.domains else set()
    view = after.domains.get(state.name)
    new = set(view.tool_names) if view is not None else set()
    return DomainChange(
        domain=state.name,
        added=tuple(sorted(new - old)),
        removed=tuple(sorted(old - new)),
        tool_count=len(new),
        status=state.status,
        error_code=state.error_code,
        error_message=state.error_message,
        skipped=state.skipped,
    )
