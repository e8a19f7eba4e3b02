"""Ranked search over a snapshot's tools: BM25F with typo tolerance, fused with a semantic ranking.

A query is analysed like the tools (``analysis.terms``). A query word the catalogue never uses is
probably misspelt, so it is replaced by the vocabulary terms one or two edits away, at a discount.
Tools whose whole name the query spells out get a bonus: "list tables" should put ``list_tables``
first even when some longer description repeats both words. When the snapshot has a semantic
index, the lexical and semantic scores are fused (``semantic.score_fusion``).
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from collections.abc import Set as AbstractSet
from operator import itemgetter

from attrs import frozen

from gateway_domain.analysis import terms
from gateway_domain.glossing import glossed
from gateway_domain.query_text import with_file_words, without_blobs
from gateway_domain.registry import RegistrySnapshot
from gateway_domain.search_index import SearchIndex
from gateway_domain.semantic import score_fusion
from gateway_domain.synonyms import SYNONYMS
from gateway_domain.tools import Tool

TYPO_WEIGHTS = {1: 0.7, 2: 0.4}
"""How much a corrected term counts, by its edit distance from the word typed."""
MAX_CORRECTIONS = 3
SYNONYM_WEIGHT = 0.5
"""How much a synonym of a query term counts."""
NAME_BONUS = 0.35
"""Share of the best lexical score added to a tool when the query contains every term of its name."""
RERANK_DEPTH = 100
"""How many of the best lexical matches get the name bonus, and how deep the semantic list goes."""
COMMON_SHARE = 0.2
COMMON_MIN_DOCUMENTS = 1000
"""A term in more than this share of the tools (and this many) is common: see ``lexical_scores``."""


@frozen
class SearchHit:
    tool: Tool
    score: float


@frozen
class SearchPage:
    """One page of results, best first, and how many tools matched in all."""

    hits: tuple[SearchHit, ...]
    total: int


def query_terms(index: SearchIndex, query: str) -> dict[str, float]:
    """The terms to look up, each with its weight: the query's own terms, or corrections of them,
    their synonyms, and the English gloss of a query in another language (discounted like a
    synonym: a gloss is a dictionary's guess at the sense)."""
    weighted: dict[str, float] = {}

    def want(term: str, weight: float) -> None:
        if term in index.postings and weighted.get(term, 0.0) < weight:
            weighted[term] = weight

    for term in Counter(terms(query)):
        if term in index.postings:
            want(term, 1.0)
        else:
            for correction, distance in index.typos.corrections(term)[:MAX_CORRECTIONS]:
                want(correction, TYPO_WEIGHTS[distance])
        for synonym in SYNONYMS.get(term, ()):
            want(synonym, SYNONYM_WEIGHT)
    for term in terms(glossed(query, index.glosser, query=True)):
        want(term, SYNONYM_WEIGHT)
    return weighted


def lexical_scores(index: SearchIndex, weighted: Mapping[str, float]) -> dict[int, float]:
    """BM25F score of every tool that matches, rarest terms first.

    A term in a large share of a big catalogue (``id``, ``limit``) finds nothing the rarer terms
    have not found, and walking its posting list would cost more than all the others: once rarer
    terms have matched, such a term only adds to the tools already found.
    """
    postings = index.postings
    common = max(COMMON_MIN_DOCUMENTS, int(len(index) * COMMON_SHARE))
    scores: dict[int, float] = {}
    get = scores.get
    for term in sorted(weighted, key=lambda t: len(postings[t])):
        posting = postings[term]
        weight = weighted[term] * index.idf(term)
        if not scores:
            scores = {position: contribution * weight for position, contribution in posting.items()}
            get = scores.get
        elif len(posting) > common:
            for position in scores:
                contribution = posting.get(position)
                if contribution is not None:
                    scores[position] += contribution * weight
        else:
            for position, contribution in posting.items():
                scores[position] = get(position, 0.0) + contribution * weight
    return scores


SORT_UP_TO = 3000
"""Up to this many scores, sorting them all (in C) is faster than a heap's Python loop."""


def _top(scores: Mapping[int, float], count: int) -> list[tuple[int, float]]:
    """The ``count`` best (position, score) pairs, best first, ties in no particular order."""
    if len(scores) > SORT_UP_TO:
        return heapq.nlargest(count, scores.items(), key=itemgetter(1))
    return [(position, scores[position]) for position in sorted(scores, key=scores.__getitem__, reverse=True)[:count]]


def _by_score_then_name(index: SearchIndex, top: list[tuple[int, float]]) -> list[tuple[int, float]]:
    names = index.names
    return sorted(top, key=lambda item: (-item[1], names[item[0]]))


def _ranked(index: SearchIndex, scores: Mapping[int, float], count: int) -> list[tuple[int, float]]:
    """The ``count`` best (position, score) pairs, best first, ties broken by name."""
    return _by_score_then_name(index, _top(scores, count))


def _with_name_bonus(
    index: SearchIndex, top: list[tuple[int, float]], wanted: AbstractSet[str]
) -> list[tuple[int, float]]:
    """``top`` (best first) with the bonus added to every tool whose whole name the query spells
    out, in no particular order.

    Only the best lexical matches get it, so they stay the best after it: the list is still the top.
    """
    if not top:
        return top
    bonus = NAME_BONUS * top[0][1]
    documents = index.documents
    boosted = []
    for position, score in top:
        name_terms = documents[position].name_terms
        boosted.append((position, score + bonus if name_terms and name_terms <= wanted else score))
    return boosted


def rank(
    index: SearchIndex, query: str, scope: Collection[int] | None = None, depth: int = RERANK_DEPTH
) -> tuple[list[tuple[int, float]], int]:
    """The best ``depth`` (at least) matching positions in ``scope`` (all when ``None``) with their
    scores, best first, and how many positions matched in all."""
    query = without_blobs(query)
    weighted = query_terms(index, with_file_words(query))
    scores = lexical_scores(index, weighted)
    if scope is not None:
        scores = {position: score for position, score in scores.items() if position in scope}
    lexical = _with_name_bonus(index, _top(scores, max(depth, RERANK_DEPTH)), weighted.keys())
    if index.semantic is None:
        return _by_score_then_name(index, lexical), len(scores)
    among = sorted(scope) if scope is not None else None
    nearest = index.semantic.nearest(query, RERANK_DEPTH, among)
    fused = score_fusion(lexical, nearest)
    total = len(scores) + sum(1 for position in fused if position not in scores)
    return _ranked(index, fused, max(depth, RERANK_DEPTH)), total


def search(
    index: SearchIndex, query: str, *, scope: Collection[int] | None = None, limit: int = 10, offset: int = 0
) -> SearchPage:
    """The tools that best match ``query``, best first: ``limit`` of them from ``offset`` on."""
    ranked, total = rank(index, query, scope, offset + limit)
    hits = tuple(
        SearchHit(index.documents[position].tool, score) for position, score in ranked[offset : offset + limit]
    )
    return SearchPage(hits=hits, total=total)


def snapshot_index(snapshot: RegistrySnapshot) -> SearchIndex:
    """The snapshot's own index; built here for a snapshot made without one (a filtered copy)."""
    if len(snapshot.search_index) or not snapshot.tools:
        return snapshot.search_index
    descriptions = {name: view.description for name, view in snapshot.domains.items()}
    return SearchIndex.build(list(snapshot.tools.values()), descriptions)


def search_scope(
    snapshot: RegistrySnapshot, index: SearchIndex, domain: str | None = None, group: str | None = None
) -> Collection[int] | None:
    """The index positions a search of ``snapshot`` may return (``None``: all of them).

    A snapshot narrowed to what one caller may see can share its index with the full snapshot,
    so the positions are limited to the tools the snapshot itself holds.
    """
    if domain is None:
        if len(index) == len(snapshot.tools):
            return None
        names: Iterable[str] = snapshot.tools
    else:
        names = snapshot.domain_tool_names(domain, group)
    return {index.position[name] for name in names if name in index.position and name in snapshot.tools}
