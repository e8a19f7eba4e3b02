"""Words that mean the same thing in tool descriptions, for query expansion.

People ask for a "folder" when the tool says "directory", or to "remove" what the tool would
"delete". The lexical ranker looks up each query word's synonyms as well, at a discount, so the
word the tool happened to use still matches. The groups are the general vocabulary of software
tools (files, records, CRUD verbs, search, time, media), not any one catalogue's.
"""

from __future__ import annotations

from collections.abc import Mapping

from gateway_domain.analysis import terms

GROUPS: tuple[str, ...] = (
    "directory folder dir",
    "file document",
    "delete remove erase drop destroy purge",
    "create make new",
    "add insert append attach",
    "update modify change edit alter",
    "read open load view",
    "write save store persist record",
    "show display view print",
    "list enumerate",
    "search find lookup locate seek query",
    "get fetch retrieve obtain",
    "download fetch",
    "history log",
    "relation relationship link connection",
    "allowed permitted accessible",
    "run execute invoke launch",
    "convert transform",
    "compare diff difference",
    "rename move relocate",
    "copy duplicate clone",
    "image picture photo",
    "email mail",
    "message chat",
    "calendar schedule agenda",
    "route directions navigation",
    "summary summarize overview",
    "trending popular hot",
    "news headlines",
    "price cost",
    "stock share equity ticker",
    "size large big",
    "error failure",
    "user account",
    "website site webpage",
    "url address link",
    "text content",
    "weather forecast",
    "location place address",
    "current now latest today",
)


def _build() -> Mapping[str, frozenset[str]]:
    related: dict[str, set[str]] = {}
    for group in GROUPS:
        stems = {term for word in group.split() for term in terms(word)}
        for term in stems:
            related.setdefault(term, set()).update(stems - {term})
    return {term: frozenset(others) for term, others in related.items()}


SYNONYMS: Mapping[str, frozenset[str]] = _build()
"""Each stemmed term mapped to the stemmed terms that mean the same."""
