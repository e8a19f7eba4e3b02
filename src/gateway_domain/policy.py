"""Which upstream tools the gateway exposes at all: allow and deny globs per domain.

A tool the policy refuses never enters the registry, so it can be neither seen nor executed
through any meta-tool, and it cannot cause another tool to be renamed (which would reveal it).
Patterns are ``fnmatch`` globs, case-sensitive, matched on both the exposed and the original name
so a collision rename can never slip a tool past a rule.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fnmatch import fnmatchcase

from attrs import field, frozen


def _patterns(value: Mapping[str, Sequence[str]]) -> Mapping[str, tuple[str, ...]]:
    return {domain: tuple(patterns) for domain, patterns in value.items()}


@frozen
class AccessPolicy:
    """Allow and deny globs per domain; deny always wins.

    With the reference gateway's semantics (the default), a non-empty ``allow`` map exposes only
    the domains it names. ``per_upstream`` builds the policy of per-upstream ``allowed_tools`` and
    ``denied_tools``, where a domain without ``allowed_tools`` keeps all its tools.
    """

    allow: Mapping[str, tuple[str, ...]] = field(factory=dict, converter=_patterns, hash=False)
    deny: Mapping[str, tuple[str, ...]] = field(factory=dict, converter=_patterns, hash=False)
    unlisted_domains_allowed: bool = False

    @classmethod
    def per_upstream(cls, allowed: Mapping[str, Sequence[str]], denied: Mapping[str, Sequence[str]]) -> AccessPolicy:
        return cls(
            allow={d: p for d, p in allowed.items() if p},
            deny={d: p for d, p in denied.items() if p},
            unlisted_domains_allowed=True,
        )

    @property
    def is_open(self) -> bool:
        return not self.allow and not self.deny

    def hides_domain(self, domain: str) -> bool:
        """Whether the whole domain is refused (absent from a non-empty ``allow`` map)."""
        return bool(self.allow) and not self.unlisted_domains_allowed and domain not in self.allow

    def permits(self, domain: str, name: str, original_name: str) -> bool:
        if self.allow:
            patterns = self.allow.get(domain)
            if patterns is None:
                if not self.unlisted_domains_allowed:
                    return False
            elif not _matches(patterns, name, original_name):
                return False
        return not _matches(self.deny.get(domain, ()), name, original_name)


def _matches(patterns: Sequence[str], name: str, original_name: str) -> bool:
    return any(fnmatchcase(name, p) or fnmatchcase(original_name, p) for p in patterns)


OPEN = AccessPolicy()
