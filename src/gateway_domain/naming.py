"""Exposed tool names and groups.

Two upstreams may both offer ``search``. The gateway exposes both as ``<domain>_search`` and
dispatches each to its upstream by the original name. Names are assigned from the whole set of
listings at once, in sorted order, so the result never depends on which upstream answered first.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache, partial

MAX_EXPOSED_NAME = 64
"""Exposed names stay short enough for every MCP client and LLM provider (OpenAI caps at 64)."""

GENERAL_GROUP = "general"

_SEPARATORS = re.compile(r"[_.\-]+")
_NOT_ALLOWED = re.compile(r"[^A-Za-z0-9_.\-]")


def split_name(name: str) -> list[str]:
    """``crm_people-search.v2`` → ``["crm", "people", "search", "v2"]``."""
    return [part for part in _SEPARATORS.split(name) if part]


@lru_cache(maxsize=1 << 16)
def infer_group(domain: str, tool_name: str) -> str:
    """The group of a tool: the segment after its domain prefix (``crm_people_search`` → ``people``).

    A tool whose name does not start with its domain, or has nothing after the group segment,
    is in the ``general`` group: a group of one verb (``crm_search`` → ``search``) helps nobody
    browse. (Cached: every snapshot asks again for every tool.)
    """
    domain_parts = [p.lower() for p in split_name(domain)]
    parts = split_name(tool_name)
    if not domain_parts or [p.lower() for p in parts[: len(domain_parts)]] != domain_parts:
        return GENERAL_GROUP
    rest = parts[len(domain_parts) :]
    if len(rest) < 2:
        return GENERAL_GROUP
    return rest[0].lower()


def _fitted(candidate: str, key: str, tail: str = "") -> str:
    """``candidate + tail`` if it fits in MAX_EXPOSED_NAME; else its readable start, a short digest
    of ``key`` (unique and stable) and ``tail``."""
    if len(candidate) + len(tail) <= MAX_EXPOSED_NAME:
        return candidate + tail
    digest = hashlib.sha256(key.encode()).hexdigest()[:8]
    keep = MAX_EXPOSED_NAME - len(digest) - len(tail) - 1
    return f"{candidate[:keep]}_{digest}{tail}"


def _prefixed(domain: str, name: str, tail: str = "") -> str:
    return _fitted(f"{domain}_{name}", f"{domain}\0{name}", tail)


def _claim_first_free(make: Callable[[str], str], taken: set[str]) -> str:
    """``make("")``, else ``make("_2")``, ``make("_3")``, … whichever is not taken yet; takes it."""
    candidate, suffix = make(""), 2
    while candidate in taken:
        candidate, suffix = make(f"_{suffix}"), suffix + 1
    taken.add(candidate)
    return candidate


def sanitize_name(name: str) -> str:
    """The name with every character MCP clients reject replaced by ``_`` (``a b`` → ``a_b``)."""
    return _NOT_ALLOWED.sub("_", name)[:128]


def assign_exposed_names(listings: Mapping[str, Iterable[str]]) -> dict[tuple[str, str], str]:
    """Map ``(domain, original name)`` to the name the gateway exposes.

    A name offered once is kept (with characters outside ``[A-Za-z0-9_.-]`` replaced, and cut to
    64 characters with a digest when longer). A name offered by several domains becomes
    ``<domain>_<name>`` in each of them; if that still clashes with another exposed name, a numeric
    suffix makes it unique. Domains and names are walked in sorted order, so the same listings
    always give the same names.
    """
    owners: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for domain in sorted(listings):
        for name in sorted(set(listings[domain])):
            owners[sanitize_name(name)].append((domain, name))

    exposed: dict[tuple[str, str], str] = {}
    taken: set[str] = set()
    for base, claims in owners.items():
        if len(claims) == 1 and len(base) <= MAX_EXPOSED_NAME:
            exposed[claims[0]] = base
            taken.add(base)
    for base in sorted(b for b, claims in owners.items() if len(claims) == 1 and len(b) > MAX_EXPOSED_NAME):
        [(domain, name)] = owners[base]
        exposed[(domain, name)] = _claim_first_free(partial(_fitted, base, f"{domain}\0{name}"), taken)
    for base in sorted(b for b, claims in owners.items() if len(claims) > 1):
        for domain, name in owners[base]:
            exposed[(domain, name)] = _claim_first_free(partial(_prefixed, domain, base), taken)
    return exposed
