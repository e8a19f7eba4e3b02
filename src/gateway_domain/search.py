"""Ranked search over a snapshot's tools: BM25F with typo tolerance, fused with a semantic ranking.

A query is analysed like the tools (``analysis.terms``). A query word the catalogue never uses is
probably misspelt, so it is replaced by the vocabulary terms one or two edits away, at a discount.
Tools whose whole name the query spells out get a bonus: "list tables" should put ``list_tables``
first even when some longer description repeats both words. When the snapshot has a semantic
index, the lexical and semantic scores are fused (``semantic.score_fusion``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from collections.abc import Set as AbstractSet

import numpy as np
from attrs import frozen

from gateway_domain.analysis import terms
from gateway_domain.glossing import glossed
from gateway_domain.query_text import with_file_words, without_blobs
from gateway_domain.registry import RegistrySnapshot
from gateway_domain.search_index import SearchIndex
from gateway_domain.semantic import Positions, Values, score_fusion
from gateway_domain.synonyms import SYNONYMS
from gateway_domain.tools import Tool

TYPO_WEIGHTS = {1: 0.7, 2: 0.4}
"""How much a corrected term counts, by its edit distance from the word typed."""
MAX_CORRECTIONS = 3
SYNONYM_WEIGHT = 0.5
"""How much a synonym of a query term counts."""
NAME_BONUS = 0.35
"""Share of the best lexical score added to a tool when the query contains every term of its name."""
RERANK_DEPTH = 50
"""How many of the best lexical matches (at least) get the name bonus and are fused (30, 50 and
100 ranked both benchmarks alike)."""
SEMANTIC_DEPTH = 100
"""How many of the semantic ranker's nearest tools are fused in; the least similar of them is the
zero of the rescaled similarity. 30 and 50 gave the same Hit@5 with server descriptions and a
better MRR, but lost a LiveMCPBench task without them; 200 changed nothing."""
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


def lexical_scores(index: SearchIndex, weighted: Mapping[str, float]) -> Values:
    """BM25F score of every tool, 0 where nothing matched, rarest terms first.

    A term in a large share of a big catalogue (``id``, ``limit``) finds nothing the rarer terms
    have not found: once rarer terms have matched, such a term only adds to the tools already
    found, so that a query of one rare word and "id" does not match half the catalogue.
    """
    postings = index.postings
    common = max(COMMON_MIN_DOCUMENTS, int(len(index) * COMMON_SHARE))
    scores: Values = np.zeros(len(index), dtype=np.float64)
    matched = False
    for term in sorted(weighted, key=postings.frequency):
        positions, contributions = postings.of(term)
        weight = weighted[term] * index.idf(term)
        if matched and len(positions) > common:
            found = scores[positions] > 0.0
            positions, contributions = positions[found], contributions[found]
        scores[positions] += contributions * weight  # positions in one list are distinct
        matched = matched or len(positions) > 0
    return scores


def _top(index: SearchIndex, positions: Positions, scores: Values, count: int) -> Positions:
    """The ``count`` best of ``positions`` (``scores`` holding theirs), in no particular order.

    Tools tied at the cut are taken in name order, as the ranking orders them: taken as they came,
    one page could hold a tool the next page's longer ranking replaces, and paging would repeat
    some tools and skip others.
    """
    if len(positions) <= count:
        return positions
    cut = scores[np.argpartition(-scores, count - 1)[count - 1]]
    better = positions[scores > cut]
    tied = positions[scores == cut]
    tied = tied[np.argsort(index.name_order[tied], kind="stable")][: count - len(better)]
    return np.concatenate((better, tied))


def _best_first(index: SearchIndex, positions: Positions, scores: Values) -> list[tuple[int, float]]:
    """(position, score) pairs, best first, ties broken by name."""
    order = np.lexsort((index.name_order[positions], -scores))
    return list(zip(positions[order].tolist(), scores[order].tolist(), strict=True))


def _with_name_bonus(index: SearchIndex, top: Positions, scores: Values, wanted: AbstractSet[str]) -> Values:
    """The scores of ``top`` with the bonus added for every tool whose whole name the query spells out.

    Only the best lexical matches get it, so they stay the best after it: the list is still the top.
    """
    boosted = scores[top]
    if not len(top):
        return boosted
    bonus = NAME_BONUS * float(boosted.max())
    name_terms = index.name_terms
    for row, position in enumerate(top.tolist()):
        terms_of_name = name_terms[position]
        if terms_of_name and terms_of_name <= wanted:
            boosted[row] += bonus
    return boosted


def rank(
    index: SearchIndex, query: str, scope: Collection[int] | None = None, depth: int = RERANK_DEPTH
) -> tuple[list[tuple[int, float]], int]:
    """The best ``depth`` (at least) matching positions in ``scope`` (all when ``None``) with their
    scores, best first, and how many positions matched in all."""
    query = without_blobs(query)
    weighted = query_terms(index, with_file_words(query))
    scores = lexical_scores(index, weighted)
    among = None
    if scope is not None:
        # sorted, each once (``search_scope``'s array already is; ``np.unique`` took 3 ms on the
        # nine thousand positions a caller may see of ten thousand)
        among = scope if isinstance(scope, np.ndarray) else np.sort(np.array(list(set(scope)), dtype=np.intp))
        inside = np.zeros(len(scores), dtype=bool)
        inside[among] = True
        scores[~inside] = 0.0
    count = max(depth, RERANK_DEPTH)
    matching = np.flatnonzero(scores)
    top = _top(index, matching, scores[matching], count)
    boosted = _with_name_bonus(index, top, scores, weighted.keys())
    if index.semantic is None:
        return _best_first(index, top, boosted), len(matching)
    nearest = index.semantic.nearest(query, SEMANTIC_DEPTH, among)
    positions, fused = score_fusion((top, boosted), nearest)
    total = len(matching) + int(np.count_nonzero(scores[positions] == 0))
    return _best_first(index, positions, fused)[:count], total


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
) -> Positions | None:
    """The index positions a search of ``snapshot`` may return, ascending (``None``: all of them).

    A snapshot narrowed to what one caller may see can share its index with the full snapshot,
    so the positions are limited to the tools the snapshot itself holds. Kept with the snapshot
    when ``index`` is its own.
    """
    known = (
        group is None
        if domain is None
        else domain in snapshot.domains and (group is None or group in snapshot.domains[domain].groups)
    )
    if index is not snapshot.search_index or not known:  # (a caller's made-up group is not kept)
        return _scope(snapshot, index, domain, group)
    key = (domain, group)
    if key not in snapshot.search_scopes:
        snapshot.search_scopes[key] = _scope(snapshot, index, domain, group)
    return snapshot.search_scopes[key]


def _scope(snapshot: RegistrySnapshot, index: SearchIndex, domain: str | None, group: str | None) -> Positions | None:
    if domain is None:
        if len(index) == len(snapshot.tools):
            return None
        names: Iterable[str] = snapshot.tools
    else:
        names = snapshot.domain_tool_names(domain, group)
    try:  # a view's names are all in the index it shares, and held by the view
        found = list(map(index.position.__getitem__, names))
    except KeyError:  # an index built for other tools: keep to the ones both hold
        found = [index.position[name] for name in names if name in index.position and name in snapshot.tools]
    return np.sort(np.array(found, dtype=np.intp))  # (positions of distinct names are distinct)
