"""Ranked keyword search over tools.

A tool matches when it shares any word with the query (not all of them), and tools are ranked by
how many query words they share, weighted by where the word appears (name over description).
"""

from __future__ import annotations

from collections.abc import Iterable

from attrs import frozen

from gateway_domain.text import words
from gateway_domain.tools import Tool

_NAME_WEIGHT = 3.0
_GROUP_WEIGHT = 1.5
_DESCRIPTION_WEIGHT = 1.0


@frozen
class SearchHit:
    tool: Tool
    score: float


def _stem(word: str) -> str:
    for suffix in ("ies", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)] + ("y" if suffix == "ies" else "")
    return word


def search(tools: Iterable[Tool], query: str, limit: int = 10) -> list[SearchHit]:
    """The tools that best match ``query``, best first."""
    wanted = {_stem(w) for w in words(query)}
    if not wanted:
        return []
    hits: list[SearchHit] = []
    for tool in tools:
        name_words = {_stem(w) for w in words(tool.name)} | {_stem(w) for w in words(tool.original_name)}
        domain_words = {_stem(w) for w in words(tool.domain)} | {_stem(w) for w in words(tool.group)}
        description_words = {_stem(w) for w in words(tool.description)}
        score = 0.0
        for word in wanted:
            if word in name_words:
                score += _NAME_WEIGHT
            if word in domain_words:
                score += _GROUP_WEIGHT
            if word in description_words:
                score += _DESCRIPTION_WEIGHT
        if score > 0:
            hits.append(SearchHit(tool, score))
    hits.sort(key=lambda hit: (-hit.score, hit.tool.name))
    return hits[:limit]
