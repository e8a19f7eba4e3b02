"""The search index of one registry snapshot: BM25F over a tool's fields, built with the snapshot.

Each tool is a document of five fields — its names, description, parameter names, parameter
descriptions and its context (domain, group, domain description) — weighted so that a word in the
name counts more than the same word in a parameter's description. Scoring is BM25F: per-field term
frequencies, each normalised by that field's length, are summed with the field weights and then
saturated once, so a tool that repeats a word in every field does not win on repetition.

Everything a query needs is computed here, when the snapshot is built: the contribution of every
(term, tool) pair is final, so a query only adds up a few posting lists. Analysing a tool's text is
the expensive part and depends on nothing but the tool, so a new snapshot reuses the documents of
the previous one for every tool that did not change; the registry rebuilds the snapshot each time
one domain's listing arrives, and only that domain's tools are analysed again.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from enum import IntEnum
from typing import Any

from attrs import frozen

from gateway_domain.analysis import terms
from gateway_domain.semantic import SemanticIndex, SemanticRanker
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


def _walk_properties(schema: Any, depth: int = 0) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """Every named property in a schema, nested ones and ``$defs`` included, bounded in depth and count."""
    if depth > _MAX_SCHEMA_DEPTH or not isinstance(schema, Mapping):
        return
    properties = schema.get("properties")
    if isinstance(properties, Mapping):
        for name, prop in properties.items():
            if isinstance(prop, Mapping):
                yield str(name), prop
                yield from _walk_properties(prop, depth + 1)
    for key in ("items", "additionalProperties"):
        yield from _walk_properties(schema.get(key), depth + 1)
    for key in ("anyOf", "oneOf", "allOf"):
        options = schema.get(key)
        if isinstance(options, list):
            for option in options:
                yield from _walk_properties(option, depth + 1)
    for key in ("$defs", "definitions"):
        defs = schema.get(key)
        if isinstance(defs, Mapping):
            for definition in defs.values():
                yield from _walk_properties(definition, depth + 1)


def _parameter_texts(schema: Mapping[str, Any]) -> tuple[list[str], list[str]]:
    names: list[str] = []
    texts: list[str] = []
    for count, (name, prop) in enumerate(_walk_properties(schema)):
        if count >= _MAX_PARAMETERS:
            break
        names.append(name)
        for key in ("title", "description"):
            value = prop.get(key)
            if isinstance(value, str):
                texts.append(value)
        enum = prop.get("enum")
        if isinstance(enum, list):
            texts.extend(str(value) for value in enum[:20] if isinstance(value, str))
    return names, texts


@frozen
class ToolDocument:
    """One tool's analysed text: term counts per field, field lengths, and the text to embed."""

    tool: Tool
    domain_description: str
    counts: tuple[Mapping[str, int], ...]
    lengths: tuple[int, ...]
    name_terms: frozenset[str]
    semantic_text: str

    @classmethod
    def of(cls, tool: Tool, domain_description: str = "") -> ToolDocument:
        parameter_names, parameter_texts = _parameter_texts(tool.spec.input_schema)
        names = [tool.original_name] if not tool.renamed else [tool.original_name, tool.name]
        if tool.spec.title:
            names.append(tool.spec.title)
        name_terms = terms(" ".join(names))
        fields = (
            name_terms,
            terms(tool.description),
            terms(" ".join(parameter_names)),
            terms(" ".join(parameter_texts)),
            terms(f"{tool.domain} {tool.group} {domain_description}"),
        )
        first_paragraph = tool.description.strip().split("\n\n", 1)[0][:_SEMANTIC_DESCRIPTION_CHARS]
        return cls(
            tool=tool,
            domain_description=domain_description,
            counts=tuple(Counter(field) for field in fields),
            lengths=tuple(len(field) for field in fields),
            name_terms=frozenset(terms(tool.original_name)),
            semantic_text=f"{' '.join(words(tool.original_name))}: {first_paragraph} {' '.join(parameter_names)}",
        )


class SearchIndex:
    """The posting lists, vocabulary and (optionally) semantic index of one set of tools.

    Built once per snapshot and never changed afterwards; positions are indexes into ``documents``.
    """

    def __init__(self, documents: Sequence[ToolDocument] = (), semantic: SemanticRanker | None = None) -> None:
        self.documents: tuple[ToolDocument, ...] = tuple(documents)
        self.position: Mapping[str, int] = {doc.tool.name: i for i, doc in enumerate(self.documents)}
        self.postings: Mapping[str, tuple[tuple[int, ...], tuple[float, ...]]] = _postings(self.documents)
        self.typos = TypoIndex(self.postings)
        self.semantic: SemanticIndex | None = (
            semantic.index([doc.semantic_text for doc in self.documents]) if semantic and self.documents else None
        )

    def __len__(self) -> int:
        return len(self.documents)

    def idf(self, term: str) -> float:
        posting = self.postings.get(term)
        return _idf(len(self.documents), len(posting[0])) if posting else 0.0

    @classmethod
    def build(
        cls,
        tools: Sequence[Tool],
        domain_descriptions: Mapping[str, str],
        previous: SearchIndex | None = None,
        semantic: SemanticRanker | None = None,
    ) -> SearchIndex:
        """The index of ``tools``, reusing the analysed documents of ``previous`` for unchanged tools."""
        reusable = {doc.tool.name: doc for doc in previous.documents} if previous is not None else {}
        documents = []
        for tool in tools:
            description = domain_descriptions.get(tool.domain, "")
            old = reusable.get(tool.name)
            if old is not None and old.domain_description == description and old.tool == tool:
                documents.append(old)
            else:
                documents.append(ToolDocument.of(tool, description))
        return cls(documents, semantic)


def _idf(total: int, frequency: int) -> float:
    return math.log(1.0 + (total - frequency + 0.5) / (frequency + 0.5))


def _postings(documents: Sequence[ToolDocument]) -> dict[str, tuple[tuple[int, ...], tuple[float, ...]]]:
    total = len(documents)
    if not total:
        return {}
    settings = [FIELD_SETTINGS[field] for field in Field]
    average = [max(sum(doc.lengths[f] for doc in documents) / total, 1.0) for f in range(len(settings))]
    frequency: Counter[str] = Counter()
    pseudo: list[dict[str, float]] = []
    for doc in documents:
        weighted: dict[str, float] = {}
        for f, counts in enumerate(doc.counts):
            if not counts:
                continue
            setting = settings[f]
            factor = setting.weight / (1.0 - setting.b + setting.b * doc.lengths[f] / average[f])
            for term, count in counts.items():
                weighted[term] = weighted.get(term, 0.0) + count * factor
        frequency.update(weighted.keys())
        pseudo.append(weighted)
    idf = {term: _idf(total, df) for term, df in frequency.items()}
    docs_of: dict[str, list[int]] = {}
    scores_of: dict[str, list[float]] = {}
    for position, weighted in enumerate(pseudo):
        for term, tf in weighted.items():
            score = idf[term] * tf * (K1 + 1.0) / (K1 + tf)
            if term in docs_of:
                docs_of[term].append(position)
                scores_of[term].append(score)
            else:
                docs_of[term] = [position]
                scores_of[term] = [score]
    return {term: (tuple(docs_of[term]), tuple(scores_of[term])) for term in docs_of}
