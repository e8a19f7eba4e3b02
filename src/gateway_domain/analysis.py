"""How text becomes search terms, the same way for tools and for queries.

Words are split on snake, kebab, camel case and dots (as ``text.words`` does), accents are folded,
clitics ("Apple's", "don't") and common English stop words dropped and the rest stemmed.
Chinese, Japanese and Korean have no spaces between words, so runs of those characters become
overlapping character pairs: the usual way to index them without a dictionary, and enough for a
query in those languages to find tools described in them (an English query needs a ``Glosser``).
"""

from __future__ import annotations

import re
import unicodedata
from itertools import chain

from gateway_domain.stemming import stem
from gateway_domain.text import split_camel_case, word_pattern

_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
_CJK_RUN = re.compile(f"[{_CJK}]+")
_HAS_CJK = re.compile(f"[{_CJK}]")

STOP_WORDS = frozenset(
    """
    a about above after again against all also am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further had has
    have having he her here hers herself him himself his how i if in into is it its itself just let lets
    me more most my myself no nor not of off on once only or other our ours ourselves out over own
    please same she should so some such than that the their theirs them themselves then there these they
    this those through to too under until up very via was we were what when where which while who whom
    why will with would you your yours yourself yourselves
    """.split()  # noqa: SIM905 - a word list reads best as words
)


_CLITIC = re.compile(r"(?<=[A-Za-z])(?:n['’]t|['’](?:s|re|ve|ll|d|m))\b", re.IGNORECASE)
"""The endings of "Apple's", "don't", "we're": split off, they would be the terms s, t, re."""
_CAMEL_HINT = re.compile(r"[a-z0-9][A-Z]|[A-Z][A-Z][a-z]")
_MAX_CACHED_WORDS = 200_000


def _analyse(word: str) -> str:
    lowered = word.lower()
    if lowered in STOP_WORDS:
        return ""
    if not lowered.isascii():
        folded = unicodedata.normalize("NFKD", lowered)
        lowered = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return stem(lowered)


class _TermCache(dict[str, tuple[str, ...]]):
    """Each word as it appears in text → its terms: none for a stop word, several for a camel-case
    word (``getUserById``). Catalogues repeat their words endlessly, so analysing each distinct
    word once is most of what makes indexing fast; splitting camel case here, word by word, spares
    every text a search for it."""

    def __missing__(self, word: str) -> tuple[str, ...]:
        if len(self) > _MAX_CACHED_WORDS:
            self.clear()
        parts = word_pattern.findall(split_camel_case(word)) if _CAMEL_HINT.search(word) else (word,)
        found = self[word] = tuple(term for term in map(_analyse, parts) if term)
        return found


_terms_of = _TermCache()


def _cjk_pairs(run: str) -> list[str]:
    if len(run) == 1:
        return [run]
    return [run[i : i + 2] for i in range(len(run) - 1)]


def _word_terms(text: str) -> list[str]:
    return list(chain.from_iterable(map(_terms_of.__getitem__, word_pattern.findall(text))))


def terms(text: str) -> list[str]:
    """The search terms of ``text``, in order, repeats kept (term frequency matters)."""
    if not text:
        return []  # (most glosses: a tool's text is usually English already)
    if "'" in text or "’" in text:
        text = _CLITIC.sub("", text)
    if text.isascii() or not _HAS_CJK.search(text):
        return _word_terms(text)
    found: list[str] = []
    position = 0
    for match in _CJK_RUN.finditer(text):
        found.extend(_word_terms(text[position : match.start()]))
        found.extend(_cjk_pairs(match.group()))
        position = match.end()
    found.extend(_word_terms(text[position:]))
    return found
