"""What the domain knows about the caller of one request."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from attrs import field, frozen

from gateway_domain.identity import Identity
from gateway_domain.ports import ProgressSink
from gateway_domain.tools import JsonObject


def _lower_keys(headers: Mapping[str, str]) -> Mapping[str, str]:
    return {key.lower(): value for key, value in headers.items()}


@frozen
class CallContext:
    """The caller of one meta-tool request.

    Built once per request by the server adapter. ``headers`` are the inbound HTTP headers with
    lower-cased names (``authorization`` included); they are never forwarded to an upstream unless
    an upstream's ``forward_headers`` names them.
    """

    headers: Mapping[str, str] = field(factory=dict, converter=_lower_keys, hash=False)
    request_meta: JsonObject | None = field(default=None, hash=False)
    progress: ProgressSink | None = field(default=None, eq=False, hash=False)
    identity: Identity | None = field(default=None, hash=False)
    """The identity of a bearer token the server adapter verified (None without inbound auth)."""
    memo: dict[str, Any] = field(factory=dict, eq=False, hash=False, repr=False)
    """Per-request results computed once (the hooks' view of the user), whatever asks for them."""


ANONYMOUS = CallContext()
"""The context of work the gateway does on its own behalf (populate, background refresh)."""
