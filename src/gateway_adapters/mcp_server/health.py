"""Liveness and readiness routes for orchestrators (Kubernetes probes, load balancers)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from fastmcp import FastMCP
from starlette.requests import Request
from starlette.responses import JSONResponse

from gateway_domain import Gateway


def add_health_routes(server: FastMCP[Any], gateway: Gateway) -> None:
    """``GET /healthz`` is 200 while the process serves; ``GET /readyz`` is 503 until every upstream
    has answered or failed once, then 200. The body names each domain's state, never its URL —
    unless callers see different domains (token grants, visibility hooks): the probe is not
    authenticated, so it then gives counts per state only."""

    @server.custom_route("/healthz", methods=["GET"])
    async def healthz(request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    @server.custom_route("/readyz", methods=["GET"])
    async def readyz(request: Request) -> JSONResponse:
        ready = gateway.is_ready()
        statuses = gateway.statuses()
        body: dict[str, object] = {"status": "ready" if ready else "starting"}
        if gateway.per_caller:
            body["domain_states"] = dict(Counter(status.value for status in statuses.values()))
        else:
            body["domains"] = {name: status.value for name, status in statuses.items()}
            body["tool_count"] = gateway.snapshot.tool_count
        return JSONResponse(body, status_code=200 if ready else 503)
