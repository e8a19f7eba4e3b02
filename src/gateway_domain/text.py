"""Tokenisation shared by search, suggestions and name resolution."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
word_pattern = re.compile(r"[^\W_]+", re.UNICODE)
"""A word: letters and digits; ``_``, ``-``, ``.`` and everything else separate words."""


def split_camel_case(text: str) -> str:
    """``getUserByID`` → ``get User By ID``."""
    return _CAMEL.sub(" ", text)


def words(text: str) -> list[str]:
    """Lower-cased words, splitting snake, kebab, dotted and camel case: ``getUserById`` → get user by id."""
    return [w.lower() for w in word_pattern.findall(split_camel_case(text))]


@lru_cache(maxsize=1 << 16)
def normalized_name(name: str) -> str:
    """The name with case and separators erased, for matching ``get-user`` to ``GetUser``.

    Cached: every snapshot asks again for every tool, and a catalogue's names rarely change."""
    return "".join(words(name))


def printable(text: str) -> str:
    """``text`` without control and format characters (zero-width spaces, bidirectional overrides):
    an upstream's words go before a model, and those can hide text from the people reading them.
    Lone surrogates go too: JSON can carry them ("\\ud800"), but no answer holding one can be sent."""
    return "".join(char for char in text if char in "\n\t" or unicodedata.category(char) not in ("Cc", "Cf", "Cs"))


def echoed(text: str, limit: int = 80) -> str:
    """The caller's input as an answer or a message repeats it: at most ``limit`` characters of it,
    and its length. A name or a query can be megabytes (the MCP SDK takes 4 MB bodies), and an
    answer repeating it whole would be as large."""
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text)} characters)"
