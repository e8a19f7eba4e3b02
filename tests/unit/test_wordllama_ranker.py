"""The WordLlama adapter of the SemanticRanker port, on the model its wheel ships (no network)."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

pytest.importorskip("wordllama", reason="the semantic extra is not installed")

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
    assert model.embedded == TEXTS


def test_an_empty_catalogue_has_no_neighbours(ranker: WordLlamaRanker) -> None:
    empty: Sequence[str] = []
    assert ranker.index(empty).nearest("anything", 5) == []
