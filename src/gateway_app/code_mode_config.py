"""``GATEWAY_CODE_MODE*``: whether ``execute_code`` exists and what one run may use.

The variables are the reference gateway's. ``GATEWAY_CODE_MODE_MAX_ALLOCATIONS`` is accepted so
that its configurations keep working, but Monty has no allocation counter: ``max_memory`` is what
bounds a run's allocations here.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from attrs import field, frozen

from gateway_adapters.monty_sandbox import MontySandbox
from gateway_domain.code_mode import CodeLimits

from .env_values import switch

_DEFAULTS = CodeLimits()
MAX_WORKERS = 64


@frozen
class CodeModeConfig:
    enabled: bool = False
    limits: CodeLimits = field(factory=CodeLimits)
    audit_verbatim: bool = False
    workers: int = 4
    """Sandbox worker processes: runs beyond this many at once wait (briefly) for one."""


UPPER_BOUNDS = {
    "GATEWAY_CODE_MODE_MAX_DURATION_SECS": 86_400,
    "GATEWAY_CODE_MODE_MAX_MEMORY": 2**40,
    "GATEWAY_CODE_MODE_MAX_ALLOCATIONS": 10**12,
    "GATEWAY_CODE_MODE_MAX_RECURSION_DEPTH": 100_000,
    "GATEWAY_CODE_MODE_MAX_NESTED_CALLS": 100_000,
    "GATEWAY_CODE_MODE_WORKERS": MAX_WORKERS,
}
"""Far above any sensible setting, and below what the sandbox can take: it holds these in 64-bit
integers and durations, and refused every run once one overflowed."""


def _positive(environ: Mapping[str, str], name: str, default: float, *, whole: bool, problems: list[str]) -> float:
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    kind = "a whole number" if whole else "a number"
    try:
        value = int(raw) if whole else float(raw)
    except ValueError:
        problems.append(f"{name}: expected {kind}, got {raw[:40]!r}")
        return default
    if not (value > 0 and math.isfinite(value)):
        problems.append(f"{name}: expected {kind} above 0, got {raw[:40]}")
        return default
    if value > UPPER_BOUNDS[name]:
        problems.append(f"{name}: at most {UPPER_BOUNDS[name]}, got {raw[:40]}")
        return default
    return value


def code_mode_settings(environ: Mapping[str, str], problems: list[str]) -> CodeModeConfig:
    enabled = switch(environ, "GATEWAY_CODE_MODE", False, problems)
    duration = _positive(
        environ, "GATEWAY_CODE_MODE_MAX_DURATION_SECS", _DEFAULTS.max_duration_secs, whole=False, problems=problems
    )
    memory = _positive(environ, "GATEWAY_CODE_MODE_MAX_MEMORY", _DEFAULTS.max_memory, whole=True, problems=problems)
    _positive(environ, "GATEWAY_CODE_MODE_MAX_ALLOCATIONS", 10_000_000, whole=True, problems=problems)
    depth = _positive(
        environ,
        "GATEWAY_CODE_MODE_MAX_RECURSION_DEPTH",
        _DEFAULTS.max_recursion_depth,
        whole=True,
        problems=problems,
    )
    calls = _positive(
        environ, "GATEWAY_CODE_MODE_MAX_NESTED_CALLS", _DEFAULTS.max_nested_calls, whole=True, problems=problems
    )
    verbatim = switch(environ, "GATEWAY_CODE_MODE_AUDIT_VERBATIM", False, problems)
    workers = _positive(environ, "GATEWAY_CODE_MODE_WORKERS", 4, whole=True, problems=problems)
    limits = CodeLimits(
        max_duration_secs=float(duration),
        max_memory=int(memory),
        max_recursion_depth=int(depth),
        max_nested_calls=int(calls),
    )
    return CodeModeConfig(enabled=enabled, limits=limits, audit_verbatim=verbatim, workers=int(workers))


def monty_sandbox(limits: CodeLimits, workers: int = 4) -> MontySandbox:
    """The Monty sandbox for ``execute_code``; a :class:`ConfigError` when the extra is missing."""
    try:
        import pydantic_monty  # noqa: F401
    except ImportError:
        from .config import ConfigError

        extra = "pip install 'mcp-discovery-gateway[code-mode]'"
        raise ConfigError([f"GATEWAY_CODE_MODE: needs the code-mode extra; install it with {extra}"]) from None
    return MontySandbox(max_processes=workers, max_duration_secs=limits.max_duration_secs)
