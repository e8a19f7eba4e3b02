"""The optional semantic ranker (a port) and how its ranking is fused with the lexical one.

Word matching misses a query that says "folder" about a tool that says "directory"; an embedding
model does not, but it is too big and too slow to live in the domain. So the domain asks a
``SemanticRanker`` adapter to index the tools' texts when a snapshot is built, asks that index for
the nearest tools at query time, and fuses the two: the lexical ranking alone still decides when
no adapter is configured.

The fusion adds scores, each rescaled to its own list: reciprocal-rank fusion (tried first) gives
the semantic list's top places as much say as the lexical ones however sure the lexical ranker is,
and on long task descriptions, whose averaged embedding drifts towards no meaning in particular,
it cost a tenth of the LiveMCPBench hits. Scores keep the lexical ranker's confidence: a tool that
matches every word stays first, and the semantic score settles close calls and brings in tools
that share no word with the query (``bench/search_quality.py`` measured both).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
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


SEMANTIC_WEIGHT = 0.5
"""How much the semantic score counts beside the lexical one (both rescaled to at most 1)."""
MIN_SPREAD = 0.05
"""The least range of similarities rescaled to 0–1: among a handful of tools (a search inside a
small domain) near-equal similarities must not count as a full point apart."""


def score_fusion(
    lexical: Sequence[tuple[int, float]], nearest: Sequence[tuple[int, float]], weight: float = SEMANTIC_WEIGHT
) -> dict[int, float]:
    """Each position's fused score from (position, score) lists (in any order).

    The lexical score counts as a share of the best one; the similarity is rescaled so that the
    nearest text counts 1 and the least near 0 (over at least ``MIN_SPREAD``) and is added at
    ``weight``, so it moves a tool by at most that share of the best lexical score. A tool only
    the semantic list holds is kept when its similarity counts for something, or when nothing
    matched lexically (then the semantic ranking is all there is). Non-finite similarities
    (a model that knows no word of the query) are ignored.
    """
    fused: dict[int, float] = {}
    best = max((score for _, score in lexical), default=0.0)
    if best > 0:
        fused = {position: score / best for position, score in lexical}
    similar = [(position, similarity) for position, similarity in nearest if math.isfinite(similarity)]
    if not similar:
        return fused
    semantic_only = not fused
    high = max(similarity for _, similarity in similar)
    low = min(similarity for _, similarity in similar)
    spread = max(high - low, MIN_SPREAD)
    for position, similarity in similar:
        share = (similarity - low) / spread
        if share > 0 or semantic_only or position in fused:
            fused[position] = fused.get(position, 0.0) + weight * share
    return fused
