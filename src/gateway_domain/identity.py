"""Who is calling: the verified identity of a bearer token, and the domains its claims grant."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from attrs import field, frozen


@frozen
class Identity:
    """A caller whose token was verified: its subject, scopes and every claim."""

    subject: str | None
    claims: Mapping[str, Any] = field(factory=dict, hash=False)
    scopes: tuple[str, ...] = ()

    @classmethod
    def from_claims(cls, claims: Mapping[str, Any]) -> Identity:
        """A verified token's claims: subject from ``sub``, scopes from ``scope`` (or ``scp``)."""
        scope = claims.get("scope", claims.get("scp", ()))
        scopes = tuple(scope.split()) if isinstance(scope, str) else tuple(str(s) for s in scope or ())
        subject = claims.get("sub")
        return cls(subject=str(subject) if subject is not None else None, claims=dict(claims), scopes=scopes)

    @property
    def id(self) -> str | None:
        """The subject, under the name hook code written for the reference gateway reads."""
        return self.subject


@frozen
class DomainGrants:
    """The domains a caller may use, read from a claim of its token.

    The claim holds domain names as a list or a space-separated string (``"crm web"``); ``"*"``
    grants every domain. With a ``prefix``, only values that start with it count, prefix removed —
    so scopes such as ``"mcp:domain:crm"`` can grant domains from the standard ``scope`` claim.
    A caller without a verified identity is granted nothing.
    """

    claim: str
    prefix: str = ""

    def domains(self, identity: Identity | None) -> frozenset[str]:
        if identity is None:
            return frozenset()
        value = identity.claims.get(self.claim)
        items = value.split() if isinstance(value, str) else value if isinstance(value, list | tuple) else []
        return frozenset(
            str(item)[len(self.prefix) :] for item in items if isinstance(item, str) and item.startswith(self.prefix)
        )

    def allows(self, identity: Identity | None, domain: str) -> bool:
        return bool(self.granted_among(identity, (domain,)))

    def granted_among(self, identity: Identity | None, domains: Iterable[str]) -> set[str]:
        """Which of ``domains`` the caller may use (the claim read once for all of them)."""
        granted = self.domains(identity)
        return set(domains) if "*" in granted else {domain for domain in domains if domain in granted}
