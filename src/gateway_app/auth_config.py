"""``GATEWAY_AUTH_*``: inbound bearer-token verification and the domains a token's claims grant.

Authentication is on when one key source is set: ``GATEWAY_AUTH_JWT_SECRET`` (HS256/384/512),
``GATEWAY_AUTH_PUBLIC_KEY`` (a PEM key, or the path of a PEM file) or ``GATEWAY_AUTH_JWKS_URL``.
``GATEWAY_AUTH_ISSUER`` and ``GATEWAY_AUTH_AUDIENCE`` are then required.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from gateway_adapters.jwt_settings import JwtSettings
from gateway_domain import DomainGrants

MAX_LEEWAY = 600.0
_SOURCES = ("GATEWAY_AUTH_JWT_SECRET", "GATEWAY_AUTH_PUBLIC_KEY", "GATEWAY_AUTH_JWKS_URL")


def _value(environ: Mapping[str, str], name: str) -> str | None:
    return environ.get(name, "").strip() or None


def _public_key(raw: str, problems: list[str]) -> str | None:
    if raw.startswith("-----BEGIN"):
        return raw
    try:
        return Path(raw).expanduser().read_text(encoding="ascii")
    except OSError as exc:
        problems.append(f"GATEWAY_AUTH_PUBLIC_KEY: not a PEM key, and cannot read it as a file ({exc.strerror})")
    except UnicodeDecodeError:
        problems.append(f"GATEWAY_AUTH_PUBLIC_KEY: {raw} is not a PEM text file (a DER key? convert it to PEM)")
    return None


def auth_settings(environ: Mapping[str, str], problems: list[str]) -> tuple[JwtSettings | None, DomainGrants | None]:
    sources = [name for name in _SOURCES if _value(environ, name)]
    claim = _value(environ, "GATEWAY_AUTH_DOMAINS_CLAIM")
    grants = DomainGrants(claim, prefix=environ.get("GATEWAY_AUTH_DOMAINS_PREFIX", "")) if claim else None
    if not sources:
        if any(_value(environ, n) for n in ("GATEWAY_AUTH_ISSUER", "GATEWAY_AUTH_AUDIENCE")) or claim:
            problems.append(
                "GATEWAY_AUTH_*: issuer, audience or a domains claim is set but no key is; set one of "
                + ", ".join(_SOURCES)
            )
        return None, None
    if len(sources) > 1:
        problems.append(f"GATEWAY_AUTH_*: set only one of {', '.join(sources)}")
        return None, None
    issuer = _value(environ, "GATEWAY_AUTH_ISSUER")
    audience = [a.strip() for a in environ.get("GATEWAY_AUTH_AUDIENCE", "").split(",") if a.strip()]
    if issuer is None:
        problems.append("GATEWAY_AUTH_ISSUER: required with bearer-token authentication (the tokens' 'iss')")
    if not audience:
        problems.append("GATEWAY_AUTH_AUDIENCE: required with bearer-token authentication (the tokens' 'aud')")
    leeway_raw = _value(environ, "GATEWAY_AUTH_LEEWAY") or "30"
    try:
        leeway = float(leeway_raw)
    except ValueError:
        leeway = float("nan")
    if not 0 <= leeway <= MAX_LEEWAY:  # also refuses NaN, which would switch the expiry check off
        problems.append(f"GATEWAY_AUTH_LEEWAY: expected 0 to {MAX_LEEWAY:g} seconds, got {leeway_raw!r}")
        leeway = 30.0
    algorithms = tuple(a.strip() for a in environ.get("GATEWAY_AUTH_ALGORITHMS", "").split(",") if a.strip())
    secret = _value(environ, "GATEWAY_AUTH_JWT_SECRET")
    if secret is not None and len(secret.encode()) < 32:
        problems.append("GATEWAY_AUTH_JWT_SECRET: must be at least 32 bytes long")
    public_raw = _value(environ, "GATEWAY_AUTH_PUBLIC_KEY")
    public_key = _public_key(public_raw, problems) if public_raw else None
    jwks_url = _value(environ, "GATEWAY_AUTH_JWKS_URL")
    if jwks_url is not None and not jwks_url.startswith(("https://", "http://")):
        problems.append(f"GATEWAY_AUTH_JWKS_URL: expected an http(s) URL, got {jwks_url[:60]!r}")
    if issuer is None or not audience or (public_raw and public_key is None):
        return None, grants
    try:
        settings = JwtSettings(
            issuer=issuer,
            audience=tuple(audience),
            secret=secret,
            public_key=public_key,
            jwks_url=jwks_url,
            algorithms=algorithms,
            leeway=leeway,
        )
    except ValueError as exc:
        problems.append(f"GATEWAY_AUTH_*: {exc}")
        return None, grants
    return settings, grants
