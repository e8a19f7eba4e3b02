"""Typo tolerance: the vocabulary terms a misspelt query term probably meant.

A scan of the whole vocabulary per query word would cost milliseconds at ten thousand tools, so
candidates come from a symmetric-delete index (the SymSpell idea): every vocabulary term is
filed under each string obtained by deleting one of its characters, and a query word is looked up
the same way. Candidates are then confirmed with a real edit distance.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping

MIN_TYPO_LENGTH = 4
"""Shorter words are too easy to turn into another real word with one edit."""
LONG_WORD = 8
"""From this length on, two edits are forgiven."""


def edit_distance(a: str, b: str, limit: int = 2) -> int:
    """Damerau–Levenshtein (optimal string alignment) distance, or ``limit + 1`` once it exceeds ``limit``."""
    if a == b:
        return 0
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                value = min(value, previous2[j - 2] + 1)
            current[j] = value
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return min(previous[-1], limit + 1)


def _deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def _same_start(word: str, term: str) -> bool:
    """Whether ``term`` could be ``word`` typed with its first letter right (or its first two
    swapped). Spelling errors seldom fall on the first letter, while a short word one edit from
    another with a different first letter is usually a real word of its own: "gift" is not a
    misspelt "sift", nor "rust" a misspelt "just"."""
    return word[0] == term[0] or word[:2] == term[1::-1]


def allowed_edits(word: str) -> int:
    return 2 if len(word) >= LONG_WORD else 1


class TypoIndex:
    """Vocabulary terms filed under their one-character deletions."""

    def __init__(self, vocabulary: Iterable[str]) -> None:
        by_delete: dict[str, list[str]] = defaultdict(list)
        known: set[str] = set()
        for term in vocabulary:
            if len(term) < MIN_TYPO_LENGTH or not term.isalpha():
                continue
            known.add(term)
            for deleted in _deletes(term):
                by_delete[deleted].append(term)
        self._known = frozenset(known)
        self._by_delete: Mapping[str, list[str]] = dict(by_delete)

    def corrections(self, word: str) -> list[tuple[str, int]]:
        """Vocabulary terms within the allowed number of edits of ``word``, closest first."""
        if len(word) < MIN_TYPO_LENGTH or not word.isalpha():
            return []
        limit = allowed_edits(word)
        probes = {word} | _deletes(word)
        if limit > 1:
            probes |= {shorter for deleted in list(probes) for shorter in _deletes(deleted)}
        candidates: set[str] = set()
        for probe in probes:
            if probe in self._known:
                candidates.add(probe)
            candidates.update(self._by_delete.get(probe, ()))
        candidates.discard(word)
        if limit == 1:
            candidates = {term for term in candidates if _same_start(word, term)}
        found = [(term, distance) for term in candidates if (distance := edit_distance(word, term, limit)) <= limit]
        found.sort(key=lambda pair: (pair[1], pair[0]))
        return found
