"""Serving the gateway over MCP with FastMCP: the meta-tools, the health routes and the registry's REST endpoints."""

from .fast_execute import FastExecute
from .health import add_health_routes
from .registry_routes import UpstreamRegistry, add_registry_routes
from .response_modes import ASGIApp, build_http_app
from .server import build_server, execute_tool_runner

__all__ = [
    "ASGIApp",
    "FastExecute",
    "UpstreamRegistry",
    "add_health_routes",
    "add_registry_routes",
    "build_http_app",
    "build_server",
    "execute_tool_runner",
]
