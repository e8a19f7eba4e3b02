"""The MCP server the upstream contract suite runs against.

``python -m gateway_adapters.testing.contract_server http PORT`` (or ``sse PORT``, or ``stdio``;
add ``--legacy`` to refuse the 2026-07-28 protocol and speak only the initialize handshake).
Its tools cover what an upstream adapter must relay faithfully: every content block type,
structured content with an output schema, annotations, the error flag, progress, a hanging call,
unusual names and deep ``$ref`` schemas, and a tool that reports the HTTP headers it received.
"""

from __future__ import annotations

import os
import sys
from typing import Annotated, Any, Literal

import anyio
import mcp_types as mt
from fastmcp import Context, FastMCP
from fastmcp.exceptions import ToolError
from fastmcp.server.dependencies import get_http_headers
from fastmcp.server.middleware import Middleware
from fastmcp.tools import ToolResult
from mcp import MCPError
from pydantic import BaseModel, Field

PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
WAV = "UklGRiQAAABXQVZFZm10IBAAAAABAAEAQB8AAEAfAAABAAgAZGF0YQAAAAA="


class Address(BaseModel):
    street: str
    city: str
    tags: list[str] = []


class Person(BaseModel):
    name: str
    address: Address
    manager: Person | None = None


class Profile(BaseModel):
    id: str
    name: str
    roles: list[str]


class _HandshakeOnly(Middleware):
    """Refuses ``server/discover`` so clients fall back to the legacy ``initialize`` handshake,
    as they must with servers built before the 2026-07-28 protocol."""

    async def on_discover(self, context: Any, call_next: Any) -> Any:
        raise MCPError(code=mt.METHOD_NOT_FOUND, message="Method not found")


def build(*, legacy: bool = False) -> FastMCP[Any]:
    server: FastMCP[Any] = FastMCP(
        "contract", instructions="Upstream contract server.", middleware=[_HandshakeOnly()] if legacy else []
    )

    @server.tool
    async def echo(text: str) -> str:
        """Return the text unchanged."""
        return text

    @server.tool
    async def add(a: int, b: int) -> int:
        """Add two integers."""
        return a + b

    @server.tool
    async def profile(user_id: str) -> Profile:
        """A user's profile as structured content with an output schema."""
        return Profile(id=user_id, name="Ada", roles=["admin", "dev"])

    @server.tool
    async def content_kinds() -> ToolResult:
        """One block of every MCP content type."""
        return ToolResult(
            content=[
                mt.TextContent(type="text", text="plain text", annotations=mt.Annotations(priority=0.5)),
                mt.ImageContent(type="image", data=PNG, mime_type="image/png"),
                mt.AudioContent(type="audio", data=WAV, mime_type="audio/wav"),
                mt.EmbeddedResource(
                    type="resource",
                    resource=mt.TextResourceContents(uri="file:///notes.txt", mime_type="text/plain", text="a note"),
                ),
                mt.EmbeddedResource(
                    type="resource",
                    resource=mt.BlobResourceContents(
                        uri="file:///blob.bin", mime_type="application/octet-stream", blob="AAEC"
                    ),
                ),
                mt.ResourceLink(type="resource_link", uri="https://example.com/doc", name="doc", mime_type="text/html"),
            ],
            structured_content={"kinds": 6},
        )

    @server.tool(
        title="Delete a record",
        annotations=mt.ToolAnnotations(
            title="Delete a record",
            read_only_hint=False,
            destructive_hint=True,
            idempotent_hint=True,
            open_world_hint=False,
        ),
    )
    async def delete_record(record_id: Annotated[int, Field(ge=1, description="The record's id.")]) -> str:
        """Delete a record (annotated as destructive)."""
        return f"deleted {record_id}"

    @server.tool
    async def fail(message: str = "it broke") -> str:
        """Always fails; the result carries isError."""
        raise ToolError(message)

    @server.tool
    async def headers() -> dict[str, str]:
        """The HTTP headers this call arrived with (empty over stdio)."""
        return get_http_headers(include_all=True)

    @server.tool
    async def sleep(seconds: float, ctx: Context) -> str:
        """Wait, reporting progress four times, then answer."""
        for step in range(4):
            await ctx.report_progress(step, 4, f"step {step}")
            await anyio.sleep(seconds / 4)
        return f"slept {seconds}"

    @server.tool
    async def pid() -> int:
        """This server's process id (lets a test kill it)."""
        return os.getpid()

    @server.tool(name="get-user.v2")
    async def get_user_v2(user_id: str, mode: Literal["brief", "full"] = "brief") -> dict[str, str]:
        """A kebab-case, dotted tool name."""
        return {"id": user_id, "mode": mode}

    @server.tool
    async def deep(person: Person) -> str:
        """Takes a recursive, $ref-based nested schema."""
        depth, current = 0, person
        while current.manager is not None:
            depth, current = depth + 1, current.manager
        return f"{person.name} has {depth} managers above"

    return server


def main(argv: list[str]) -> None:
    legacy = "--legacy" in argv
    argv = [arg for arg in argv if arg != "--legacy"]
    transport = argv[1] if len(argv) > 1 else "stdio"
    server = build(legacy=legacy)
    if transport == "stdio":
        server.run(transport="stdio", show_banner=False)
        return
    port = int(argv[2])
    server.run(transport=transport, host="127.0.0.1", port=port, show_banner=False, log_level="warning")  # type: ignore[arg-type]


if __name__ == "__main__":
    main(sys.argv)
