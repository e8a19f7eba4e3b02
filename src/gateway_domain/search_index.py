"""The search index of one registry snapshot: BM25F over a tool's fields, built with the snapshot.

Each tool is a document of five fields — its names, description, parameter names, parameter
descriptions and its context (domain, group, domain description) — weighted so that a word in the
name counts more than the same word in a parameter's description. Scoring is BM25F: per-field term
frequencies, each normalised by that field's length, are summed with the field weights and then
saturated once, so a tool that repeats a word in every field does not win on repetition.

Everything a query needs is computed here, when the snapshot is built: the saturated term frequency
of every (term, tool) pair is final, so a query only adds up a few posting lists, each times its
term's idf. Analysing a tool's text is
the expensive part and depends on nothing but the tool, so a new snapshot reuses the documents of
the previous one for every tool that did not change; the registry rebuilds the snapshot each time
one domain's listing arrives, and only that domain's tools are analysed again.
"""

from __future__ import annotations

import gc
import math
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from enum import IntEnum
from functools import cached_property, lru_cache
from itertools import chain
from typing import Any

import numpy as np
import numpy.typing as npt
from attrs import frozen

from gateway_domain.analysis import terms
from gateway_domain.glossing import Glosser, glossed
from gateway_domain.semantic import Positions, Scored, SemanticIndex, SemanticRanker, Values
from gateway_domain.text import words
from gateway_domain.tools import Tool
from gateway_domain.typos import TypoIndex


class Field(IntEnum):
    NAME = 0
    DESCRIPTION = 1
    PARAMETER_NAMES = 2
    PARAMETER_TEXT = 3
    CONTEXT = 4


@frozen
class FieldSetting:
    weight: float
    b: float
    """How much the field's length discounts a match in it (0: not at all, 1: fully)."""


FIELD_SETTINGS: Mapping[Field, FieldSetting] = {
    Field.NAME: FieldSetting(weight=3.0, b=0.3),
    Field.DESCRIPTION: FieldSetting(weight=1.0, b=0.75),
    Field.PARAMETER_NAMES: FieldSetting(weight=1.0, b=0.5),
    Field.PARAMETER_TEXT: FieldSetting(weight=0.4, b=0.75),
    Field.CONTEXT: FieldSetting(weight=0.5, b=0.5),
}
K1 = 1.2

_MAX_SCHEMA_DEPTH = 6
_MAX_PARAMETERS = 200
_SEMANTIC_DESCRIPTION_CHARS = 300
"""An averaged embedding of a long text drifts towards no meaning in particular: embed the gist."""


_NESTING_KEYS = frozenset(
    ("properties", "items", "additionalProperties", "anyOf", "oneOf", "allOf", "$defs", "definitions")
)


def _is_object(value: Any) -> bool:
    return type(value) is dict or isinstance(value, Mapping)


class _Parameters:
    """Every named property in a schema, nested ones and ``$defs`` included, bounded in depth and
    count, with the words that describe them (title, description, string enum values)."""

    def __init__(self, schema: Mapping[str, Any]) -> None:
        self.names: list[str] = []
        self.texts: list[str] = []
        self._walk(schema, 0)

    def _walk(self, schema: Any, depth: int) -> None:
        if depth > _MAX_SCHEMA_DEPTH or not _is_object(schema) or len(self.names) >= _MAX_PARAMETERS:
            return
        for key, nested in schema.items():
            if key not in _NESTING_KEYS:
                continue
            if key == "properties" and _is_object(nested):
                for name, prop in nested.items():
                    if _is_object(prop):
                        self._add(str(name), prop)
                        if not _NESTING_KEYS.isdisjoint(prop):
                            self._walk(prop, depth + 1)
            elif key in ("items", "additionalProperties"):
                self._walk(nested, depth + 1)
            elif type(nested) is list:
                for option in nested:
                    self._walk(option, depth + 1)
            elif _is_object(nested) and key in ("$defs", "definitions"):
                for definition in nested.values():
                    self._walk(definition, depth + 1)

    def _add(self, name: str, prop: Mapping[str, Any]) -> None:
        self.names.append(name)
        for key in ("title", "description"):
            value = prop.get(key)
            if type(value) is str:
                self.texts.append(value)
        enum = prop.get("enum")
        if type(enum) is list:
            self.texts.extend(value for value in enum[:20] if type(value) is str)


@lru_cache(maxsize=4096)
def _context_terms(domain: str, group: str, description: str, gloss: str) -> list[str]:
    """The same for every tool of a group (``gloss``: the description's, when it is in another
    language): analysed once. Callers must not change the list."""
    return terms(f"{domain} {group} {description} {gloss}")


def _counts(items: list[str]) -> dict[str, int]:
    """Like ``Counter(items)``, without ``Counter``'s costly check of what it was given."""
    counts: dict[str, int] = {}
    get = counts.get
    for item in items:
        counts[item] = get(item, 0) + 1
    return counts


@frozen
class ToolDocument:
    """One tool's analysed text: term counts per field, field lengths, and the text to embed.

    The counts are flat (each field's distinct terms, field after field, with ``field_sizes`` saying
    how many belong to each) so that building the posting lists reads them in a few C loops.
    """

    tool: Tool
    domain_description: str
    terms: tuple[str, ...]
    term_counts: tuple[int, ...]
    field_sizes: tuple[int, ...]
    lengths: tuple[int, ...]
    name_terms: frozenset[str]
    parameter_names: tuple[str, ...]

    @cached_property
    def semantic_text(self) -> str:
        """What the semantic ranker embeds: the name in words, the gist of the description, the
        parameter names, and what the tool's domain is for. A tool rarely says which service it
        belongs to ("search objects"), and the domain's description ("the Metropolitan Museum of
        Art collection") is often what connects it to a request ("a painting")."""
        description = self.tool.description.strip().split("\n\n", 1)[0][:_SEMANTIC_DESCRIPTION_CHARS]
        text = f"{' '.join(words(self.tool.original_name))}: {description} {' '.join(self.parameter_names)}"
        if self.domain_description:
            text = f"{text} ({self.domain_description.strip()[:_SEMANTIC_DESCRIPTION_CHARS]})"
        return text

    @classmethod
    def of(cls, tool: Tool, domain_description: str = "", glosser: Glosser | None = None) -> ToolDocument:
        """``glosser`` adds English words for a description or parameter text in another language."""
        parameters = _Parameters(tool.spec.input_schema)
        parameter_text = " ".join(parameters.texts)
        own_name = terms(tool.original_name)
        name_field = own_name + terms(tool.name) if tool.renamed else own_name
        if tool.spec.title:
            name_field = name_field + terms(tool.spec.title)
        fields = (
            name_field,
            terms(tool.description) + terms(glossed(tool.description, glosser)),
            terms(" ".join(parameters.names)),
            terms(parameter_text) + terms(glossed(parameter_text, glosser)),
            _context_terms(tool.domain, tool.group, domain_description, glossed(domain_description, glosser)),
        )
        counts = [_counts(field) for field in fields]
        return cls(
            tool=tool,
            domain_description=domain_description,
            terms=tuple(chain.from_iterable(counts)),
            term_counts=tuple(chain.from_iterable(field.values() for field in counts)),
            field_sizes=tuple(map(len, counts)),
            lengths=tuple(map(len, fields)),
            name_terms=frozenset(own_name),
            parameter_names=tuple(parameters.names),
        )


class SearchIndex:
    """The posting lists, vocabulary and (optionally) semantic index of one set of tools.

    Built once per snapshot and never changed afterwards; positions are indexes into ``documents``.
    """

    def __init__(
        self,
        documents: Sequence[ToolDocument] = (),
        semantic: SemanticRanker | None = None,
        glosser: Glosser | None = None,
    ) -> None:
        self.glosser = glosser
        """Glosses queries in other languages as the documents were glossed."""
        self.documents: tuple[ToolDocument, ...] = tuple(documents)
        self.names: tuple[str, ...] = tuple(doc.tool.name for doc in self.documents)
        """Each position's tool name (for breaking ties in rankings)."""
        self.position: Mapping[str, int] = {name: i for i, name in enumerate(self.names)}
        self.name_order: npt.NDArray[np.intp] = np.empty(len(self.names), dtype=np.intp)
        """Each position's place in the tools sorted by name (ties in a ranking go by name)."""
        self.name_order[sorted(range(len(self.names)), key=self.names.__getitem__)] = np.arange(len(self.names))
        self.name_terms: tuple[frozenset[str], ...] = tuple(doc.name_terms for doc in self.documents)
        self.postings = Postings(self.documents)
        self.typos = TypoIndex(self.postings)
        self.semantic: SemanticIndex | None = (
            semantic.index([doc.semantic_text for doc in self.documents]) if semantic and self.documents else None
        )

    def __len__(self) -> int:
        return len(self.documents)

    def idf(self, term: str) -> float:
        frequency = self.postings.frequency(term)
        return _idf(len(self.documents), frequency) if frequency else 0.0

    @classmethod
    def build(
        cls,
        tools: Sequence[Tool],
        domain_descriptions: Mapping[str, str],
        previous: SearchIndex | None = None,
        semantic: SemanticRanker | None = None,
        glosser: Glosser | None = None,
    ) -> SearchIndex:
        """The index of ``tools``, reusing the analysed documents of ``previous`` for unchanged tools
        (the glosser is the same for the gateway's life, so a reused document is glossed alike)."""
        reusable = {doc.tool.name: doc for doc in previous.documents} if previous is not None else {}
        with _collector_paused():
            documents = []
            for tool in tools:
                description = domain_descriptions.get(tool.domain, "")
                old = reusable.get(tool.name)
                if old is not None and old.domain_description == description and old.tool == tool:
                    documents.append(old)
                else:
                    documents.append(ToolDocument.of(tool, description, glosser))
            return cls(documents, semantic, glosser)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while an index is built: the build allocates hundreds of
    thousands of small objects that all live on, and the collector would walk them again and again
    for nothing (a tenth to a quarter of the build time at ten thousand tools)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _idf(total: int, frequency: int) -> float:
    return math.log(1.0 + (total - frequency + 0.5) / (frequency + 0.5))


class _TermIds(dict[str, int]):
    """Each term's number, in order of first sight."""

    def __missing__(self, term: str) -> int:
        number = self[term] = len(self)
        return number


class Postings:
    """Every term's posting list: the positions of the tools that use it, ascending, and the
    saturated BM25F term frequency of each (a query multiplies in the term's idf).

    The lists are slices of two flat arrays, so that a query adds a whole list to its scores in one
    numpy operation: summing them in Python dictionaries took 1.2–1.6 ms a query at ten thousand
    tools, most of the 2 ms a search may take.
    """

    def __init__(self, documents: Sequence[ToolDocument] = ()) -> None:
        # Every (tool, field, term) count in flat lists (the loops here run in C: a Python loop over
        # the 230,000 postings of ten thousand tools cost a quarter of a second on every rebuild),
        term_ids = _TermIds()
        rows = list(map(term_ids.__getitem__, chain.from_iterable(doc.terms for doc in documents)))
        row_term = np.fromiter(rows, np.intp, len(rows))
        counts = np.fromiter(chain.from_iterable(doc.term_counts for doc in documents), np.intp, len(rows))
        sizes = np.fromiter(chain.from_iterable(doc.field_sizes for doc in documents), np.intp)
        # then each count weighted by its field and the field's length (BM25F), in arrays,
        fields = len(Field)
        lengths = np.array([doc.lengths for doc in documents], dtype=np.float64).reshape(-1, fields)
        average = np.maximum(lengths.mean(axis=0), 1.0) if len(documents) else np.ones(fields)
        weight = np.array([FIELD_SETTINGS[field].weight for field in Field])
        b = np.array([FIELD_SETTINGS[field].b for field in Field])
        factor = weight / (1.0 - b + b * lengths / average)
        row_position = np.repeat(np.arange(len(documents) * fields, dtype=np.intp) // fields, sizes)
        row_tf = counts * np.repeat(factor.ravel(), sizes)
        # and summed over the fields of each (term, tool): sorted by term, then by position (rows
        # come tool by tool, so a stable sort by term keeps the positions in order).
        order = np.argsort(row_term, kind="stable")
        row_term, row_position, row_tf = row_term[order], row_position[order], row_tf[order]
        starts_pair = np.ones(len(row_term), dtype=bool)
        starts_pair[1:] = (row_term[1:] != row_term[:-1]) | (row_position[1:] != row_position[:-1])
        first = np.flatnonzero(starts_pair)
        tf = np.add.reduceat(row_tf, first) if len(first) else row_tf
        self._positions: Positions = row_position[first]
        self._contributions: Values = tf * (K1 + 1.0) / (K1 + tf)
        starts = np.concatenate(([0], np.cumsum(np.bincount(row_term[first], minlength=len(term_ids))))).tolist()
        self._spans: dict[str, tuple[int, int]] = {
            term: (starts[term_id], starts[term_id + 1]) for term, term_id in term_ids.items()
        }

    def __contains__(self, term: object) -> bool:
        return term in self._spans

    def __iter__(self) -> Iterator[str]:
        return iter(self._spans)

    def __len__(self) -> int:
        return len(self._spans)

    def frequency(self, term: str) -> int:
        """How many tools use ``term`` (0 for a term no tool uses)."""
        span = self._spans.get(term)
        return span[1] - span[0] if span else 0

    def of(self, term: str) -> Scored:
        """The positions of the tools that use ``term`` and the term's saturated frequency in each."""
        start, end = self._spans.get(term, (0, 0))
        return self._positions[start:end], self._contributions[start:end]
