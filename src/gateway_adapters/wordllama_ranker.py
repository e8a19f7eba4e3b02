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
large catalogue is searched in two steps. First the sign bits of every vector (32 bytes instead of
1 KB, stored word by word) are compared with the query's: the Hamming distance ranks roughly like
the angle (WordLlama's vectors are trained to survive binarisation), and the ``FUNNEL_WIDTH``
closest pass. Then the full vectors of those rank them exactly. A first step on the vectors' first
half, as before, cost as much as the whole product: gathering candidate rows costs about 0.4 µs a
row whatever its size, so what counts is how few rows pass. On 10,000 synthetic tools the funnel's
100 nearest are 88% the exact 100 (the rest near ties), its 10 nearest 99% and its nearest 99.8%
the same, and the fused top 10 98% (``bench/search_speed.py``'s queries).
Left to OpenBLAS's thread pool, the same product took 8 ms at p90 whenever the machine's other core
was busy (the threads wait for each other), so BLAS is held to one thread. That limit is set once,
when the first ranker is made, for the whole process (nothing else in the gateway uses BLAS):
setting and restoring it around each product, as at first, re-sized OpenBLAS's pool every time and
cost 0.5 ms a query on its own.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt
from threadpoolctl import ThreadpoolController

from gateway_domain.semantic import Positions, Scored

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
"""How many candidates the sign bits pass to the full vectors, at least."""
FUNNEL_FROM = 2_000
"""Below this many vectors (1 KB each: 2 MB in all, which the cache holds) the exact product is as fast."""


def _sign_bits(vectors: Matrix) -> npt.NDArray[np.uint64]:
    """Each vector's signs packed into 64-bit words, stored word by word (``words × vectors``), so
    that the distance to a query is a few passes over contiguous arrays."""
    packed = np.packbits(vectors > 0, axis=1)
    padding = -packed.shape[1] % 8
    if padding:
        packed = np.pad(packed, ((0, 0), (0, padding)))
    return np.ascontiguousarray(packed.view(np.uint64).T)


def _query_embedder(model: _Model) -> Callable[[str], Matrix]:
    """One text's unit vector. WordLlama's ``embed`` is made for batches (padding, masks, a
    preallocated result) and spends 0.1–0.3 ms on one query; tokenising it and averaging its
    tokens' rows gives the same vector in a third of the time. A model without a token table (a
    test's stand-in) is asked through ``embed``."""
    tokenizer, table = getattr(model, "tokenizer", None), getattr(model, "embedding", None)
    if tokenizer is None or not isinstance(table, np.ndarray):
        return lambda text: model.embed([text], norm=True)[0]
    last = table.shape[0] - 1

    def embed(text: str) -> Matrix:
        ids = tokenizer.encode(text, add_special_tokens=False).ids
        if not ids:
            return np.full(table.shape[1], np.nan, dtype=np.float32)
        if max(ids) > last:
            ids = [min(token, last) for token in ids]
        total = table.take(ids, axis=0).sum(axis=0)  # the mean's direction: it is normalised anyway
        with np.errstate(invalid="ignore", divide="ignore"):
            return total / np.sqrt(total @ total)  # type: ignore[no-any-return]

    return embed


class WordLlamaIndex:
    """Unit vectors of the indexed texts, and their sign bits for a first pass over many of them;
    similarity is a dot product."""

    def __init__(self, model: _Model, vectors: Matrix) -> None:
        self._embed = _query_embedder(model)
        self._vectors: Matrix = np.ascontiguousarray(vectors)
        self._bits = _sign_bits(self._vectors)

    def nearest(self, query: str, limit: int, among: Positions | None = None) -> Scored:
        positions = np.arange(len(self._vectors)) if among is None else among
        wanted = self._embed(query)
        if not len(positions) or limit <= 0 or not np.isfinite(wanted).all():
            return np.empty(0, dtype=np.intp), np.empty(0)  # (a query of unknown words has no direction)
        width = max(FUNNEL_WIDTH, 2 * limit)
        if len(positions) >= max(FUNNEL_FROM, 2 * width):
            positions = positions[self._fewest_differing_signs(wanted, width, among)]
        similarity = (self._vectors[positions] @ wanted).astype(np.float64)
        count = min(limit, len(similarity))
        top = np.argpartition(-similarity, count - 1)[:count]
        top = top[np.argsort(-similarity[top], kind="stable")]
        return positions[top], similarity[top]

    def _fewest_differing_signs(self, wanted: Matrix, width: int, among: Positions | None) -> Positions:
        """Indexes (into ``among``, or into all vectors), ascending, of the ``width`` vectors whose
        signs differ least from the query's, and of any tied with the last of them."""
        query_bits = _sign_bits(wanted[np.newaxis, :])[:, 0]
        bits = self._bits if among is None else self._bits[:, among]
        distance = np.bitwise_count(bits[0] ^ query_bits[0]).astype(np.uint16)
        for word in range(1, len(bits)):
            distance += np.bitwise_count(bits[word] ^ query_bits[word])
        # Distances are small integers: the ``width``-th smallest is read off their histogram, in a
        # third of the time ``argpartition`` takes, and every tie at that distance is kept.
        cutoff = int(np.searchsorted(np.bincount(distance).cumsum(), width))
        return np.flatnonzero(distance <= cutoff)


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
