"""How text becomes search terms, the same way for tools and for queries.

Words are split on snake, kebab, camel case and dots (``text.words``), accents are folded, common
English stop words dropped and the rest stemmed. Chinese, Japanese and Korean have no spaces
between words, so runs of those characters become overlapping character pairs: the usual way to
index them without a dictionary, and enough for a query in those languages to find tools described
in them.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from gateway_domain.stemming import stem
from gateway_domain.text import words

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


@lru_cache(maxsize=65536)
def _term(word: str) -> str:
    if not word.isascii():
        folded = unicodedata.normalize("NFKD", word)
        word = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return stem(word)


def _cjk_pairs(run: str) -> list[str]:
    if len(run) == 1:
        return [run]
    return [run[i : i + 2] for i in range(len(run) - 1)]


def terms(text: str) -> list[str]:
    """The search terms of ``text``, in order, repeats kept (term frequency matters)."""
    if _HAS_CJK.search(text):
        found: list[str] = []
        position = 0
        for match in _CJK_RUN.finditer(text):
            found.extend(terms(text[position : match.start()]))
            found.extend(_cjk_pairs(match.group()))
            position = match.end()
        found.extend(terms(text[position:]))
        return found
    return [_term(word) for word in words(text) if word not in STOP_WORDS]
