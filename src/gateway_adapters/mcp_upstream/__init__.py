"""Upstream MCP servers reached through the official MCP SDK, one long-lived session each."""

from .http import http_connector
from .session import Connector
from .upstream import McpUpstream

__all__ = ["Connector", "McpUpstream", "http_connector"]
