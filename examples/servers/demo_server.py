"""Two small demo MCP servers for ``make run``: ``python demo_server.py notes|maths PORT``."""

from __future__ import annotations

import math
import sys
from typing import Any

from fastmcp import FastMCP


def notes() -> FastMCP[Any]:
    server: FastMCP[Any] = FastMCP("notes")
    store: dict[str, str] = {"welcome": "This gateway fronts the notes and maths demo servers."}

    @server.tool
    async def notes_add(title: str, text: str) -> dict[str, Any]:
        """Save a note under a title (replacing any note with that title)."""
        store[title] = text
        return {"saved": title, "count": len(store)}

    @server.tool
    async def notes_list() -> list[str]:
        """List the titles of every saved note."""
        return sorted(store)

    @server.tool
    async def notes_search(query: str) -> list[dict[str, str]]:
        """Find notes whose title or text contains the query (case-insensitive)."""
        wanted = query.lower()
        return [{"title": t, "text": x} for t, x in store.items() if wanted in t.lower() or wanted in x.lower()]

    return server


def maths() -> FastMCP[Any]:
    server: FastMCP[Any] = FastMCP("maths")

    @server.tool
    async def maths_add(a: float, b: float) -> float:
        """Add two numbers."""
        return a + b

    @server.tool
    async def maths_sqrt(x: float) -> float:
        """Square root of a non-negative number."""
        if x < 0:
            raise ValueError("x must be non-negative")
        return math.sqrt(x)

    @server.tool
    async def maths_stats(values: list[float]) -> dict[str, float]:
        """Mean, minimum and maximum of a list of numbers."""
        return {"mean": sum(values) / len(values), "min": min(values), "max": max(values)}

    return server


if __name__ == "__main__":
    name, port = sys.argv[1], int(sys.argv[2])
    {"notes": notes, "maths": maths}[name]().run(
        transport="http", host="127.0.0.1", port=port, show_banner=False, log_level="warning"
    )
