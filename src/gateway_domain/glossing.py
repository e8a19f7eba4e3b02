"""The optional glosser (a port): English words for the parts of a text written in other languages.

Many MCP servers describe their tools in Chinese while most queries are in English. Character
pairs let a Chinese query find a Chinese description, but an English query shares nothing with it
but the tool's name. A glosser turns "获取微博热搜榜" into "get microblog popular search list":
those words are indexed with the description (and a non-English query gets them too), so the
lexical ranker matches across the two languages. A dictionary is far too big to live in the
domain, so an adapter provides it; the index asks only about texts that are not plain ASCII.
"""

from __future__ import annotations

from typing import Protocol


class Glosser(Protocol):
    def gloss(self, text: str) -> str:
        """English words for what ``text`` says in another language ('' when there is nothing to
        add). Called from index builds on worker threads, so it must be thread-safe, and should
        be cheap for texts it has seen before."""
        ...


def glossed(text: str, glosser: Glosser | None) -> str:
    """The gloss of ``text``, or '' when there is no glosser or the text is plain ASCII."""
    if glosser is None or text.isascii():
        return ""
    return glosser.gloss(text)
