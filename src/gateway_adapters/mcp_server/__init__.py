"""Serving the gateway over MCP with FastMCP: the meta-tools and the health routes."""

from .health import add_health_routes
from .server import build_server

__all__ = ["add_health_routes", "build_server"]
