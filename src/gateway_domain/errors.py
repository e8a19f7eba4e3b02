"""The one error type of the gateway, with codes callers can branch on.

Every failure a caller can see is a :class:`GatewayError`. Its ``code`` is part of the public
contract (the reference gateway's codes are kept verbatim), its ``message`` is written for an LLM
to act on, and its ``details`` carry only what is safe to show: never a URL, a credential, a stack
trace or the name of a tool the caller may not see.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any


class ErrorCode(StrEnum):
    """Stable error codes. The first six are the reference gateway's; keep their spelling."""

    TOOL_NOT_FOUND = "tool_not_found"
    DOMAIN_NOT_FOUND = "domain_not_found"
    GROUP_NOT_FOUND = "group_not_found"
    EXECUTION_ERROR = "execution_error"
    UPSTREAM_ERROR = "upstream_error"
    REFRESH_ERROR = "refresh_error"
    INVALID_ARGUMENTS = "invalid_arguments"
    AMBIGUOUS_TOOL = "ambiguous_tool"
    FORBIDDEN = "forbidden"
    UPSTREAM_UNAVAILABLE = "upstream_unavailable"
    UPSTREAM_TIMEOUT = "upstream_timeout"
    UPSTREAM_UNAUTHORIZED = "upstream_unauthorized"
    CONFLICT = "conflict"


class GatewayError(Exception):
    """A failure with a stable ``code``, a message for the caller and safe ``details``."""

    def __init__(self, code: ErrorCode | str, message: str, details: Mapping[str, Any] | None = None) -> None:
        super().__init__(message)
        self.code = str(code)
        self.message = message
        self.details: dict[str, Any] = dict(details or {})

    def to_payload(self) -> dict[str, Any]:
        """The wire shape of the reference gateway: ``{"error", "code", "details"}``."""
        return {"error": self.message, "code": self.code, "details": self.details}

    def with_details(self, **extra: Any) -> GatewayError:
        """A copy with more details; the original (possibly shared) instance is left alone."""
        return GatewayError(self.code, self.message, {**self.details, **extra})

    def __repr__(self) -> str:
        return f"GatewayError({self.code!r}, {self.message!r})"
