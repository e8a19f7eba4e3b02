"""Configuration from ``GATEWAY_*`` variables into frozen objects, with errors that name the field.

The variables and their meaning are the reference gateway's, so a deployment switches by changing
its command only. Every problem is collected and reported at once, one line each, as
``GATEWAY_UPSTREAMS.crm.url: expected a string``.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping
from typing import Any

import cattrs
from attrs import evolve, field, frozen
from cattrs.v import format_exception

DEFAULT_NAME = "mcp-discovery-gateway"
_DOMAIN_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,47}$")
_HEADER_NAME = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
_LOG_LEVELS = ("CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG")


class ConfigError(Exception):
    """Everything wrong with the configuration, one problem per line."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def _frozen_mapping(value: Mapping[str, Any]) -> Mapping[str, Any]:
    return dict(value)


@frozen
class UpstreamConfig:
    """One upstream as configured: where it is and how to talk to it."""

    url: str
    headers: Mapping[str, str] = field(factory=dict, converter=_frozen_mapping, hash=False)
    description: str | None = None


@frozen
class GatewayConfig:
    upstreams: Mapping[str, UpstreamConfig] = field(converter=_frozen_mapping, hash=False)
    name: str = DEFAULT_NAME
    host: str = "0.0.0.0"
    port: int = 8080
    instructions: str | None = None
    domain_descriptions: Mapping[str, str] = field(factory=dict, converter=_frozen_mapping, hash=False)
    refresh_interval: float | None = None
    log_level: str = "INFO"

    def description_of(self, domain: str) -> str:
        configured = self.upstreams.get(domain)
        if configured is not None and configured.description:
            return configured.description
        return self.domain_descriptions.get(domain, "")


# --------------------------------------------------------------------------- strict converter


def _strict(kind: type, label: str) -> Any:
    def structure(value: Any, _: type) -> Any:
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            return float(value)
        if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
            raise TypeError(f"expected {label}, got {_json_type(value)}")
        return value

    return structure


def _json_type(value: Any) -> str:
    for kind, name in ((bool, "a boolean"), (int, "a number"), (float, "a number"), (str, "a string")):
        if isinstance(value, kind):
            return name
    if value is None:
        return "null"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _converter() -> cattrs.Converter:
    converter = cattrs.Converter(forbid_extra_keys=True)
    converter.register_structure_hook(str, _strict(str, "a string"))
    converter.register_structure_hook(int, _strict(int, "an integer"))
    converter.register_structure_hook(float, _strict(float, "a number"))
    converter.register_structure_hook(bool, _strict(bool, "true or false"))
    return converter


_CONVERTER = _converter()


def _message(exc: BaseException, type_: type | None) -> str:
    if isinstance(exc, TypeError | ValueError) and exc.args and isinstance(exc.args[0], str):
        text = exc.args[0]
        if text.startswith("expected ") or type_ is None:
            return text
    if isinstance(exc, KeyError):
        return "required field missing"
    message = format_exception(exc, type_)
    if message.startswith("extra fields found"):
        return message.replace("extra fields found", "unknown field(s)")
    return message


def _structure(value: Any, kind: type, path: str, problems: list[str]) -> Any:
    try:
        return _CONVERTER.structure(value, kind)
    except (cattrs.ClassValidationError, cattrs.IterableValidationError) as error:
        for line in cattrs.transform_error(error, path=path, format_exception=_message):
            message, _, where = line.rpartition(" @ ")
            where = re.sub(r"\[['\"]?([^'\"\]]+)['\"]?\]", r".\1", where.replace("$", path, 1))
            problems.append(f"{where}: {message}")
    except (TypeError, ValueError) as error:
        problems.append(f"{path}: {_message(error, kind)}")
    return None


# --------------------------------------------------------------------------- variables


def _json_variable(environ: Mapping[str, str], name: str, problems: list[str]) -> Any:
    raw = environ.get(name)
    if raw is None or not raw.strip():
        return None
    try:
        return json.loads(raw)
    except json.JSONDecodeError as exc:
        problems.append(f"{name}: not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})")
        return None


def parse_upstreams(raw: Any, label: str, problems: list[str]) -> tuple[dict[str, UpstreamConfig], set[str]]:
    """The valid upstreams, and the names of all configured ones (valid or not)."""
    if not isinstance(raw, dict):
        problems.append(f"{label}: expected a JSON object of domain names to upstreams, got {_json_type(raw)}")
        return {}, set()
    if not raw:
        problems.append(f"{label}: names no upstream; add at least one domain")
    upstreams: dict[str, UpstreamConfig] = {}
    for domain, entry in raw.items():
        path = f"{label}.{domain}"
        if not isinstance(domain, str) or not _DOMAIN_NAME.match(domain):
            problems.append(
                f"{path}: a domain name must be 1-48 characters of letters, digits, '_' or '-', "
                "starting with a letter or digit"
            )
            continue
        if isinstance(entry, str):
            entry = {"url": entry}
        if not isinstance(entry, dict):
            problems.append(f"{path}: expected a URL string or an object with a 'url', got {_json_type(entry)}")
            continue
        config = _structure(entry, UpstreamConfig, path, problems)
        if config is None:
            continue
        before = len(problems)
        _check_url(config.url, f"{path}.url", problems)
        _check_headers(config.headers, f"{path}.headers", problems)
        if len(problems) == before:
            upstreams[domain] = config
    return upstreams, set(raw)


def _check_url(url: str, path: str, problems: list[str]) -> None:
    if not re.match(r"^https?://[^/\s]+", url):
        problems.append(f"{path}: expected an http:// or https:// URL, got {url[:60]!r}")


def _check_headers(headers: Mapping[str, Any], path: str, problems: list[str]) -> None:
    for header, value in headers.items():
        if not _HEADER_NAME.match(header):
            problems.append(f"{path}.{header}: not a valid HTTP header name")
        elif not isinstance(value, str) or "\n" in value or "\r" in value:
            problems.append(f"{path}.{header}: expected a single-line string")


def parse_descriptions(raw: Any, label: str, problems: list[str]) -> dict[str, str]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        problems.append(f"{label}: expected a JSON object of domain names to descriptions, got {_json_type(raw)}")
        return {}
    descriptions: dict[str, str] = {}
    for domain, text in raw.items():
        if isinstance(text, str):
            descriptions[domain] = text
        else:
            problems.append(f"{label}.{domain}: expected a string, got {_json_type(text)}")
    return descriptions


def apply_headers(
    upstreams: dict[str, UpstreamConfig], named: set[str], raw: Any, label: str, problems: list[str]
) -> None:
    """Merge per-domain headers into the upstreams (an upstream's own ``headers`` win)."""
    if raw is None:
        return
    if not isinstance(raw, dict):
        problems.append(f"{label}: expected a JSON object of domain names to headers, got {_json_type(raw)}")
        return
    for domain, headers in raw.items():
        path = f"{label}.{domain}"
        if domain not in named:
            known = ", ".join(sorted(named)) or "none"
            problems.append(f"{path}: no upstream is named '{domain}' (known: {known})")
        elif domain not in upstreams:
            continue  # its upstream entry is invalid and already reported
        elif not isinstance(headers, dict):
            problems.append(f"{path}: expected an object of header names to values, got {_json_type(headers)}")
        else:
            before = len(problems)
            _check_headers(headers, path, problems)
            if len(problems) == before:
                current = upstreams[domain]
                upstreams[domain] = evolve(current, headers={**headers, **current.headers})


def load_config(environ: Mapping[str, str]) -> GatewayConfig:
    """Read the configuration from ``GATEWAY_*`` variables; raise :class:`ConfigError` listing every problem."""
    problems: list[str] = []
    raw_upstreams = _json_variable(environ, "GATEWAY_UPSTREAMS", problems)
    if raw_upstreams is None and not environ.get("GATEWAY_UPSTREAMS", "").strip():
        problems.append(
            'GATEWAY_UPSTREAMS: required; set it to a JSON object such as {"crm": "http://localhost:9000/mcp"}'
        )
        upstreams: dict[str, UpstreamConfig] = {}
        named: set[str] = set()
    elif raw_upstreams is None:
        upstreams, named = {}, set()
    else:
        upstreams, named = parse_upstreams(raw_upstreams, "GATEWAY_UPSTREAMS", problems)
    descriptions = parse_descriptions(
        _json_variable(environ, "GATEWAY_DOMAIN_DESCRIPTIONS", problems), "GATEWAY_DOMAIN_DESCRIPTIONS", problems
    )
    apply_headers(
        upstreams,
        named,
        _json_variable(environ, "GATEWAY_UPSTREAM_HEADERS", problems),
        "GATEWAY_UPSTREAM_HEADERS",
        problems,
    )
    port = _integer(environ, "GATEWAY_PORT", 8080, 0, 65535, problems)
    refresh = _number(environ, "GATEWAY_REFRESH_INTERVAL", problems)
    log_level = environ.get("LOG_LEVEL", "INFO").strip().upper() or "INFO"
    if log_level not in _LOG_LEVELS:
        problems.append(f"LOG_LEVEL: expected one of {', '.join(_LOG_LEVELS)}, got {log_level!r}")

    if problems:
        raise ConfigError(problems)
    return GatewayConfig(
        upstreams=upstreams,
        name=environ.get("GATEWAY_NAME", "").strip() or DEFAULT_NAME,
        host=environ.get("GATEWAY_HOST", "").strip() or "0.0.0.0",
        port=port,
        instructions=environ.get("GATEWAY_INSTRUCTIONS") or None,
        domain_descriptions=descriptions,
        refresh_interval=refresh,
        log_level=log_level,
    )


def _integer(environ: Mapping[str, str], name: str, default: int, low: int, high: int, problems: list[str]) -> int:
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        problems.append(f"{name}: expected an integer, got {raw[:40]!r}")
        return default
    if not low <= value <= high:
        problems.append(f"{name}: expected an integer from {low} to {high}, got {value}")
    return value


def _number(environ: Mapping[str, str], name: str, problems: list[str]) -> float | None:
    raw = environ.get(name, "").strip()
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        problems.append(f"{name}: expected a number of seconds, got {raw[:40]!r}")
        return None
    if not value > 0:
        problems.append(f"{name}: expected a positive number of seconds, got {raw}")
        return None
    return value


def configure_logging(level: str) -> None:
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if level != "DEBUG":
        # httpx2 logs every upstream request at INFO: one line per tool call drowns everything else.
        logging.getLogger("httpx2").setLevel(logging.WARNING)
        logging.getLogger("mcp").setLevel(logging.WARNING)
