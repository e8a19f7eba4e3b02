"""The ``SemanticRanker`` port on WordLlama: static word embeddings shipped inside the PyPI wheel.

WordLlama's model is a token-embedding table (16 MB) averaged over a sentence: no network, no
torch, about a tenth of a millisecond per query, and good enough at "folder" ≈ "directory" to
lift search quality when fused with the lexical ranking. The wheel carries its weights and
tokenizer, but ``WordLlama.load()`` looks for the tokenizer in a folder the wheel does not use and
then tries to download it; pointing its cache at the package's own folder loads both offline.

Vectors are kept by text, so rebuilding the index after one domain changes embeds only that
domain's new texts.

A query's similarities are one matrix–vector product: 0.1–0.25 ms on one thread for 10,000 tools
while the matrix (10 MB) is in the CPU's cache. In a running search it is not: scoring the query's
words first has evicted it, and reading it from memory took 1.1 ms on a 2-core cloud machine. So a
large catalogue is searched in two steps (a Matryoshka funnel): WordLlama's vectors are trained so
that their first dimensions carry most of the meaning, and the first half, stored apart, picks the
``FUNNEL_WIDTH`` nearest candidates at half the memory traffic; the full vectors then rank those.
On 10,000 synthetic tools the funnel's 100 nearest are 98% the exact 100 (the rest are near ties).
Left to OpenBLAS's thread pool, the same product took 8 ms at p90 whenever the machine's other core
was busy (the threads wait for each other), so BLAS is held to one thread. That limit is set once,
when the first ranker is made, for the whole process (nothing else in the gateway uses BLAS):
setting and restoring it around each product, as at first, re-sized OpenBLAS's pool every time and
cost 0.5 ms a query on its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt
from threadpoolctl import ThreadpoolController

Matrix = npt.NDArray[np.float32]


class _Model(Protocol):
    def embed(self, texts: list[str], norm: bool = ...) -> Matrix: ...


def load_wordllama() -> _Model:
    """WordLlama's bundled ``l2_supercat`` model, loaded without network access.

    Raises ``ImportError`` when the ``semantic`` extra is not installed.
    """
    import wordllama
    from wordllama import WordLlama

    model: Any = WordLlama.load(cache_dir=Path(wordllama.__file__).parent, disable_download=True)
    return model  # type: ignore[no-any-return]


_BLAS = ThreadpoolController()
_blas_limits: list[object] = []


def _one_blas_thread() -> None:
    """Hold BLAS to one thread from now on (the limiter is kept so that it stays in force)."""
    if not _blas_limits:
        _blas_limits.append(_BLAS.limit(limits=1, user_api="blas"))


FUNNEL_WIDTH = 400
"""How many candidates the first half of the vectors passes to the full ones, at least."""
FUNNEL_FROM = 2_000
"""Below this many vectors (1 KB each: 2 MB in all, which the cache holds) the exact product is as fast."""


class WordLlamaIndex:
    """Unit vectors of the indexed texts, split into their first half and the rest (each stored
    contiguously, so that the funnel's first step reads only the first); similarity is a dot product."""

    def __init__(self, model: _Model, vectors: Matrix) -> None:
        self._model = model
        cut = vectors.shape[1] // 2
        self._head: Matrix = np.ascontiguousarray(vectors[:, :cut])
        self._tail: Matrix = np.ascontiguousarray(vectors[:, cut:])

    def nearest(self, query: str, limit: int, among: Sequence[int] | None = None) -> Sequence[tuple[int, float]]:
        if not len(self._head) or limit <= 0:
            return []
        wanted = self._model.embed([query], norm=True)[0]
        if not np.isfinite(wanted).all():
            return []  # nothing in the query the model knows
        cut = self._head.shape[1]
        head, tail = wanted[:cut], wanted[cut:]
        positions = np.asarray(among, dtype=np.intp) if among is not None else None
        rows = self._head if positions is None else self._head[positions]
        if not len(rows):
            return []
        width = max(FUNNEL_WIDTH, 4 * limit)
        if len(rows) >= max(FUNNEL_FROM, 2 * width):
            coarse = rows @ head
            candidates = np.argpartition(-coarse, width - 1)[:width]
            chosen = candidates if positions is None else positions[candidates]
            similarity = coarse[candidates] + self._tail[chosen] @ tail
        else:
            chosen = np.arange(len(rows)) if positions is None else positions
            similarity = rows @ head + (self._tail if positions is None else self._tail[positions]) @ tail
        count = min(limit, len(similarity))
        top = np.argpartition(-similarity, count - 1)[:count]
        top = top[np.argsort(-similarity[top], kind="stable")]
        return [(int(position), float(similarity[row])) for position, row in zip(chosen[top], top, strict=True)]


class WordLlamaRanker:
    """Embeds tool texts with WordLlama, remembering the vector of every text it indexed last time."""

    def __init__(self, model: _Model | None = None) -> None:
        self.model = model if model is not None else load_wordllama()
        self._known: dict[str, Matrix] = {}
        _one_blas_thread()

    def index(self, texts: Sequence[str]) -> WordLlamaIndex:
        # Shortest first: WordLlama pads each batch to its longest text, so batches of like lengths
        # waste less (a quarter of the time for 10,000 new tools).
        missing = sorted(dict.fromkeys(text for text in texts if text not in self._known), key=len)
        known = {text: self._known[text] for text in texts if text in self._known}
        if missing:
            embedded = self.model.embed(missing, norm=True)
            embedded = np.nan_to_num(embedded, nan=0.0)  # a text of unknown tokens has no direction
            known.update(zip(missing, embedded, strict=True))
        self._known = known
        dimensions = next(iter(known.values())).shape[0] if known else 0
        vectors = np.stack([known[text] for text in texts]) if texts else np.zeros((0, dimensions), np.float32)
        return WordLlamaIndex(self.model, vectors.astype(np.float32, copy=False))
