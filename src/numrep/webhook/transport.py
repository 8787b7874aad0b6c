"""An httpx transport that connects only to checked addresses.

The network backend resolves the URL host with ``resolve_target`` and dials the
checked IP address itself. The ``Host`` header still carries the URL host, and
httpcore passes that host to ``start_tls``, so TLS SNI and certificate
verification use the name, not the address.
"""

from __future__ import annotations

import ssl
import typing

import httpcore
import httpx

# NOTE: private helpers of httpx 0.29 (pinned). An upgrade that moves them fails
# at import, loudly, rather than bypassing the guard.
from httpx._transports.default import ResponseStream, map_httpcore_exceptions

from numrep.webhook.safety import Resolver, UnsafeTargetError, resolve_target


class GuardedBackend(httpcore.NetworkBackend):
    """Resolves and checks each new connection's host, then dials the checked IP."""

    def __init__(self, *, resolver: Resolver, allow_private: bool) -> None:
        self._resolver = resolver
        self._allow_private = allow_private
        self._inner = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        try:
            addresses = resolve_target(
                host, port, resolver=self._resolver, allow_private=self._allow_private
            )
        except UnsafeTargetError:
            raise
        except (OSError, ValueError) as error:
            raise httpcore.ConnectError(f"could not resolve {host}: {error}") from error
        # resolve_target returns at least one address. Try each in turn until one
        # accepts the connection.
        *others, last = addresses
        for address in others:
            try:
                return self._inner.connect_tcp(
                    str(address), port, timeout, local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout):
                continue
        return self._inner.connect_tcp(
            str(last), port, timeout, local_address, socket_options
        )

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        raise UnsafeTargetError(
            f"rejected Unix socket {path}: webhooks are sent over TCP only"
        )

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class GuardedTransport(httpx.BaseTransport):
    """HTTP/1.1 transport over ``GuardedBackend``, without proxies or retries.

    ``verify`` is the TLS context for https targets; the default trusts the
    certifi bundle and ignores ``SSL_CERT_FILE``.
    """

    def __init__(
        self,
        *,
        resolver: Resolver,
        allow_private: bool,
        verify: ssl.SSLContext | None = None,
        limits: httpx.Limits | None = None,
    ) -> None:
        limits = limits or httpx.Limits(
            max_connections=64, max_keepalive_connections=32
        )
        self._pool = httpcore.ConnectionPool(
            ssl_context=verify or httpx.create_ssl_context(trust_env=False),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=GuardedBackend(
                resolver=resolver, allow_private=allow_private
            ),
        )

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if not isinstance(request.stream, httpx.SyncByteStream):
            raise TypeError("GuardedTransport needs a synchronous request body")
        core_request = httpcore.Request(
            method=request.method,
            url=httpcore.URL(
                scheme=request.url.raw_scheme,
                host=request.url.raw_host,
                port=request.url.port,
                target=request.url.raw_path,
            ),
            headers=request.headers.raw,
            content=request.stream,
            extensions=request.extensions,
        )
        with map_httpcore_exceptions():
            response = self._pool.handle_request(core_request)
        if not isinstance(response.stream, typing.Iterable):
            raise TypeError("httpcore returned an asynchronous response body")
        return httpx.Response(
            status_code=response.status,
            headers=response.headers,
            stream=ResponseStream(response.stream),
            extensions=response.extensions,
        )

    def close(self) -> None:
        self._pool.close()
