"""A real MCP server for tests, started as its own process: ``python fixture_server.py PROFILE PORT``.

Profiles give two upstreams whose tool names collide (``search``), plus tools that fail, return
images, report what headers they received, or take their time.
"""

from __future__ import annotations

import sys
from typing import Annotated, Any

import anyio
import mcp_types as mt
from fastmcp import Context, FastMCP
from fastmcp.exceptions import ToolError
from fastmcp.server.dependencies import get_http_headers
from fastmcp.server.middleware import Middleware
from fastmcp.tools import Tool, ToolResult
from pydantic import Field

PNG_1PX = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="


class HandshakeCounter(Middleware):
    """Counts session openings (2026-07-28 ``server/discover`` and legacy ``initialize``)."""

    count = 0

    async def on_initialize(self, context: Any, call_next: Any) -> Any:
        HandshakeCounter.count += 1
        return await call_next(context)

    async def on_discover(self, context: Any, call_next: Any) -> Any:
        HandshakeCounter.count += 1
        return await call_next(context)


def alpha() -> FastMCP[Any]:
    server: FastMCP[Any] = FastMCP("alpha", instructions="Alpha fixture.", middleware=[HandshakeCounter()])

    @server.tool
    async def handshakes() -> int:
        """How many sessions clients have opened to this server."""
        return HandshakeCounter.count

    @server.tool
    async def add(a: int, b: int) -> int:
        """Add two integers and return their sum."""
        return a + b

    @server.tool
    async def search(query: str) -> str:
        """Search alpha's notes for a phrase."""
        return f"alpha results for {query}"

    @server.tool
    async def fail(reason: str = "it broke") -> str:
        """Always fails with the given reason."""
        raise ToolError(f"alpha failed: {reason}")

    @server.tool
    async def chart() -> ToolResult:
        """Render a tiny chart as a PNG image with a caption."""
        return ToolResult(
            content=[
                mt.ImageContent(type="image", data=PNG_1PX, mime_type="image/png"),
                mt.TextContent(type="text", text="a chart"),
            ]
        )

    received: list[dict[str, str | None]] = []

    @server.tool
    async def whoami(tag: str = "") -> dict[str, Any]:
        """Report the HTTP headers this request arrived with (and remember them under ``tag``)."""
        headers = get_http_headers(include_all=True)
        received.append({"tag": tag, "authorization": headers.get("authorization"), "caller": headers.get("x-caller")})
        return {"headers": headers}

    @server.tool
    async def received_headers() -> dict[str, Any]:
        """Everything whoami has recorded, in arrival order."""
        return {"received": received}

    @server.tool
    async def slow(seconds: Annotated[float, Field(ge=0, le=60)], ctx: Context) -> str:
        """Sleep, reporting progress, then answer."""
        steps = 4
        for step in range(steps):
            await ctx.report_progress(step, steps, f"step {step}")
            await anyio.sleep(seconds / steps)
        return f"slept {seconds}"

    @server.tool(name="get-user-profile")
    async def get_user_profile(user_id: str) -> dict[str, Any]:
        """Fetch a user's profile by id (a kebab-case tool name)."""
        return {"id": user_id, "name": "Ada"}

    return server


def beta() -> FastMCP[Any]:
    server: FastMCP[Any] = FastMCP("beta")

    @server.tool
    async def search(query: str, limit: int = 5) -> dict[str, Any]:
        """Search beta's catalogue of products."""
        return {"source": "beta", "query": query, "items": [f"item {i}" for i in range(limit)]}

    @server.tool
    async def multiply(a: float, b: float) -> float:
        """Multiply two numbers."""
        return a * b

    return server


def gamma() -> FastMCP[Any]:
    server: FastMCP[Any] = FastMCP("gamma")

    @server.tool
    async def ping() -> str:
        """Answer pong."""
        return "pong"

    return server


class RefuseListing(Middleware):
    async def on_list_tools(self, context: Any, call_next: Any) -> Any:
        raise ToolError("listing is broken on this server")


def unlisted() -> FastMCP[Any]:
    """A server that opens sessions and says what it is, but cannot list its tools."""
    server: FastMCP[Any] = FastMCP(
        "unlisted", instructions="Weather forecasts for any city. Call forecast first.", middleware=[RefuseListing()]
    )

    @server.tool
    async def forecast(city: str) -> str:
        """Tomorrow's weather."""
        return f"sunny in {city}"

    return server


def delta() -> FastMCP[Any]:
    server: FastMCP[Any] = FastMCP("delta")

    @server.tool
    async def delta_headers() -> dict[str, Any]:
        """Report the HTTP headers this request arrived with."""
        return {"headers": get_http_headers(include_all=True)}

    return server


class RequireBearer:
    """ASGI middleware refusing every request without ``Authorization: Bearer upstream-secret``."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and (b"authorization", b"Bearer upstream-secret") not in scope["headers"]:
            await send({"type": "http.response.start", "status": 401, "headers": [(b"www-authenticate", b"Bearer")]})
            await send({"type": "http.response.body", "body": b"unauthorized"})
            return
        await self.app(scope, receive, send)


class _ListedTool(Tool):
    """A tool published with the JSON Schema a real server would send, answering with its arguments."""

    async def run(self, arguments: dict[str, Any]) -> ToolResult:
        return ToolResult(structured_content={"tool": self.name, "arguments": arguments})


def _listed(name: str, description: str, parameters: dict[str, Any]) -> Tool:
    return _ListedTool(name=name, description=description, parameters={"type": "object", **parameters})


def catalog() -> FastMCP[Any]:
    """A filesystem-and-more catalogue shaped like real servers: kebab-case and dotted names, a
    Chinese description, ``$ref``/``$defs`` and a schema nested deeper than five levels."""
    server: FastMCP[Any] = FastMCP("catalog")
    path = {"path": {"type": "string", "description": "Path of the file or directory."}}
    deep: dict[str, Any] = {"type": "string"}
    for level in range(7, 0, -1):
        deep = {"type": "object", "properties": {f"level{level}": deep}}
    tools = [
        _listed("read_file", "Read the complete contents of a file from the file system.", {"properties": path}),
        _listed(
            "write_file",
            "Create a new file or completely overwrite an existing file with new content.",
            {"properties": {**path, "content": {"type": "string"}}, "required": ["path", "content"]},
        ),
        _listed(
            "list_directory",
            "Get a detailed listing of all files and directories in a specified path.",
            {"properties": path, "required": ["path"]},
        ),
        _listed(
            "move-file", "Move or rename files and directories.", {"properties": {"source": {}, "destination": {}}}
        ),
        _listed(
            "get_file_info", "Retrieve metadata about a file: size, creation time, permissions.", {"properties": path}
        ),
        _listed(
            "convert_time", "Convert a time between timezones.", {"properties": {"source_timezone": {"type": "string"}}}
        ),
        _listed(
            "bing_search", "使用必应搜索指定的关键词，并返回搜索结果列表", {"properties": {"query": {"type": "string"}}}
        ),
        _listed(
            "calendar.events.create",
            "Schedule a meeting on the calendar.",
            {
                "properties": {"event": {"$ref": "#/$defs/Event"}},
                "$defs": {
                    "Event": {
                        "type": "object",
                        "properties": {"title": {"type": "string"}, "start": {"type": "string", "format": "date-time"}},
                        "required": ["title"],
                    }
                },
            },
        ),
        _listed("nested_settings_update", "Update deeply nested settings.", {"properties": {"settings": deep}}),
    ]
    for tool in tools:
        server.add_tool(tool)
    return server


PROFILES = {
    "alpha": alpha,
    "beta": beta,
    "gamma": gamma,
    "delta": delta,
    "guarded": gamma,
    "catalog": catalog,
    "unlisted": unlisted,
}

if __name__ == "__main__":
    from starlette.middleware import Middleware

    profile, port = sys.argv[1], int(sys.argv[2])
    PROFILES[profile]().run(
        transport="http",
        host="127.0.0.1",
        port=port,
        show_banner=False,
        log_level="warning",
        middleware=[Middleware(RequireBearer)] if profile == "guarded" else None,
    )
