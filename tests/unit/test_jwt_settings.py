"""Token verification settings: one key source, one algorithm family, errors that say what to fix."""

from __future__ import annotations

import time

import anyio
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from gateway_adapters.jwt_auth import JwtVerifier
from gateway_adapters.jwt_settings import EC_ALGORITHMS, EDDSA_ALGORITHMS, HMAC_ALGORITHMS, RSA_ALGORITHMS, JwtSettings

SECRET = "x" * 40


def pem(private: object) -> str:
    public = private.public_key()  # type: ignore[attr-defined]
    return public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


@pytest.mark.parametrize(
    ("private", "family"),
    [
        (rsa.generate_private_key(public_exponent=65537, key_size=2048), RSA_ALGORITHMS),
        (ec.generate_private_key(ec.SECP256R1()), EC_ALGORITHMS),
        (ed25519.Ed25519PrivateKey.generate(), EDDSA_ALGORITHMS),
    ],
)
def test_a_public_key_accepts_only_its_own_family(private: object, family: tuple[str, ...]) -> None:
    _, algorithms = JwtSettings(issuer="i", audience="a", public_key=pem(private)).key_and_algorithms()
    assert algorithms == list(family)


def test_a_secret_accepts_only_hmac() -> None:
    assert JwtSettings(issuer="i", audience="a", secret=SECRET).key_and_algorithms()[1] == list(HMAC_ALGORITHMS)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"secret": SECRET, "jwks_url": "https://x"}, "exactly one of"),
        ({}, "exactly one of"),
        ({"secret": "short"}, "at least 32 bytes"),
        ({"public_key": "-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----"}, "not a PEM public key"),
        ({"secret": SECRET, "algorithms": ("RS256",)}, "algorithms must come from HS256"),
    ],
)
def test_bad_settings_say_what_to_fix(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        JwtSettings(issuer="i", audience="a", **kwargs)  # type: ignore[arg-type]


def claims(**overrides: object) -> dict[str, object]:
    now = int(time.time())
    return {"iss": "https://idp", "aud": "gw", "sub": "u1", "exp": now + 60, "scope": "read write", **overrides}


async def test_the_verified_claims_become_the_identity() -> None:
    verifier = JwtVerifier(JwtSettings(issuer="https://idp", audience="gw", secret=SECRET, leeway=0))
    token = await verifier.verify_token(jwt.encode(claims(), SECRET, algorithm="HS256"))
    assert token is not None
    assert (token.client_id, token.scopes, token.claims["sub"]) == ("u1", ["read", "write"], "u1")
    for bad in (
        jwt.encode(claims(exp=int(time.time()) - 5), SECRET, algorithm="HS256"),
        jwt.encode(claims(aud="other"), SECRET, algorithm="HS256"),
        jwt.encode(claims(iss="https://evil"), SECRET, algorithm="HS256"),
        jwt.encode({k: v for k, v in claims().items() if k != "aud"}, SECRET, algorithm="HS256"),
        jwt.encode(claims(), "y" * 40, algorithm="HS256"),
        jwt.encode(claims(), None, algorithm="none"),
    ):
        assert await verifier.verify_token(bad) is None


async def test_an_unreachable_key_set_refuses_tokens_without_breaking() -> None:
    verifier = JwtVerifier(JwtSettings(issuer="https://idp", audience="gw", jwks_url="http://127.0.0.1:1/jwks"))
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with anyio.fail_after(10):
        assert (
            await verifier.verify_token(jwt.encode(claims(), private, algorithm="RS256", headers={"kid": "k"})) is None
        )


async def test_a_key_set_that_is_not_an_object_refuses_tokens_without_crashing() -> None:
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b"[]")

        def log_message(self, *args: object) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/jwks"
        verifier = JwtVerifier(JwtSettings(issuer="https://idp", audience="gw", jwks_url=url))
        private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        signed = jwt.encode(claims(), private, algorithm="RS256", headers={"kid": "k"})
        assert await verifier.verify_token(signed) is None
    finally:
        server.shutdown()
