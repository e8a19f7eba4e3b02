"""The REST endpoints that register, remove and list upstreams at run time, as the reference
gateway has them (``POST``/``GET /registry/servers``, ``DELETE /registry/servers/{domain}``).

They exist only when a registration token is set, and every request must carry it as a bearer
token. Anything a request gets wrong is a 4xx with the gateway's error shape
(``{"error", "code", "details"}``) saying what to fix; the body is read up to a small limit, so a
huge one costs nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Protocol

from fastmcp import FastMCP
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse

from gateway_domain import ErrorCode, GatewayError

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 64 * 1024
"""A registration is a few hundred bytes; headers and a description fit many times over."""

_STATUS: dict[str, int] = {
    ErrorCode.INVALID_ARGUMENTS: 400,
    ErrorCode.FORBIDDEN: 403,
    ErrorCode.CONFLICT: 409,
    ErrorCode.DOMAIN_NOT_FOUND: 404,
    ErrorCode.UPSTREAM_UNAVAILABLE: 503,
}


class UpstreamRegistry(Protocol):
    """What the endpoints ask of the application (it owns the upstreams' sessions)."""

    async def add(self, body: Any) -> Mapping[str, Any]: ...

    async def remove(self, domain: str) -> Mapping[str, Any]: ...

    def listing(self) -> Mapping[str, Any]: ...


def _error(status: int, code: str, message: str, details: Mapping[str, Any] | None = None) -> JSONResponse:
    headers = {"WWW-Authenticate": 'Bearer realm="registry"'} if status == 401 else None
    return JSONResponse({"error": message, "code": code, "details": dict(details or {})}, status, headers=headers)


def _digest(secret: bytes) -> bytes:
    return hashlib.sha256(secret).digest()


def _authorized(request: Request, token_digest: bytes) -> bool:
    """Compared as digests, so that the time taken says nothing of the token, not even its length
    (the header's bytes are as sent: Starlette decodes headers as Latin-1)."""
    given = request.headers.get("authorization", "")
    scheme, _, credential = given.partition(" ")
    sent = credential.strip().encode("latin-1")
    return scheme.lower() == "bearer" and hmac.compare_digest(_digest(sent), token_digest)


async def _body(request: Request) -> Any:
    """The JSON body, read no further than ``MAX_BODY_BYTES``."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise _TooLarge
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise _TooLarge
        chunks.append(chunk)
    try:
        body = json.loads(b"".join(chunks), parse_constant=_no_constant)
        json.dumps(body, ensure_ascii=False).encode()  # a lone surrogate ("\ud800") is JSON, not text
        return body
    except RecursionError:
        problem = "it nests too deeply"
    except UnicodeEncodeError:
        problem = "a string in it is not valid Unicode"
    except (UnicodeDecodeError, ValueError) as exc:
        problem = str(exc)
    raise GatewayError(
        ErrorCode.INVALID_ARGUMENTS, f"The body is not JSON ({problem}): send a JSON object with 'domain' and 'url'."
    )


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


class _TooLarge(Exception):
    pass


async def _answer(work: Callable[[], Awaitable[Mapping[str, Any]]], success: int = 200) -> JSONResponse:
    try:
        return JSONResponse(dict(await work()), success)
    except _TooLarge:
        return _error(413, ErrorCode.INVALID_ARGUMENTS, f"The body is over {MAX_BODY_BYTES} bytes.")
    except ClientDisconnect:
        return _error(400, ErrorCode.INVALID_ARGUMENTS, "The request ended before its body did.")
    except GatewayError as error:
        return _error(_STATUS.get(error.code, 400), error.code, error.message, error.details)
    except Exception:
        log.exception("a registry request failed")
        return _error(500, ErrorCode.EXECUTION_ERROR, "The request failed inside the gateway; its log says why.")


def add_registry_routes(server: FastMCP[Any], registry: UpstreamRegistry, token: str) -> None:
    """Mount the endpoints on ``server``; every request must send ``Authorization: Bearer <token>``."""
    secret = _digest(token.encode())

    def refused(request: Request) -> JSONResponse | None:
        if _authorized(request, secret):
            return None
        return _error(401, "unauthorized", "Send the registration token as 'Authorization: Bearer <token>'.", {})

    async def register(request: Request) -> JSONResponse:
        async def work() -> Mapping[str, Any]:
            return await registry.add(await _body(request))

        return await _answer(work, 201)

    async def listing(request: Request) -> JSONResponse:
        async def work() -> Mapping[str, Any]:
            return registry.listing()

        return await _answer(work)

    async def deregister(request: Request) -> JSONResponse:
        async def work() -> Mapping[str, Any]:
            return await registry.remove(str(request.path_params["domain"]))

        return await _answer(work)

    servers = {"POST": register, "GET": listing}
    one_server = {"DELETE": deregister}

    # Every method is routed here, so that a wrong one gets a 405 in the gateway's error shape too.
    @server.custom_route("/registry/servers", methods=_METHODS)
    async def on_servers(request: Request) -> JSONResponse:
        return refused(request) or await _dispatch(request, servers)

    @server.custom_route("/registry/servers/{domain}", methods=_METHODS)
    async def on_one_server(request: Request) -> JSONResponse:
        return refused(request) or await _dispatch(request, one_server)


_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]


Handler = Callable[[Request], Awaitable[JSONResponse]]


async def _dispatch(request: Request, handlers: Mapping[str, Handler]) -> JSONResponse:
    handler = handlers.get(request.method)
    if handler is None:
        allowed = ", ".join(handlers)
        response = _error(405, ErrorCode.INVALID_ARGUMENTS, f"{request.method} is not supported here; use {allowed}.")
        response.headers["Allow"] = allowed
        return response
    return await handler(request)
