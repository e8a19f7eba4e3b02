"""An open session to one upstream, as the session keeper holds it."""

from __future__ import annotations

from attrs import field, frozen
from mcp import Client

from .fast_calls import FastToolCalls


@frozen
class Connection:
    """The SDK client of one session, and, where the session allows it, a cheaper way to call tools."""

    client: Client = field(eq=False)
    fast_calls: FastToolCalls | None = field(default=None, eq=False)
