"""'Did you mean' suggestions for a tool name that does not resolve."""

from __future__ import annotations

from collections.abc import Iterable
from difflib import SequenceMatcher

from gateway_domain.text import normalized_name, words

_THRESHOLD = 0.45
MAX_NAME = 256
"""Longer than any MCP tool name can be (128): such a "name" gets no suggestions, and costs nothing."""


def _score(matcher: SequenceMatcher[str], wanted: str, wanted_words: set[str], candidate: str) -> float:
    normalized = normalized_name(candidate)
    candidate_words = set(words(candidate))
    overlap = len(wanted_words & candidate_words) / len(wanted_words | candidate_words) if candidate_words else 0.0
    contained = 0.15 if wanted in normalized else 0.0
    matcher.set_seq1(normalized)
    # The cheap upper bounds first: most candidates are ruled out without the quadratic comparison.
    if max(matcher.real_quick_ratio(), overlap) + contained < _THRESHOLD:
        return 0.0
    if max(matcher.quick_ratio(), overlap) + contained < _THRESHOLD:
        return 0.0
    return max(matcher.ratio(), overlap) + contained


def suggest(wanted: str, candidates: Iterable[str], limit: int = 3) -> list[str]:
    """The candidates closest to ``wanted`` by edit distance and shared words, best first."""
    if len(wanted) > MAX_NAME:
        return []
    normalized = normalized_name(wanted)
    wanted_words = set(words(wanted))
    matcher: SequenceMatcher[str] = SequenceMatcher(None, autojunk=False)
    matcher.set_seq2(normalized)  # seq2 is the one SequenceMatcher caches details about
    scored = [
        (score, name) for name in candidates if (score := _score(matcher, normalized, wanted_words, name)) >= _THRESHOLD
    ]
    scored.sort(key=lambda pair: (-pair[0], pair[1]))
    return [name for _, name in scored[:limit]]
