"""The WordLlama adapter of the SemanticRanker port, on the model its wheel ships (no network)."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

pytest.importorskip("wordllama", reason="the semantic extra is not installed")

import numpy as np

from gateway_adapters import wordllama_ranker
from gateway_adapters.wordllama_ranker import WordLlamaRanker, load_wordllama

TEXTS = [
    "list directory: list the files and folders in a path",
    "git log: show the commit history of a repository",
    "convert time: convert a time between timezones",
]


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
    assert index.nearest("which folders are on the disk", 3)[0][0] == 0
    assert [position for position, _ in index.nearest("past commits", 1)] == [1]
    [(position, similarity)] = index.nearest("timezone", 1)
    assert position == 2
    assert 0 < similarity <= 1.0001


def test_nearest_keeps_to_the_positions_it_is_given(ranker: WordLlamaRanker) -> None:
    index = ranker.index(TEXTS)
    assert {position for position, _ in index.nearest("folders", 3, among=[1, 2])} == {1, 2}
    assert index.nearest("folders", 3, among=[]) == []


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
    assert ranker.index(empty).nearest("anything", 5) == []


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
    """The funnel (first half of each vector, then the whole) gives the same nearest texts as the
    exact product, best first, with the full similarity."""
    texts = _catalogue(5000)
    index = ranker.index(texts)
    positions = list(among) if among is not None else None
    searched = len(positions) if positions is not None else len(texts)
    assert searched >= max(wordllama_ranker.FUNNEL_FROM, 2 * wordllama_ranker.FUNNEL_WIDTH)  # the funnel is used
    funnel = index.nearest("remove old receipts", 10, positions)
    monkeypatch.setattr(wordllama_ranker, "FUNNEL_FROM", 10**9)  # the exact product, for comparison
    exact = index.nearest("remove old receipts", 10, positions)
    assert [p for p, _ in funnel] == [p for p, _ in exact]
    assert np.allclose([s for _, s in funnel], [s for _, s in exact], atol=1e-5)
    if positions is not None:
        assert {p for p, _ in funnel} <= set(positions)
    vectors = load_wordllama().embed([texts[funnel[0][0]], "remove old receipts"], norm=True)
    assert funnel[0][1] == pytest.approx(float(vectors[0] @ vectors[1]), abs=1e-4)
