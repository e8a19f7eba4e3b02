"""How inbound bearer tokens are verified: issuer, audience, and exactly one source of keys.

Kept apart from the verifier (which needs FastMCP) so the configuration can be checked — the key
parsed, the algorithms matched to it — before the server stack is even imported.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from attrs import field, frozen
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa
from cryptography.hazmat.primitives.serialization import load_pem_public_key

HMAC_ALGORITHMS = ("HS256", "HS384", "HS512")
RSA_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512")
EC_ALGORITHMS = ("ES256", "ES384", "ES512")
EDDSA_ALGORITHMS = ("EdDSA",)


def _tuple(value: str | Sequence[str]) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(value)


@frozen
class JwtSettings:
    """How bearer tokens are verified. Exactly one of ``secret``, ``public_key``, ``jwks_url``."""

    issuer: str
    audience: tuple[str, ...] = field(converter=_tuple)
    secret: str | None = field(default=None, repr=False)
    public_key: str | None = None
    jwks_url: str | None = None
    algorithms: tuple[str, ...] = field(default=(), converter=_tuple)
    leeway: float = 30.0
    jwks_cache_seconds: float = 300.0
    jwks_refetch_cooldown: float = 10.0

    def __attrs_post_init__(self) -> None:
        sources = [name for name in ("secret", "public_key", "jwks_url") if getattr(self, name)]
        if len(sources) != 1:
            raise ValueError("give exactly one of secret, public_key or jwks_url")
        if not 0 <= self.leeway <= 600:  # NaN would silently switch the expiry check off
            raise ValueError("leeway must be between 0 and 600 seconds")
        self.key_and_algorithms()  # fail now, with a clear message, on a bad key or algorithm list

    def key_and_algorithms(self) -> tuple[Any, list[str]]:
        """The static key (None with a JWKS) and the algorithms its kind of key may sign with.

        Only one family is ever accepted, so a token cannot pick another: no ``none``, and no HS256
        "signed" with a public key used as the secret.
        """
        key: Any = None
        family: tuple[str, ...]
        if self.secret:
            if len(self.secret.encode()) < 32:
                raise ValueError("an HS secret must be at least 32 bytes")
            key, family = self.secret, HMAC_ALGORITHMS
        elif self.public_key:
            try:
                key = load_pem_public_key(self.public_key.encode())
            except ValueError as exc:
                raise ValueError(f"the public key is not a PEM public key ({exc})") from None
            family = _public_key_algorithms(key)
        else:
            family = RSA_ALGORITHMS + EC_ALGORITHMS + EDDSA_ALGORITHMS
        chosen = self.algorithms or family
        if any(algorithm not in family for algorithm in chosen):
            raise ValueError(f"algorithms must come from {', '.join(family)} for this kind of key")
        return key, list(chosen)


def _public_key_algorithms(key: Any) -> tuple[str, ...]:
    if isinstance(key, rsa.RSAPublicKey):
        return RSA_ALGORITHMS
    if isinstance(key, ec.EllipticCurvePublicKey):
        return EC_ALGORITHMS
    if isinstance(key, ed25519.Ed25519PublicKey | ed448.Ed448PublicKey):
        return EDDSA_ALGORITHMS
    raise ValueError(f"unsupported public key type {type(key).__name__}")
