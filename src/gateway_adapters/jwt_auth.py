"""Inbound authentication: bearer JWTs verified with PyJWT, as a FastMCP token verifier.

A key comes from exactly one source — an HS shared secret, an RSA/EC/Ed25519 public key, or a JWKS
URL — and only that source's algorithm family is accepted, so neither ``alg: none`` nor an HS256
token "signed" with the public key as secret can get through. Issuer, audience and expiry are
required. The JWKS is fetched asynchronously (never blocking the event loop), cached, and fetched
again when a token names a key it does not hold, at most once per cooldown so random ``kid``
values cannot hammer the identity provider.

Without a token, or with a bad one, FastMCP answers HTTP 401 with ``WWW-Authenticate: Bearer``.
"""

from __future__ import annotations

import logging
from typing import Any

import anyio
import httpx2
import jwt
from fastmcp.server.auth import AccessToken, TokenVerifier

from gateway_domain import Identity

from .jwt_settings import JwtSettings

log = logging.getLogger(__name__)


class _Jwks:
    """The key set behind a JWKS URL: cached, refreshed when stale or when an unknown ``kid`` comes."""

    def __init__(self, url: str, cache_seconds: float, cooldown: float) -> None:
        self._url = url
        self._cache_seconds = cache_seconds
        self._cooldown = cooldown
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at = float("-inf")
        self._chased_at = float("-inf")
        self._lock = anyio.Lock()

    async def key(self, kid: str | None) -> jwt.PyJWK:
        now = anyio.current_time()
        if now - self._fetched_at > self._cache_seconds:
            await self._refresh(now)
        elif kid not in self._keys and now - self._chased_at >= self._cooldown:
            # A key the provider may just have rotated in; chased at most once per cooldown.
            self._chased_at = now
            await self._refresh(now)
        if kid is None and len(self._keys) == 1:
            return next(iter(self._keys.values()))
        if kid is None or kid not in self._keys:
            raise jwt.InvalidKeyError(f"no key with kid {kid!r} in the JWKS")
        return self._keys[kid]

    async def _refresh(self, asked_at: float) -> None:
        async with self._lock:
            if self._fetched_at >= asked_at:
                return  # another request refreshed while this one waited
            try:
                async with httpx2.AsyncClient(timeout=5.0, follow_redirects=False) as client:
                    response = await client.get(self._url)
                    response.raise_for_status()
                    document = response.json()
                if not isinstance(document, dict):
                    raise ValueError("the JWKS is not a JSON object")
                keys = jwt.PyJWKSet.from_dict(document)
            except Exception as exc:  # whatever the identity provider serves, tokens are refused, not crashed on
                # Keep serving the keys already held; try again after the cooldown.
                log.warning("JWKS fetch failed: %s", type(exc).__name__)
                self._fetched_at = anyio.current_time() - self._cache_seconds + self._cooldown
                return
            self._keys = {key.key_id: key for key in keys.keys if key.key_id}
            if not self._keys and len(keys.keys) == 1:
                self._keys = {"": keys.keys[0]}
            self._fetched_at = anyio.current_time()


class JwtVerifier(TokenVerifier):
    """Verifies bearer JWTs for FastMCP; the verified claims become the caller's identity."""

    def __init__(self, settings: JwtSettings) -> None:
        super().__init__()
        self.settings = settings
        self._static_key, self._algorithms = settings.key_and_algorithms()
        self._jwks = (
            _Jwks(settings.jwks_url, settings.jwks_cache_seconds, settings.jwks_refetch_cooldown)
            if settings.jwks_url
            else None
        )

    async def verify_token(self, token: str) -> AccessToken | None:
        try:
            claims = await self._decode(token)
        except jwt.PyJWTError as exc:
            log.info("bearer token refused: %s", type(exc).__name__)
            return None
        identity = Identity.from_claims(claims)
        expires = claims.get("exp")
        return AccessToken(
            token=token,
            client_id=str(claims.get("client_id") or claims.get("azp") or identity.subject or "unknown"),
            scopes=list(identity.scopes),
            expires_at=int(expires) if isinstance(expires, int | float) else None,
            claims=claims,
        )

    async def _decode(self, token: str) -> dict[str, Any]:
        header = jwt.get_unverified_header(token)
        if header.get("alg") not in self._algorithms:
            raise jwt.InvalidAlgorithmError(f"algorithm {header.get('alg')!r} is not accepted")
        algorithms = self._algorithms
        if self._jwks is not None:
            key: Any = await self._jwks.key(header.get("kid"))
            # A published key is used only with its own algorithm (RS256 key, RS256 token).
            own = getattr(key, "algorithm_name", None)
            algorithms = [own] if own in self._algorithms else []
        else:
            key = self._static_key
        settings = self.settings
        decoded: dict[str, Any] = jwt.decode(
            token,
            key,
            algorithms=algorithms,
            audience=list(settings.audience),
            issuer=settings.issuer,
            leeway=settings.leeway,
            options={"require": ["exp", "iss", "aud"]},
        )
        return decoded
