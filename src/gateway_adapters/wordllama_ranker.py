"""The ``SemanticRanker`` port on WordLlama: static word embeddings shipped inside the PyPI wheel.

WordLlama's model is a token-embedding table (16 MB) averaged over a sentence: no network, no
torch, about a tenth of a millisecond per query, and good enough at "folder" ≈ "directory" to
lift search quality when fused with the lexical ranking. The wheel carries its weights and
tokenizer, but ``WordLlama.load()`` looks for the tokenizer in a folder the wheel does not use and
then tries to download it; pointing its cache at the package's own folder loads both offline.

Vectors are kept by text, so rebuilding the index after one domain changes embeds only that
domain's new texts.

A query's similarities are one matrix–vector product: 0.1–0.25 ms on one thread for 10,000 tools.
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


class WordLlamaIndex:
    """Unit vectors of the indexed texts; similarity is a dot product."""

    def __init__(self, model: _Model, vectors: Matrix) -> None:
        self._model = model
        self._vectors = vectors

    def nearest(self, query: str, limit: int, among: Sequence[int] | None = None) -> Sequence[tuple[int, float]]:
        if not len(self._vectors) or limit <= 0:
            return []
        wanted = self._model.embed([query], norm=True)[0]
        if not np.isfinite(wanted).all():
            return []  # nothing in the query the model knows
        positions = np.asarray(among, dtype=np.intp) if among is not None else None
        vectors = self._vectors if positions is None else self._vectors[positions]
        if not len(vectors):
            return []
        similarity = vectors @ wanted
        count = min(limit, len(similarity))
        top = np.argpartition(-similarity, count - 1)[:count]
        top = top[np.argsort(-similarity[top], kind="stable")]
        chosen = top if positions is None else positions[top]
        return [(int(position), float(similarity[row])) for position, row in zip(chosen, top, strict=True)]


class WordLlamaRanker:
    """Embeds tool texts with WordLlama, remembering the vector of every text it indexed last time."""

    def __init__(self, model: _Model | None = None) -> None:
        self.model = model if model is not None else load_wordllama()
        self._known: dict[str, Matrix] = {}
        _one_blas_thread()

    def index(self, texts: Sequence[str]) -> WordLlamaIndex:
        missing = list(dict.fromkeys(text for text in texts if text not in self._known))
        known = {text: self._known[text] for text in texts if text in self._known}
        if missing:
            embedded = self.model.embed(missing, norm=True)
            embedded = np.nan_to_num(embedded, nan=0.0)  # a text of unknown tokens has no direction
            known.update(zip(missing, embedded, strict=True))
        self._known = known
        dimensions = next(iter(known.values())).shape[0] if known else 0
        vectors = np.stack([known[text] for text in texts]) if texts else np.zeros((0, dimensions), np.float32)
        return WordLlamaIndex(self.model, vectors.astype(np.float32, copy=False))
