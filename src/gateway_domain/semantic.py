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

import numpy as np
import numpy.typing as npt

Positions = npt.NDArray[np.intp]
Values = npt.NDArray[np.float64]
Scored = tuple[Positions, Values]
"""Positions with a score each, as two arrays of the same length: a search adds, compares and
sorts them in numpy, since a Python loop over a hundred candidates costs a tenth of a millisecond."""


class SemanticIndex(Protocol):
    """Tool texts embedded once, answering nearest-neighbour queries."""

    def nearest(self, query: str, limit: int, among: Positions | None = None) -> Scored:
        """Positions (into the indexed texts) of the ``limit`` texts closest to ``query``, best
        first, and their similarity; only positions in ``among`` (ascending) when it is given."""
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


def score_fusion(lexical: Scored, nearest: Scored, weight: float = SEMANTIC_WEIGHT) -> Scored:
    """Each position's fused score, from the lexical scores and the semantic similarities (each
    in any order).

    The lexical score counts as a share of the best one; the similarity is rescaled so that the
    nearest text counts 1 and the least near 0 (over at least ``MIN_SPREAD``) and is added at
    ``weight``, so it moves a tool by at most that share of the best lexical score. A tool only
    the semantic list holds is kept when its similarity counts for something, or when nothing
    matched lexically (then the semantic ranking is all there is). Non-finite similarities
    (a model that knows no word of the query) are ignored.
    """
    lexical_positions, lexical_scores = lexical
    near_positions, similarity = nearest
    finite = np.isfinite(similarity)
    if not finite.all():
        near_positions, similarity = near_positions[finite], similarity[finite]
    best = float(lexical_scores.max()) if len(lexical_scores) else 0.0
    if best <= 0:
        lexical_positions = lexical_positions[:0]
    size = 1 + max(int(lexical_positions.max(initial=-1)), int(near_positions.max(initial=-1)))
    fused = np.zeros(size)
    fused[lexical_positions] = lexical_scores / best if best > 0 else 0.0
    if not len(similarity):
        return lexical_positions, fused[lexical_positions]
    low = float(similarity.min())
    share = (similarity - low) / max(float(similarity.max()) - low, MIN_SPREAD)
    lexical_too = np.zeros(size, dtype=bool)
    lexical_too[lexical_positions] = True
    lexical_too = lexical_too[near_positions]
    keep = (share > 0) | lexical_too if len(lexical_positions) else np.ones(len(share), dtype=bool)
    fused[near_positions[keep]] += weight * share[keep]
    positions = np.concatenate((lexical_positions, near_positions[keep & ~lexical_too]))
    return positions, fused[positions]
