"""Values of ``GATEWAY_*`` variables that more than one settings module reads."""

from __future__ import annotations

from collections.abc import Mapping

_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")


def switch(environ: Mapping[str, str], name: str, default: bool, problems: list[str]) -> bool:
    """A true/false variable (``1/0``, ``yes/no``, ``on/off`` too, any case); unset or empty is
    ``default``; anything else is added to ``problems`` naming the variable."""
    raw = environ.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    problems.append(f"{name}: expected true or false, got {raw[:40]!r}")
    return default
