"""The wire shape of a modern-protocol (2026-07-28) ``tools/call`` of ``execute_tool``, as the fast
path sees it: shared by its unit tests and its end-to-end tests."""

META = {"io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientCapabilities": {}}
HEADERS = {
    "content-type": "application/json",
    "accept": "application/json, text/event-stream",
    "mcp-protocol-version": "2026-07-28",
    "mcp-method": "tools/call",
    "mcp-name": "execute_tool",
}
