"""stdio connection to an upstream: the gateway starts the server as a child process.

The child's stderr is read line by line into the gateway's log under ``upstream.<domain>``, so a
crashing server explains itself where operators look. The child gets only a safe environment
(``PATH`` and the like) plus the configured ``env``: the gateway's own secrets stay with it.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import AsyncExitStack, asynccontextmanager

from mcp import Client, StdioServerParameters
from mcp.client.stdio import stdio_client

from gateway_domain import ErrorCode, GatewayError

from .connection import Connection
from .http import CLIENT_INFO
from .session import Connector

log = logging.getLogger(__name__)


def _pump(domain: str, read_fd: int) -> None:
    """Copy the child's stderr into the log until the child (and every holder of the pipe) is gone."""
    child_log = logging.getLogger(f"upstream.{domain}")
    with os.fdopen(read_fd, "rb") as pipe:
        for raw in pipe:
            line = raw.decode("utf-8", errors="replace").rstrip()
            if line:
                child_log.info("%s", line)


def stdio_connector(
    domain: str,
    command: str,
    args: Sequence[str] = (),
    *,
    env: Mapping[str, str] | None = None,
    cwd: str | None = None,
) -> Connector:
    params = StdioServerParameters(command=command, args=list(args), env=dict(env or {}) or None, cwd=cwd)

    @asynccontextmanager
    async def connect() -> AsyncIterator[Connection]:
        read_fd, write_fd = os.pipe()
        errlog = os.fdopen(write_fd, "w")
        threading.Thread(target=_pump, args=(domain, read_fd), name=f"stderr-{domain}", daemon=True).start()
        async with AsyncExitStack() as stack:
            try:
                client = Client(stdio_client(params, errlog=errlog), mode="auto", cache=None, client_info=CLIENT_INFO)
                await stack.enter_async_context(client)
            except OSError as exc:
                log.warning("upstream %s: cannot start %r: %s", domain, command, exc)
                raise GatewayError(
                    ErrorCode.UPSTREAM_UNAVAILABLE,
                    f"Upstream server '{domain}' could not be started ({exc.strerror or type(exc).__name__}); "
                    "see the gateway log.",
                    {"domain": domain},
                ) from None
            finally:
                errlog.close()  # the child holds its own copy; ours would keep the pump alive forever
            yield Connection(client)

    return connect
