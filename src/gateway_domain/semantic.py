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


def score_fusion(
    lexical: Sequence[tuple[int, float]], nearest: Sequence[tuple[int, float]], weight: float = SEMANTIC_WEIGHT
) -> dict[int, float]:
    """Each position's fused score from (position, score) lists, best first: its lexical score as a
    share of the best one, plus ``weight`` times its similarity rescaled so that the nearest text
    counts 1 and the last one listed 0 (a tool missing from a list scores 0 in it)."""
    fused: dict[int, float] = {}
    if lexical and lexical[0][1] > 0:
        best = lexical[0][1]
        fused = {position: score / best for position, score in lexical}
    if nearest:
        high, low = nearest[0][1], nearest[-1][1]
        spread = high - low
        for position, similarity in nearest:
            share = (similarity - low) / spread if spread > 0 else 1.0
            fused[position] = fused.get(position, 0.0) + weight * share
    return fused
