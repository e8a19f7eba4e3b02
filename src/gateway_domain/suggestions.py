"""'Did you mean' suggestions for a tool name that does not resolve."""

from __future__ import annotations

from collections.abc import Iterable
from difflib import SequenceMatcher

from gateway_domain.text import normalized_name, words

_THRESHOLD = 0.45


def _score(wanted: str, wanted_words: set[str], candidate: str) -> float:
    similarity = SequenceMatcher(None, normalized_name(wanted), normalized_name(candidate), autojunk=False).ratio()
    candidate_words = set(words(candidate))
    overlap = len(wanted_words & candidate_words) / len(wanted_words | candidate_words) if candidate_words else 0.0
    contained = 0.15 if normalized_name(wanted) in normalized_name(candidate) else 0.0
    return max(similarity, overlap) + contained


def suggest(wanted: str, candidates: Iterable[str], limit: int = 3) -> list[str]:
    """The candidates closest to ``wanted`` by edit distance and shared words, best first."""
    wanted_words = set(words(wanted))
    scored = [(score, name) for name in candidates if (score := _score(wanted, wanted_words, name)) >= _THRESHOLD]
    scored.sort(key=lambda pair: (-pair[0], pair[1]))
    return [name for _, name in scored[:limit]]
