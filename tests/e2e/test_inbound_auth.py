"""Bearer-token authentication on /mcp against a real gateway process and a loopback JWKS."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx2
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from fastmcp import Client

from tests.processes import fixture_server, gateway

pytestmark = pytest.mark.e2e

ISSUER = "https://idp.test"
AUDIENCE = "mcp-gateway"


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def public_pem(key: rsa.RSAPrivateKey) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


class Jwks:
    """A JWKS endpoint on loopback whose keys a test can rotate."""

    def __init__(self) -> None:
        self.keys: dict[str, rsa.RSAPrivateKey] = {}
        self.fetches = 0
        jwks = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                jwks.fetches += 1
                body = json.dumps(
                    {
                        "keys": [
                            {
                                **json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(k.public_key())),
                                "kid": kid,
                                "alg": "RS256",
                            }
                            for kid, k in jwks.keys.items()
                        ]
                    }
                ).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/jwks.json"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def token(key: Any, *, kid: str | None = "k1", algorithm: str = "RS256", **overrides: Any) -> str:
    now = int(time.time())
    claims = {"iss": ISSUER, "aud": AUDIENCE, "sub": "alice", "iat": now, "exp": now + 600, **overrides}
    headers = {"kid": kid} if kid else None
    return jwt.encode({k: v for k, v in claims.items() if v is not None}, key, algorithm=algorithm, headers=headers)


def forged_hs256(key_as_secret: bytes) -> str:
    """The algorithm-confusion attack: HS256 "signed" with the RSA public key as the HMAC secret."""
    import base64
    import hashlib
    import hmac

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    header = b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": "k1"}).encode())
    body = b64(json.dumps({"iss": ISSUER, "aud": AUDIENCE, "sub": "mallory", "exp": int(time.time()) + 600}).encode())
    signature = hmac.new(key_as_secret, f"{header}.{body}".encode(), hashlib.sha256).digest()
    return f"{header}.{body}.{b64(signature)}"


def unsigned(**claims: Any) -> str:
    now = int(time.time())
    body = {"iss": ISSUER, "aud": AUDIENCE, "sub": "alice", "exp": now + 600, **claims}
    return jwt.encode(body, None, algorithm="none")


@pytest.fixture(scope="module")
def jwks() -> Iterator[Jwks]:
    endpoint = Jwks()
    endpoint.keys["k1"] = new_key()
    yield endpoint
    endpoint.server.shutdown()


@pytest.fixture(scope="module")
def secured(jwks: Jwks) -> Iterator[str]:
    upstream, url = fixture_server("gamma")
    process, base = gateway(
        {
            "GATEWAY_UPSTREAMS": json.dumps({"gamma": url}),
            "GATEWAY_AUTH_JWKS_URL": jwks.url,
            "GATEWAY_AUTH_ISSUER": ISSUER,
            "GATEWAY_AUTH_AUDIENCE": AUDIENCE,
            "GATEWAY_AUTH_LEEWAY": "0",
        }
    )
    yield base
    process.stop()
    upstream.stop()


META = {
    "io.modelcontextprotocol/protocolVersion": "2026-07-28",
    "io.modelcontextprotocol/clientInfo": {"name": "test", "version": "1"},
    "io.modelcontextprotocol/clientCapabilities": {},
}


def post(base: str, bearer: str | None) -> httpx2.Response:
    """A well-formed 2026-07-28 tools/list, so only the token decides the answer."""
    headers = {
        "Accept": "application/json, text/event-stream",
        "MCP-Protocol-Version": "2026-07-28",
        "Mcp-Method": "tools/list",
    }
    if bearer is not None:
        headers["Authorization"] = f"Bearer {bearer}"
    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {"_meta": META}}
    return httpx2.post(f"{base}/mcp", json=body, headers=headers, timeout=10)


async def test_a_valid_token_reaches_the_tools(jwks: Jwks, secured: str) -> None:
    async with Client(f"{secured}/mcp", auth=token(jwks.keys["k1"])) as client:
        result = await client.call_tool("execute_tool", {"tool_name": "ping", "arguments": {}})
    assert result.content[0].text == "pong"


def test_health_stays_open_without_a_token(secured: str) -> None:
    assert httpx2.get(f"{secured}/healthz", timeout=5).status_code == 200


@pytest.mark.parametrize(
    "case",
    [
        "missing",
        "expired",
        "wrong issuer",
        "wrong audience",
        "no expiry",
        "alg none",
        "HS256 with the public key",
        "garbage",
    ],
)
def test_bad_tokens_get_401_with_a_challenge(case: str, jwks: Jwks, secured: str) -> None:
    key = jwks.keys["k1"]
    bearer = {
        "missing": None,
        "expired": lambda: token(key, exp=int(time.time()) - 60),
        "wrong issuer": lambda: token(key, iss="https://evil.test"),
        "wrong audience": lambda: token(key, aud="someone-else"),
        "no expiry": lambda: token(key, exp=None),
        "alg none": lambda: unsigned(),
        "HS256 with the public key": lambda: forged_hs256(public_pem(key)),
        "garbage": lambda: "not.a.jwt",
    }[case]
    response = post(secured, bearer() if callable(bearer) else bearer)
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")


def test_a_rotated_key_is_fetched_when_a_token_names_it(jwks: Jwks, secured: str) -> None:
    assert post(secured, token(jwks.keys["k1"])).status_code == 200
    rotated = new_key()
    jwks.keys["k2"] = rotated  # the identity provider publishes a new key
    before = jwks.fetches
    assert post(secured, token(rotated, kid="k2")).status_code == 200
    assert jwks.fetches == before + 1, "the unknown kid made the gateway fetch the key set again"


def test_an_unknown_kid_is_refused_and_cannot_hammer_the_identity_provider(jwks: Jwks, secured: str) -> None:
    stranger = new_key()
    before = jwks.fetches
    assert post(secured, token(stranger, kid="nobody")).status_code == 401
    assert post(secured, token(stranger, kid="nobody-else")).status_code == 401
    assert jwks.fetches <= before + 1, "refetches are rate-limited"


def test_the_gateway_refuses_to_start_with_half_an_auth_configuration() -> None:
    import subprocess
    import sys

    completed = subprocess.run(
        [sys.executable, "-m", "gateway_app"],
        env={
            "PATH": "/usr/bin:/bin",
            "GATEWAY_UPSTREAMS": '{"a": "http://127.0.0.1:1/mcp"}',
            "GATEWAY_AUTH_JWT_SECRET": "short",
        },
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert completed.returncode == 2
    assert completed.stderr.splitlines() == [
        "configuration error: GATEWAY_AUTH_ISSUER: required with bearer-token authentication (the tokens' 'iss')",
        "configuration error: GATEWAY_AUTH_AUDIENCE: required with bearer-token authentication (the tokens' 'aud')",
        "configuration error: GATEWAY_AUTH_JWT_SECRET: must be at least 32 bytes long",
    ]
