"""The optional semantic ranker (a port) and how its ranking is fused with the lexical one.

Word matching misses a query that says "folder" about a tool that says "directory"; an embedding
model does not, but it is too big and too slow to live in the domain. So the domain asks a
``SemanticRanker`` adapter to index the tools' texts when a snapshot is built, asks that index for
the nearest tools at query time, and fuses the two rankings by reciprocal rank: robust to the two
scores being on unrelated scales, and the lexical ranking alone still decides when no adapter is
configured.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol


class SemanticIndex(Protocol):
    """Tool texts embedded once, answering nearest-neighbour queries."""

    def nearest(self, query: str, limit: int, among: Sequence[int] | None = None) -> Sequence[tuple[int, float]]:
        """Positions (into the indexed texts) of the ``limit`` texts closest to ``query``, with their
        similarity, best first; only positions in ``among`` when it is given."""
        ...


class SemanticRanker(Protocol):
    """Builds a ``SemanticIndex`` over texts. Called whenever the registry changes, so an adapter
    should keep the vectors of texts it has seen before instead of embedding them again."""

    def index(self, texts: Sequence[str]) -> SemanticIndex: ...


RRF_K = 60
"""The constant of reciprocal-rank fusion; 60 is the value of Cormack et al. and works without tuning."""


def reciprocal_rank_fusion(rankings: Iterable[Sequence[int]], k: int = RRF_K) -> dict[int, float]:
    """Each item's fused score: the sum over rankings of ``1 / (k + rank)``, rank counted from 1."""
    fused: dict[int, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking, 1):
            fused[item] = fused.get(item, 0.0) + 1.0 / (k + rank)
    return fused
