"""A light English stemmer: plurals and the common verb and noun endings.

Tool descriptions and queries say the same thing in different forms ("creates a directory",
"create directories", "creation of folders"). Folding those to one stem is most of what a heavier
stemmer buys for search over short texts, without its surprises on identifiers (a Porter stemmer
turns ``news`` into ``new`` and ``general`` into ``gener``). Every stem also drops a final ``e``
so that ``create``, ``created`` and ``creating`` meet at ``creat``.
"""

from __future__ import annotations

_VOWELS = frozenset("aeiouy")
_KEEP_S = ("ss", "us", "is", "ous")
_DOUBLE_KEEP = frozenset("lsz")
_NOT_PLURAL = frozenset(("news", "series", "species"))
"""Words whose final ``s`` is no plural: "news" must not become "new" (as in "create a new ...")."""


def _has_vowel(stem: str) -> bool:
    return any(ch in _VOWELS for ch in stem)


def _undouble(stem: str) -> str:
    """``running`` → ``runn`` → ``run``; ``called`` keeps its ``ll``."""
    if len(stem) >= 3 and stem[-1] == stem[-2] and stem[-1] not in _VOWELS and stem[-1] not in _DOUBLE_KEEP:
        return stem[:-1]
    return stem


def _plural(word: str) -> str:
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "xes", "zes", "ches", "shes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(_KEEP_S) and len(word) > 3:
        return word[:-1]
    return word


def _suffix(word: str) -> str:
    if word.endswith("ied") and len(word) > 4:
        return word[:-3] + "y"
    for suffix in ("ing", "ed"):
        if word.endswith(suffix):
            stem = word[: -len(suffix)]
            if len(stem) >= 3 and _has_vowel(stem):
                return _undouble(stem)
            return word
    for suffix, keep in (("ations", 4), ("ation", 4), ("ions", 4), ("ion", 4), ("ments", 4), ("ment", 4)):
        if word.endswith(suffix) and len(word) - len(suffix) >= keep:
            return word[: -len(suffix)]
    for suffix in ("ences", "ence", "ances", "ance"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    if word.endswith("ly") and len(word) > 5:
        return word[:-2]
    return word


def stem(word: str) -> str:
    """The stem of one lower-cased word (``directories`` → ``directory``, ``creating`` → ``creat``)."""
    if len(word) <= 3 or not word.isalpha() or word in _NOT_PLURAL:
        return word
    stemmed = _suffix(_plural(word))
    if stemmed.endswith("e") and len(stemmed) > 3:
        stemmed = stemmed[:-1]
    return stemmed
