"""Adapters: one sub-package per outside thing (MCP serving, MCP upstream clients, tracing, ...).

Adapters implement the domain's ports and translate at the edge. They never import
``gateway_app``, and they talk to each other only through their packages' public names.
"""
