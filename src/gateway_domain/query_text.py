"""What a query says beyond its words, made into words (and what it pastes, taken out).

Users paste paths and data into queries. A path says "file" (and which kind) only by its form, so
that is spelt out; a pasted blob (base64, a hash, a token) is no word any tool is described by,
so it is dropped before the query is analysed.
"""

from __future__ import annotations

import re

_PATH = re.compile(r"(?:[A-Za-z]:)?(?:[\\/][\w.\-]+)+\.([A-Za-z0-9]{1,5})\b")
_FILE_KINDS = {
    "md": "markdown",
    "markdown": "markdown",
    "txt": "text",
    "pdf": "pdf",
    "doc": "word document",
    "docx": "word document",
    "ppt": "powerpoint presentation slide",
    "pptx": "powerpoint presentation slide",
    "xls": "excel spreadsheet sheet",
    "xlsx": "excel spreadsheet sheet",
    "csv": "csv table",
    "json": "json",
    "html": "html page",
    "htm": "html page",
    "png": "image",
    "jpg": "image",
    "jpeg": "image",
    "svg": "image svg",
    "mp3": "audio",
    "wav": "audio",
    "mp4": "video",
    "py": "python code",
}


_URL = re.compile(r"\bhttps?://\S+|\bwww\.\S+", re.IGNORECASE)
_BLOB = re.compile(r"(?<!\S)[A-Za-z0-9+/=_-]{40,}(?!\S)")


def without_blobs(query: str) -> str:
    """The query without pasted data: a base64 image, a hash or a token is one long run of letters
    and digits that no tool is described by, and split into case-change fragments it would only
    add noise (and cost) to the search."""
    return _BLOB.sub(" ", query) if len(query) >= 40 else query


def with_file_words(query: str) -> str:
    """A query naming a file path (``save it to /root/ppt/deck.pptx``) asks for file work: the path
    says so only in its form, so its meaning is spelt out as words (file, and the file's kind).
    A URL's path is not a file of ours and is left alone."""
    paths = _PATH.finditer(_URL.sub(" ", query))
    extra = dict.fromkeys(f"file {_FILE_KINDS.get(match.group(1).lower(), '')}" for match in paths)
    return f"{query} {' '.join(extra)}" if extra else query
