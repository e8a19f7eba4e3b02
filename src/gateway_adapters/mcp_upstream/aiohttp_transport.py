"""An httpx2 transport that sends requests with aiohttp.

The MCP SDK speaks HTTP through httpx2, whose default transport parses HTTP/1.1 in pure Python
(h11) and manages its pool in Python too: on every relayed call that is a large share of the
gateway's CPU. aiohttp parses in C (llhttp) and keeps connections in a leaner pool. This adapter
keeps httpx2's API — what the SDK sees — and swaps only the wire underneath. Errors are mapped to
httpx2's exception types, so the SDK and the gateway's error classification see no difference.
"""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import httpx2


class _ResponseStream(httpx2.AsyncByteStream):
    def __init__(self, response: aiohttp.ClientResponse, request: httpx2.Request) -> None:
        self._response = response
        self._request = request

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._response.content.iter_any():
                yield chunk
        except aiohttp.ClientPayloadError as exc:
            raise httpx2.RemoteProtocolError(str(exc), request=self._request) from exc
        except (aiohttp.ClientConnectionError, ConnectionError) as exc:
            raise httpx2.ReadError(str(exc), request=self._request) from exc

    async def aclose(self) -> None:
        self._response.release()


class AiohttpTransport(httpx2.AsyncBaseTransport):
    """Sends httpx2 requests over one aiohttp session (created on first use, in the running loop)."""

    def __init__(self, *, tls: ssl.SSLContext | bool = True) -> None:
        self._tls = tls
        self._session: aiohttp.ClientSession | None = None

    def session(self) -> aiohttp.ClientSession:
        """The aiohttp session underneath, for requests sent without httpx2 (see fast_calls)."""
        return self._client()

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(ssl=self._tls, limit=0, enable_cleanup_closed=True),
                auto_decompress=False,  # httpx2 decodes by Content-Encoding itself
                skip_auto_headers=("User-Agent", "Accept-Encoding", "Accept", "Content-Type"),
                timeout=aiohttp.ClientTimeout(total=None),
            )
        return self._session

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        timeouts: dict[str, Any] = request.extensions.get("timeout", {})
        timeout = aiohttp.ClientTimeout(
            total=None, sock_connect=timeouts.get("connect"), sock_read=timeouts.get("read")
        )
        body = await request.aread()
        # httpx2 has made a URL's user info an Authorization header; aiohttp refuses to get both
        url = request.url.copy_with(userinfo=b"") if request.url.userinfo else request.url
        try:
            response = await self._client().request(
                request.method,
                str(url),
                headers=[(k.decode("latin-1"), v.decode("latin-1")) for k, v in request.headers.raw],
                data=body or None,
                allow_redirects=False,
                timeout=timeout,
                compress=None,
            )
        except aiohttp.ClientConnectorError as exc:
            raise httpx2.ConnectError(str(exc), request=request) from exc
        except aiohttp.ConnectionTimeoutError as exc:
            raise httpx2.ConnectTimeout(str(exc), request=request) from exc
        except aiohttp.ServerTimeoutError as exc:
            raise httpx2.ReadTimeout(str(exc), request=request) from exc
        except (aiohttp.ClientConnectionError, ConnectionError) as exc:
            raise httpx2.ReadError(str(exc), request=request) from exc
        except aiohttp.ClientError as exc:
            raise httpx2.RemoteProtocolError(str(exc), request=request) from exc
        return httpx2.Response(
            status_code=response.status,
            headers=[(k, v) for k, v in response.raw_headers],
            stream=_ResponseStream(response, request),
            request=request,
            extensions={"http_version": b"HTTP/1.1"},
        )

    async def aclose(self) -> None:
        if self._session is not None:
            session, self._session = self._session, None
            await session.close()
