"""An upstream with N generated tools, for benchmarks and the large-catalogue test.

``python many_tools.py PORT COUNT [--page-size N] [--list-delay SECONDS] [--prefix NAME]``
"""

from __future__ import annotations

import argparse
from typing import Any

import anyio
from fastmcp import FastMCP
from fastmcp.server.middleware import Middleware
from fastmcp.tools import Tool

VERBS = ["get", "list", "create", "update", "delete", "search", "export", "sync"]
NOUNS = ["contact", "invoice", "ticket", "order", "report", "user", "project", "comment", "file", "event"]


class SlowListing(Middleware):
    """Delays tools/list, to stand in for an upstream that is slow to describe itself."""

    def __init__(self, delay: float) -> None:
        self.delay = delay

    async def on_list_tools(self, context: Any, call_next: Any) -> Any:
        await anyio.sleep(self.delay)
        return await call_next(context)


def make_tool(prefix: str, index: int) -> Tool:
    verb, noun = VERBS[index % len(VERBS)], NOUNS[(index // len(VERBS)) % len(NOUNS)]

    async def run(item_id: str, limit: int = 10) -> dict[str, Any]:
        return {"tool": index, "item_id": item_id, "limit": limit}

    return Tool.from_function(
        run,
        name=f"{prefix}{verb}_{noun}_{index}",
        description=f"{verb.capitalize()} a {noun} record (variant {index}) by id, returning its fields.",
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("port", type=int)
    parser.add_argument("count", type=int)
    parser.add_argument("--page-size", type=int, default=None)
    parser.add_argument("--list-delay", type=float, default=0.0)
    parser.add_argument("--prefix", default="")
    args = parser.parse_args()
    middleware = [SlowListing(args.list_delay)] if args.list_delay else []
    tools = [make_tool(args.prefix, i) for i in range(args.count)]
    server: FastMCP[Any] = FastMCP("many", tools=tools, list_page_size=args.page_size, middleware=middleware)
    # Without this the SDK re-runs tools/list on every tools/call (to check Mcp-Param headers):
    # ~290 ms a call at 2,000 tools, which would bury what the benchmark is measuring.
    server._mcp_server.get_tool_input_schema = {tool.name: tool.parameters for tool in tools}.get
    server.run(transport="http", host="127.0.0.1", port=args.port, show_banner=False, log_level="warning")


if __name__ == "__main__":
    main()
