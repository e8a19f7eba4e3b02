"""Bounded answers: pages cut by count and by size, and the cursors that continue them.

A listing of two thousand tools is half a megabyte, which no model should have to read at once.
Every discovery answer is cut to a byte budget (16 KB by default) and, when it is cut, says where
the next page starts. Cursors are opaque to the caller (so the encoding can change) but carry
nothing secret: only the offset of the next item.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from attrs import frozen

from gateway_domain.errors import ErrorCode, GatewayError

DEFAULT_RESPONSE_BYTES = 16_000
"""The size an answer stays under by default, measured as UTF-8 JSON."""
ENVELOPE_BYTES = 600
"""Room kept for the fields around the items (domain, total, next_cursor, ...)."""

_PREFIX = "o:"

T = TypeVar("T")


def encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"{_PREFIX}{offset}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int:
    """The offset a cursor points at (0 for none); ``invalid_arguments`` for one we never issued."""
    if not cursor:
        return 0
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        if text.startswith(_PREFIX) and text[len(_PREFIX) :].isdigit():
            return int(text[len(_PREFIX) :])
    except (binascii.Error, UnicodeDecodeError, ValueError):
        pass
    raise GatewayError(
        ErrorCode.INVALID_ARGUMENTS,
        "cursor is not one this gateway issued: pass the next_cursor of the previous answer unchanged.",
        {"argument": "cursor"},
    )


def json_size(value: Any) -> int:
    return len(json.dumps(value, ensure_ascii=False).encode())


@frozen
class Page:
    """The items of one page, and where the next one starts (``None`` when this is the last)."""

    items: tuple[Any, ...]
    next_offset: int | None

    @property
    def next_cursor(self) -> str | None:
        return encode_cursor(self.next_offset) if self.next_offset is not None else None


def take_page(items: Sequence[T], offset: int, limit: int, budget: int, size: Callable[[T], int] = json_size) -> Page:
    """Items from ``offset`` on, at most ``limit`` of them and at most ``budget`` bytes of them (but
    always at least one, so paging always advances)."""
    chosen: list[T] = []
    used = 0
    position = offset
    while position < len(items) and len(chosen) < limit:
        cost = size(items[position]) + 1
        if chosen and used + cost > budget:
            break
        chosen.append(items[position])
        used += cost
        position += 1
    return Page(tuple(chosen), position if position < len(items) else None)
