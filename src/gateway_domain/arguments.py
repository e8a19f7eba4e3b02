"""A quick check of call arguments against a tool's input schema.

The upstream owns the final verdict. This check only catches what is certainly wrong — a missing
required argument, a guessed argument name, a value of the wrong JSON type or outside an enum —
so the caller gets an immediate error with the tool's signature instead of a wasted round trip.
Anything it cannot judge for sure (``anyOf``, ``$ref``, nested objects) it lets through.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gateway_domain.tools import JsonObject

_MAX_ECHO = 60

_JSON_TYPE_CHECKS: dict[str, Any] = {
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: (isinstance(v, int) and not isinstance(v, bool)) or (isinstance(v, float) and v.is_integer()),
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "array": lambda v: isinstance(v, list),
    "object": lambda v: isinstance(v, dict),
    "null": lambda v: v is None,
}


def _echo(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= _MAX_ECHO else text[:_MAX_ECHO] + "…"


def json_type_name(value: Any) -> str:
    """The JSON Schema type of a parsed JSON value (``integer``, ``array``, ...)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def _value_problem(name: str, schema: Any, value: Any) -> str | None:
    if not isinstance(schema, Mapping) or any(k in schema for k in ("anyOf", "oneOf", "allOf", "not", "$ref")):
        return None
    declared = schema.get("type")
    types = [declared] if isinstance(declared, str) else declared if isinstance(declared, list) else []
    checks = [_JSON_TYPE_CHECKS[t] for t in types if t in _JSON_TYPE_CHECKS]
    if checks and not any(check(value) for check in checks):
        expected = " or ".join(str(t) for t in types)
        return f"{name!r} must be {expected} (got {json_type_name(value)} {_echo(value)})"
    enum = schema.get("enum")
    if isinstance(enum, list) and enum and value not in enum:
        allowed = ", ".join(_echo(v) for v in enum[:20]) + (", …" if len(enum) > 20 else "")
        return f"{name!r} must be one of {allowed} (got {_echo(value)})"
    return None


def argument_problems(schema: JsonObject, arguments: Mapping[str, Any]) -> list[str]:
    """Say what is certainly wrong with ``arguments``; an empty list means "send it"."""
    properties = schema.get("properties")
    if not isinstance(properties, Mapping):
        return []
    problems: list[str] = []
    required = schema.get("required")
    if isinstance(required, list):
        missing = [str(name) for name in required if name not in arguments]
        if missing:
            problems.append("missing required argument(s) " + ", ".join(repr(n) for n in missing))
    extra = schema.get("additionalProperties", None)
    if extra is not True and not isinstance(extra, Mapping) and "patternProperties" not in schema:
        unknown = [name for name in arguments if name not in properties]
        if unknown:
            known = ", ".join(repr(n) for n in properties) or "none"
            problems.append(
                "unknown argument(s) " + ", ".join(repr(n) for n in unknown) + f" (known arguments: {known})"
            )
    for name, value in arguments.items():
        if name in properties:
            problem = _value_problem(name, properties[name], value)
            if problem:
                problems.append(problem)
    return problems
