"""The optional glosser (a port): English words for the parts of a text written in other languages.

Many MCP servers describe their tools in Chinese while most queries are in English. Character
pairs let a Chinese query find a Chinese description, but an English query shares nothing with it
but the tool's name. A glosser turns "获取微博热搜榜" into "get microblog popular search list":
those words are indexed with the description (and a non-English query gets them too), so the
lexical ranker matches across the two languages. A dictionary is far too big to live in the
domain, so an adapter provides it; the index asks only about texts that are not plain ASCII.

Glosses are an aid: a glosser that fails is logged and ignored, never the reason a registry update
or a search fails.
"""

from __future__ import annotations

import logging
from typing import Protocol

log = logging.getLogger(__name__)


class Glosser(Protocol):
    def gloss(self, text: str) -> str:
        """English words for what ``text`` says in another language ('' when there is nothing to
        add). Called from index builds on worker threads: it must be thread-safe, and may take
        its time the first time (to load a dictionary)."""
        ...

    def gloss_if_ready(self, text: str) -> str:
        """The same, for a query on the event loop: it must answer at once, '' while not ready."""
        ...


def glossed(text: str, glosser: Glosser | None, *, query: bool = False) -> str:
    """The gloss of ``text`` ('' without a glosser, for plain ASCII, or when the glosser fails)."""
    if glosser is None or text.isascii():
        return ""
    try:
        return glosser.gloss_if_ready(text) if query else glosser.gloss(text)
    except Exception:
        log.exception("glossing failed; searching without glosses for this text")
        return ""
