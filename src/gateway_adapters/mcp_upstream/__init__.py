"""Upstream MCP servers reached through the official MCP SDK, one long-lived session each."""

from .http import http_connector
from .session import Connector, RestartPolicy
from .sse import sse_connector
from .stdio import stdio_connector
from .upstream import McpUpstream

__all__ = ["Connector", "McpUpstream", "RestartPolicy", "http_connector", "sse_connector", "stdio_connector"]
