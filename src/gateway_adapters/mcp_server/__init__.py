"""Serving the gateway over MCP with FastMCP: the meta-tools and the health routes."""

from .fast_execute import FastExecute
from .health import add_health_routes
from .response_modes import ASGIApp, build_http_app
from .server import build_server, execute_tool_runner

__all__ = [
    "ASGIApp",
    "FastExecute",
    "add_health_routes",
    "build_http_app",
    "build_server",
    "execute_tool_runner",
]
