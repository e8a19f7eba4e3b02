"""Configuration from ``GATEWAY_*`` variables into frozen objects, with errors that name the field.

The variables and their meaning are the reference gateway's, so a deployment switches by changing
its command only. Every problem is collected and reported at once, one line each, as
``GATEWAY_UPSTREAMS.crm.url: expected a string``.
"""

from __future__ import annotations

import json
import logging
import math
import re
from collections.abc import Mapping
from enum import StrEnum
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import cattrs
from attrs import evolve, field, frozen
from cattrs.v import format_exception

from gateway_adapters.jwt_settings import JwtSettings
from gateway_domain import AccessPolicy, DomainGrants
from gateway_domain.arguments import json_type_name

from .auth_config import auth_settings
from .code_mode_config import CodeModeConfig, code_mode_settings
from .env_values import switch

DEFAULT_NAME = "mcp-discovery-gateway"
DEFAULT_CONNECT_TIMEOUT = 10.0
_DOMAIN_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,47}")
_HEADER_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
"""Matched whole (``fullmatch``): ``$`` would also let a name end in a newline."""
_LOG_LEVELS = ("CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG")


class OptionalExtra(StrEnum):
    """A search aid from an optional extra (``GATEWAY_SEARCH_SEMANTIC``, ``GATEWAY_SEARCH_GLOSSES``):
    use it when the extra is installed (``auto``), insist on it (``on``), or never load it (``off``)."""

    AUTO = "auto"
    ON = "on"
    OFF = "off"


SemanticSearch = OptionalExtra
"""The name this setting had before the glosser shared it."""


class ConfigError(Exception):
    """Everything wrong with the configuration, one problem per line."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def _frozen_mapping(value: Mapping[str, Any]) -> Mapping[str, Any]:
    return dict(value)


def _strings(value: Any) -> tuple[str, ...]:
    return tuple(value)


class Transport(StrEnum):
    HTTP = "http"
    """Streamable HTTP; the 2026-07-28 stateless protocol or the legacy handshake, negotiated."""
    SSE = "sse"
    STDIO = "stdio"


_TRANSPORT_ALIASES = {
    "http": Transport.HTTP,
    "streamable-http": Transport.HTTP,
    "streamable_http": Transport.HTTP,
    "streamablehttp": Transport.HTTP,
    "sse": Transport.SSE,
    "stdio": Transport.STDIO,
}


@frozen
class Timeouts:
    """Seconds an upstream gets to accept a connection, list its tools, and answer one call."""

    connect: float = DEFAULT_CONNECT_TIMEOUT
    list: float = 30.0
    call: float = 60.0


@frozen
class UpstreamConfig:
    """One upstream as configured: how to reach it, what to send it, what to expose of it."""

    transport: Transport
    url: str | None = None
    command: str | None = None
    args: tuple[str, ...] = field(default=(), converter=_strings)
    env: Mapping[str, str] = field(factory=dict, converter=_frozen_mapping, hash=False)
    cwd: str | None = None
    headers: Mapping[str, str] = field(factory=dict, converter=_frozen_mapping, hash=False)
    description: str | None = None
    timeouts: Timeouts = Timeouts()
    allowed_tools: tuple[str, ...] = field(default=(), converter=_strings)
    denied_tools: tuple[str, ...] = field(default=(), converter=_strings)
    forward_headers: tuple[str, ...] = field(default=(), converter=_strings)

    @property
    def target(self) -> str:
        """Where it is, for logs: the command for stdio, the URL without credentials otherwise."""
        if self.command is not None:
            return self.command
        return re.sub(r"//[^/@]*@", "//", self.url or "")


@frozen
class _TimeoutEntry:
    connect: float | None = None
    list: float | None = None
    call: float | None = None


@frozen
class _Entry:
    """An upstream entry as users write it, in ``GATEWAY_UPSTREAMS`` or an ``mcpServers`` file."""

    url: str | None = None
    command: str | None = None
    args: list[str] = field(factory=list)
    env: dict[str, str] = field(factory=dict)
    cwd: str | None = None
    headers: dict[str, str] = field(factory=dict)
    description: str | None = None
    timeout: Any = None
    transport: str | None = None
    type: str | None = None
    allowed_tools: list[str] = field(factory=list)
    denied_tools: list[str] = field(factory=list)
    forward_headers: list[str] = field(factory=list)
    disabled: bool = False
    # Keys desktop clients keep in the same file; they mean nothing to a gateway.
    autoApprove: Any = None
    alwaysAllow: Any = None


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
    auth: JwtSettings | None = None
    domain_grants: DomainGrants | None = None
    hook_module: str | None = None
    registry_auth_token: str | None = field(default=None, repr=False)
    registration_token: str | None = field(default=None, repr=False)
    """The bearer token of the REST endpoints that register upstreams at run time (none: no endpoints)."""
    semantic_search: OptionalExtra = OptionalExtra.AUTO
    search_glosses: OptionalExtra = OptionalExtra.AUTO
    code_mode: CodeModeConfig = field(factory=CodeModeConfig)
    self_descriptions: bool = True
    """Whether a domain without a description takes its server's own words."""

    def access_policy(self) -> AccessPolicy:
        """The policy of the upstreams' own ``allowed_tools`` and ``denied_tools``."""
        return AccessPolicy.per_upstream(
            {domain: up.allowed_tools for domain, up in self.upstreams.items()},
            {domain: up.denied_tools for domain, up in self.upstreams.items()},
        )

    def description_of(self, domain: str) -> str:
        configured = self.upstreams.get(domain)
        if configured is not None and configured.description:
            return configured.description
        return self.domain_descriptions.get(domain, "")


# --------------------------------------------------------------------------- strict converter


def _strict(kind: type, label: str) -> Any:
    def structure(value: Any, _: type) -> Any:
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            if abs(value) > 10**300:  # float() would overflow
                raise ValueError(f"expected a finite number, got {str(value)[:20]}…")
            return float(value)
        if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
            raise TypeError(f"expected {label}, got {_json_type(value)}")
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError(f"expected a finite number, got {value}")
        return value

    return structure


def _json_type(value: Any) -> str:
    """``a string``, ``a number``, ``an object``...: the JSON type of a value, for messages."""
    name = json_type_name(value)
    name = "number" if name == "integer" else "list" if name == "array" else name
    return name if name == "null" else f"{'an' if name[0] in 'aeiou' else 'a'} {name}"


def _converter() -> cattrs.Converter:
    converter = cattrs.Converter(forbid_extra_keys=True)
    converter.register_structure_hook(str, _strict(str, "a string"))
    converter.register_structure_hook(int, _strict(int, "an integer"))
    converter.register_structure_hook(float, _strict(float, "a number"))
    converter.register_structure_hook(bool, _strict(bool, "true or false"))
    base_list = converter.get_structure_hook(list[str])

    def strict_list(value: Any, kind: type) -> Any:
        if not isinstance(value, list):
            raise TypeError(f"expected a list of strings, got {_json_type(value)}")
        return base_list(value, kind)

    converter.register_structure_hook_func(lambda kind: kind == list[str], strict_list)
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
    return _parse_json(raw, name, problems)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def _parse_json(text: str, label: str, problems: list[str]) -> Any:
    """Parse JSON strictly (no NaN or Infinity); any failure is one problem, never a traceback."""
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        problems.append(f"{label}: not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})")
    except ValueError as exc:
        problems.append(f"{label}: not valid JSON ({exc})")
    except RecursionError:
        problems.append(f"{label}: not valid JSON (nested too deeply)")
    return None


def _timeouts(raw: Any, path: str, problems: list[str]) -> Timeouts:
    """``timeout`` is a number of seconds (for listing and calls) or ``{connect, list, call}``."""
    if raw is None:
        return Timeouts()
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        try:
            seconds = float(raw)
        except OverflowError:  # an integer of hundreds of digits
            seconds = math.inf
        if not seconds > 0 or not math.isfinite(seconds):
            problems.append(f"{path}: expected a positive number of seconds, got {str(raw)[:20]}")
            return Timeouts()
        return Timeouts(connect=min(DEFAULT_CONNECT_TIMEOUT, seconds), list=seconds, call=seconds)
    if not isinstance(raw, dict):
        problems.append(f"{path}: expected a number of seconds or an object with connect, list, call")
        return Timeouts()
    entry = _structure(raw, _TimeoutEntry, path, problems)
    if entry is None:
        return Timeouts()
    values = {}
    for name in ("connect", "list", "call"):
        value = getattr(entry, name)
        if value is not None:
            if value <= 0:  # non-finite numbers are refused when the object is structured
                problems.append(f"{path}.{name}: expected a positive number of seconds, got {value:g}")
            else:
                values[name] = value
    return Timeouts(**values)


def _transport(entry: _Entry, path: str, problems: list[str]) -> Transport | None:
    named = entry.transport if entry.transport is not None else entry.type
    key = "transport" if entry.transport is not None else "type"
    if entry.url is not None and entry.command is not None:
        problems.append(f"{path}: give either 'url' (HTTP or SSE) or 'command' (stdio), not both")
        return None
    if entry.url is None and entry.command is None:
        problems.append(f"{path}: needs a 'url' (HTTP or SSE) or a 'command' (stdio)")
        return None
    if named is not None:
        transport = _TRANSPORT_ALIASES.get(named.lower())
        if transport is None:
            problems.append(f"{path}.{key}: expected one of http, streamable-http, sse, stdio, got {named!r}")
            return None
        if (transport is Transport.STDIO) != (entry.command is not None):
            needs = "a 'command'" if transport is Transport.STDIO else "a 'url'"
            problems.append(f"{path}.{key}: {transport.value} needs {needs}")
            return None
        return transport
    if entry.command is not None:
        return Transport.STDIO
    return Transport.SSE if (entry.url or "").rstrip("/").endswith("/sse") else Transport.HTTP


def parse_upstream(raw: Any, path: str, problems: list[str], base_dir: Path | None = None) -> UpstreamConfig | None:
    """One upstream entry (a URL string or an object), or None after reporting what is wrong."""
    if isinstance(raw, str):
        raw = {"url": raw}
    if not isinstance(raw, dict):
        problems.append(f"{path}: expected a URL string or an object with a 'url' or 'command', got {_json_type(raw)}")
        return None
    entry = _structure(raw, _Entry, path, problems)
    if entry is None:
        return None
    before = len(problems)
    transport = _transport(entry, path, problems)
    if entry.url is not None:
        _check_url(entry.url, f"{path}.url", problems)
    if entry.command is not None and not entry.command.strip():
        problems.append(f"{path}.command: must not be empty")
    if transport is Transport.STDIO and entry.headers:
        problems.append(f"{path}.headers: a stdio upstream has no HTTP headers; pass secrets in 'env'")
    if transport is Transport.STDIO and entry.forward_headers:
        problems.append(f"{path}.forward_headers: a stdio upstream has no HTTP headers to forward")
    for header in entry.forward_headers:
        if not _HEADER_NAME.fullmatch(header):
            problems.append(f"{path}.forward_headers: {header!r} is not a valid HTTP header name")
    _check_headers(entry.headers, f"{path}.headers", problems)
    for name in entry.env:
        if "\0" in name or "=" in name or not name:
            problems.append(f"{path}.env.{name}: not a valid environment variable name")
    timeouts = _timeouts(entry.timeout, f"{path}.timeout", problems)
    if len(problems) > before or transport is None:
        return None
    cwd = entry.cwd
    if cwd is not None and base_dir is not None and not Path(cwd).is_absolute():
        cwd = str((base_dir / cwd).resolve())
    return UpstreamConfig(
        transport=transport,
        url=entry.url,
        command=entry.command,
        args=entry.args,
        env=entry.env,
        cwd=cwd,
        headers=entry.headers,
        description=entry.description,
        timeouts=timeouts,
        allowed_tools=entry.allowed_tools,
        denied_tools=entry.denied_tools,
        forward_headers=entry.forward_headers,
    )


def parse_upstreams(
    raw: Any, label: str, problems: list[str], base_dir: Path | None = None
) -> tuple[dict[str, UpstreamConfig], set[str]]:
    """The valid upstreams, and the names of all configured ones (valid, invalid or disabled)."""
    if not isinstance(raw, dict):
        problems.append(f"{label}: expected a JSON object of domain names to upstreams, got {_json_type(raw)}")
        return {}, set()
    upstreams: dict[str, UpstreamConfig] = {}
    for domain, entry in raw.items():
        path = f"{label}.{domain}"
        if not isinstance(domain, str) or not _DOMAIN_NAME.fullmatch(domain):
            problems.append(
                f"{path}: a domain name must be 1-48 characters of letters, digits, '_' or '-', "
                "starting with a letter or digit"
            )
            continue
        if isinstance(entry, dict) and entry.get("disabled") is True:
            continue
        config = parse_upstream(entry, path, problems, base_dir)
        if config is not None:
            upstreams[domain] = config
    return upstreams, set(raw)


_NO_PROCESSES = "not over REST: an upstream registered at run time is reached by its URL"
_NO_RULES = "not over REST: to filter an upstream's tools, configure it"
_NOT_OVER_REST = {
    "command": _NO_PROCESSES,
    "args": _NO_PROCESSES,
    "env": _NO_PROCESSES,
    "cwd": _NO_PROCESSES,
    "allowed_tools": _NO_RULES,
    "denied_tools": _NO_RULES,
    "forward_headers": "not over REST: callers' headers are forwarded to configured upstreams only",
    "disabled": "not over REST: to remove an upstream, DELETE /registry/servers/{domain}",
}


def parse_registration(body: Any) -> tuple[str, UpstreamConfig]:
    """A REST registration body: ``{"domain": ..., "url": ..., "description": ...}`` plus the HTTP
    options of a configured upstream (headers, timeout, transport). Raises
    :class:`ConfigError` with every problem, each naming its field."""
    problems: list[str] = []
    if not isinstance(body, dict):
        raise ConfigError([f"body: expected a JSON object with 'domain' and 'url', got {_json_type(body)}"])
    fields = dict(body)
    domain = fields.pop("domain", None)
    if not isinstance(domain, str) or not _DOMAIN_NAME.fullmatch(domain):
        problems.append(
            "body.domain: a domain name must be 1-48 characters of letters, digits, '_' or '-', "
            "starting with a letter or digit"
        )
    for key, reason in _NOT_OVER_REST.items():
        if key in fields:
            problems.append(f"body.{key}: {reason}")
            fields.pop(key)
    if "url" not in fields:
        problems.append("body.url: required (the upstream's MCP endpoint, http:// or https://)")
    upstream = parse_upstream(fields, "body", problems) if "url" in fields else None
    if problems or upstream is None or not isinstance(domain, str):
        raise ConfigError(problems)
    return domain, upstream


def _check_url(url: str, path: str, problems: list[str]) -> None:
    """An http(s) URL with a host, a valid port if any, and no space or control character (which
    no HTTP client sends, so such an upstream would only fail and be retried for ever)."""
    try:
        parts = urlsplit(url)
        valid = parts.scheme in ("http", "https") and bool(parts.hostname) and parts.port != 0
    except ValueError:  # an unclosed IPv6 bracket, a port that is no number
        valid = False
    if not valid or any(char.isspace() or ord(char) < 32 or ord(char) == 127 for char in url):
        problems.append(f"{path}: expected an http:// or https:// URL, got {without_secrets(url)[:60]!r}")


def without_secrets(url: str) -> str:
    """A URL as an error or an answer repeats it: what may be a password or a token (user info,
    query) is starred. Works on URLs too malformed to parse."""
    shown = re.sub(r"(?<=://)[^/@\s]*@", "***@", url)
    return re.sub(r"\?.*$", "?***", shown, flags=re.DOTALL)


def _check_headers(headers: Mapping[str, Any], path: str, problems: list[str]) -> None:
    for header, value in headers.items():
        if not _HEADER_NAME.fullmatch(header):
            problems.append(f"{path}.{header}: not a valid HTTP header name")
        elif not isinstance(value, str) or "\n" in value or "\r" in value:
            problems.append(f"{path}.{header}: expected a single-line string")
        elif not value.isprintable() or (not value.isascii() and not _latin1(value)):
            # (HTTP sends header values as Latin-1 bytes; a control character or anything else
            # makes every request to the upstream fail)
            problems.append(f"{path}.{header}: expected printable Latin-1 text")


def _latin1(text: str) -> bool:
    try:
        text.encode("latin-1")
    except UnicodeEncodeError:
        return False
    return True


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
            continue  # its upstream entry is invalid (already reported) or disabled
        elif not isinstance(headers, dict):
            problems.append(f"{path}: expected an object of header names to values, got {_json_type(headers)}")
        else:
            before = len(problems)
            _check_headers(headers, path, problems)
            if len(problems) == before:
                current = upstreams[domain]
                if current.transport is Transport.STDIO:
                    problems.append(f"{path}: '{domain}' is a stdio upstream and has no HTTP headers")
                else:
                    upstreams[domain] = evolve(current, headers={**headers, **current.headers})


MAX_CONFIG_FILE_BYTES = 10_000_000


def read_config_file(path: str, label: str, problems: list[str]) -> tuple[dict[str, UpstreamConfig], set[str]]:
    """Upstreams from an ``{"mcpServers": {...}}`` file, the format desktop MCP clients use.

    ``servers`` (VS Code's spelling) is accepted too; a relative ``cwd`` is relative to the file.
    """
    file = Path(path).expanduser()
    try:
        # Only a regular file of sensible size: /dev/zero or a pipe would be read for ever.
        if file.exists() and not file.is_file():
            problems.append(f"{label}: {path} is not a regular file")
            return {}, set()
        with file.open("rb") as stream:
            raw = stream.read(MAX_CONFIG_FILE_BYTES + 1)
        if len(raw) > MAX_CONFIG_FILE_BYTES:
            problems.append(f"{label}: {path} is over {MAX_CONFIG_FILE_BYTES // 1_000_000} MB")
            return {}, set()
        text = raw.decode("utf-8")
    except OSError as exc:
        problems.append(f"{label}: cannot read {path}: {exc.strerror or exc}")
        return {}, set()
    except UnicodeDecodeError:
        problems.append(f"{label}: {path} is not UTF-8 text")
        return {}, set()
    before = len(problems)
    document = _parse_json(text, path, problems)
    if len(problems) > before:
        return {}, set()
    key = next((k for k in ("mcpServers", "servers") if isinstance(document, dict) and k in document), None)
    if key is None:
        problems.append(f'{path}: expected a JSON object with an "mcpServers" object of servers')
        return {}, set()
    return parse_upstreams(document[key], f"{path}: {key}", problems, base_dir=file.parent.resolve())


def load_config(environ: Mapping[str, str], config_file: str | None = None) -> GatewayConfig:
    """Read the configuration; raise :class:`ConfigError` listing every problem.

    Upstreams come from ``GATEWAY_UPSTREAMS`` and from an ``mcpServers`` file (``config_file``,
    else ``GATEWAY_CONFIG``); at least one of them must name an upstream.
    """
    problems: list[str] = []
    upstreams: dict[str, UpstreamConfig] = {}
    named: set[str] = set()
    file_label = "--config" if config_file else "GATEWAY_CONFIG"
    config_file = config_file or environ.get("GATEWAY_CONFIG", "").strip() or None
    if config_file:
        upstreams, named = read_config_file(config_file, file_label, problems)
    raw_upstreams = _json_variable(environ, "GATEWAY_UPSTREAMS", problems)
    if raw_upstreams is not None:
        from_env, env_named = parse_upstreams(raw_upstreams, "GATEWAY_UPSTREAMS", problems)
        for domain in sorted(env_named & named):
            problems.append(f"GATEWAY_UPSTREAMS.{domain}: also defined in {config_file}; keep one of the two")
        upstreams.update({d: c for d, c in from_env.items() if d not in named})
        named |= env_named
    registration_token = environ.get("GATEWAY_REGISTRATION_TOKEN", "").strip() or None
    if not named and not problems and registration_token is None:  # (all may come over REST)
        if config_file or raw_upstreams is not None:
            problems.append("GATEWAY_UPSTREAMS: names no upstream; add at least one domain")
        else:
            problems.append(
                "GATEWAY_UPSTREAMS: required (or --config FILE / GATEWAY_CONFIG with an mcpServers file, "
                "or GATEWAY_REGISTRATION_TOKEN to register upstreams over REST); "
                'for example {"crm": "http://localhost:9000/mcp"}'
            )
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

    auth, grants = auth_settings(environ, problems)
    code_mode = code_mode_settings(environ, problems)
    hook_module = environ.get("GATEWAY_HOOK_MODULE", "").strip() or None
    if hook_module is not None and not re.match(r"^[A-Za-z_][\w.]*:[A-Za-z_]\w*$", hook_module):
        problems.append(f"GATEWAY_HOOK_MODULE: expected 'package.module:factory', got {hook_module!r}")

    semantic = parse_extra_mode(environ.get("GATEWAY_SEARCH_SEMANTIC", ""), "GATEWAY_SEARCH_SEMANTIC", problems)
    glosses = parse_extra_mode(environ.get("GATEWAY_SEARCH_GLOSSES", ""), "GATEWAY_SEARCH_GLOSSES", problems)
    self_descriptions = switch(environ, "GATEWAY_SELF_DESCRIPTIONS", True, problems)

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
        auth=auth,
        domain_grants=grants,
        hook_module=hook_module,
        registry_auth_token=environ.get("GATEWAY_REGISTRY_AUTH_TOKEN", "").strip() or None,
        registration_token=registration_token,
        semantic_search=semantic,
        search_glosses=glosses,
        code_mode=code_mode,
        self_descriptions=self_descriptions,
    )


def parse_extra_mode(raw: object, label: str, problems: list[str]) -> OptionalExtra:
    """``auto``, ``on`` or ``off`` in any case ('' means ``auto``); anything else is a problem."""
    value = (raw.strip().lower() or OptionalExtra.AUTO.value) if isinstance(raw, str) else raw
    if not isinstance(value, str) or value not in {mode.value for mode in OptionalExtra}:
        allowed = ", ".join(mode.value for mode in OptionalExtra)
        problems.append(f"{label}: expected one of {allowed}, got {value!r}")
        return OptionalExtra.AUTO
    return OptionalExtra(value)


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
    if not value > 0 or not math.isfinite(value):
        problems.append(f"{name}: expected a positive number of seconds, got {raw}")
        return None
    return value


def configure_logging(level: str) -> None:
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if level != "DEBUG":
        # httpx2 logs every upstream request at INFO: one line per tool call drowns everything else.
        logging.getLogger("httpx2").setLevel(logging.WARNING)
        logging.getLogger("mcp").setLevel(logging.WARNING)
