"""The WordLlama adapter of the SemanticRanker port, on the model its wheel ships (no network)."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

pytest.importorskip("wordllama", reason="the semantic extra is not installed")

import numpy as np

from gateway_adapters import wordllama_ranker
from gateway_adapters.wordllama_ranker import WordLlamaRanker, load_wordllama
from gateway_domain.semantic import Scored

TEXTS = [
    "list directory: list the files and folders in a path",
    "git log: show the commit history of a repository",
    "convert time: convert a time between timezones",
]


def pairs(scored: Scored) -> list[tuple[int, float]]:
    positions, similarity = scored
    return list(zip(positions.tolist(), similarity.tolist(), strict=True))


@pytest.fixture(scope="module")
def ranker() -> WordLlamaRanker:
    return WordLlamaRanker(load_wordllama())


def test_the_bundled_model_loads_without_network(monkeypatch: pytest.MonkeyPatch) -> None:
    import requests

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the model must load from the wheel, not the network")

    monkeypatch.setattr(requests, "get", refuse)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert load_wordllama().embed(["hello"], norm=True).shape == (1, 256)


def test_nearest_ranks_texts_by_meaning(ranker: WordLlamaRanker) -> None:
    index = ranker.index(TEXTS)
    assert pairs(index.nearest("which folders are on the disk", 3))[0][0] == 0
    assert [position for position, _ in pairs(index.nearest("past commits", 1))] == [1]
    [(position, similarity)] = pairs(index.nearest("timezone", 1))
    assert position == 2
    assert 0 < similarity <= 1.0001


def test_nearest_keeps_to_the_positions_it_is_given(ranker: WordLlamaRanker) -> None:
    index = ranker.index(TEXTS)
    assert {position for position, _ in pairs(index.nearest("folders", 3, among=np.array([1, 2])))} == {1, 2}
    assert pairs(index.nearest("folders", 3, among=np.array([], dtype=np.intp))) == []


@pytest.mark.parametrize(
    "text", ["list the files in a folder", "Zeitzone umrechnen 東京", "x", "   ", "£££ ✓✓ 🙂"], ids=repr
)
def test_a_query_is_embedded_as_wordllama_embeds_it(ranker: WordLlamaRanker, text: str) -> None:
    """The short path for one query (tokens' rows summed, then normalised) gives WordLlama's vector."""
    fast = wordllama_ranker._query_embedder(ranker.model)(text)
    expected = ranker.model.embed([text], norm=True)[0]
    assert fast.dtype == np.float32
    assert np.isfinite(fast).all() == np.isfinite(expected).all()
    if np.isfinite(expected).all():
        assert np.allclose(fast, expected, atol=1e-6)


class CountingModel:
    def __init__(self, model: object) -> None:
        self.model = model
        self.embedded: list[str] = []

    def embed(self, texts: list[str], norm: bool = False) -> object:
        self.embedded.extend(texts)
        return self.model.embed(texts, norm=norm)  # type: ignore[attr-defined]


def test_texts_indexed_before_are_not_embedded_again(ranker: WordLlamaRanker) -> None:
    model = CountingModel(ranker.model)
    counting = WordLlamaRanker(model)  # type: ignore[arg-type]
    counting.index(TEXTS[:2])
    counting.index(TEXTS)
    assert sorted(model.embedded) == sorted(TEXTS)
    assert model.embedded[:2] == sorted(TEXTS[:2], key=len)  # shortest first: batches pad less


def test_an_empty_catalogue_has_no_neighbours(ranker: WordLlamaRanker) -> None:
    empty: Sequence[str] = []
    assert pairs(ranker.index(empty).nearest("anything", 5)) == []


def _catalogue(count: int) -> list[str]:
    verbs = ["list", "create", "delete", "search", "export", "archive", "rename", "share"]
    nouns = ["invoice", "folder", "commit", "ticket", "playlist", "forecast", "recipe", "contract", "sensor"]
    return [
        f"{verbs[i % 8]} {nouns[i % 9]} {i}: {verbs[(i // 8) % 8]} the {nouns[(i // 9) % 9]}s of a {nouns[i % 7]}"
        for i in range(count)
    ]


@pytest.mark.parametrize("among", [None, range(0, 5000, 2)], ids=["all", "half"])
def test_a_large_catalogue_is_searched_in_two_steps_with_the_exact_answer_on_top(
    ranker: WordLlamaRanker, monkeypatch: pytest.MonkeyPatch, among: range | None
) -> None:
    """The funnel (sign bits, then the whole vectors) finds the exact product's nearest text, and
    at each of the ten places a text nearly as near as the exact one's, with its full similarity. (This catalogue's
    texts differ by a number and a word or two: their similarities are near ties, which the sign
    bits cannot always tell apart.)"""
    texts = _catalogue(5000)
    index = ranker.index(texts)
    positions = np.array(among) if among is not None else None
    searched = len(positions) if positions is not None else len(texts)
    assert searched >= max(wordllama_ranker.FUNNEL_FROM, 2 * wordllama_ranker.FUNNEL_WIDTH)  # the funnel is used
    funnel = pairs(index.nearest("remove old receipts", 10, positions))
    monkeypatch.setattr(wordllama_ranker, "FUNNEL_FROM", 10**9)  # the exact product, for comparison
    exact = pairs(index.nearest("remove old receipts", 10, positions))
    everything = dict(pairs(index.nearest("remove old receipts", len(texts), positions)))
    assert funnel[0][0] == exact[0][0]
    # what it misses is a near tie: each place's similarity is within 0.01 of the exact one's
    assert all(found >= best - 0.01 for (_, found), (_, best) in zip(funnel, exact, strict=True))
    assert [s for _, s in funnel] == sorted((s for _, s in funnel), reverse=True)
    assert np.allclose([s for _, s in funnel], [everything[p] for p, _ in funnel], atol=1e-5)
    if positions is not None:
        assert {p for p, _ in funnel} <= set(positions.tolist())
    vectors = load_wordllama().embed([texts[funnel[0][0]], "remove old receipts"], norm=True)
    assert funnel[0][1] == pytest.approx(float(vectors[0] @ vectors[1]), abs=1e-4)
