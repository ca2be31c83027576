"""Polite, bounded HTTP GETs for feeds, robots.txt and article pages (httpx, synchronous).

Every response is bounded three ways: a timeout on each network step plus a deadline for
the whole body (a server that drips one byte a second is cut off), a byte limit (checked
against Content-Length first, then while reading), and a redirect limit. A failure is a
FetchFailed whose `outcome` is a metric label, never an httpx exception leaking out.

Pages named by feed entries are someone else's choice of URL: `PublicOnlyTransport`
connects only to public addresses, so an entry cannot make the poller GET the cloud
metadata service or an intranet host (server-side request forgery).
"""

from __future__ import annotations

import ipaddress
import re
import socket
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpcore
import httpx

from streams.codec import UTF8_BOM, without_bom

#: socket.getaddrinfo's shape, replaceable in tests.
_Resolver = Callable[..., list[tuple[Any, ...]]]
#: HTTP statuses that mean "the resource moved for good": the feed list should be updated.
_PERMANENT = {301, 308}
_CHARSET = re.compile(rb"""<meta[^>]+charset=["']?([\w-]+)""", re.IGNORECASE)


class FetchFailed(Exception):
    """A GET that produced no usable response: timeout, too_large, redirects or network."""

    def __init__(self, outcome: str, detail: str) -> None:
        super().__init__(f"{outcome}: {detail}")
        self.outcome = outcome
        self.detail = detail


@dataclass(frozen=True, slots=True)
class Fetched:
    """A response read within the limits: status, final URL, headers and body."""

    status: int
    url: str
    body: bytes = b""
    headers: Mapping[str, str] = field(default_factory=dict)
    moved_permanently: bool = False

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


@dataclass(frozen=True, slots=True)
class Limits:
    """The bounds on every response, from settings.sources."""

    user_agent: str
    timeout: float
    max_bytes: int
    max_redirects: int


class NotPublic(httpcore.ConnectError):
    """The host resolves to an address that is not public: the connection is refused."""


def is_public(address: str) -> bool:
    """Globally routable unicast: not private, loopback, link-local, shared, multicast, etc."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # an IPv6 zone (fe80::1%eth0)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


class _PublicOnlyBackend(httpcore.NetworkBackend):
    """Resolves the host itself, refuses it unless every address is public, then connects
    to one of those very addresses, so a second DNS answer cannot swap in a private one
    (TLS still checks the certificate against the host name).
    """

    def __init__(self, resolve: _Resolver = socket.getaddrinfo) -> None:
        self._backend = httpcore.SyncBackend()
        self._resolve = resolve

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        addresses = self._public_addresses(host, port)
        for address in addresses[:-1]:
            try:
                return self._backend.connect_tcp(
                    address, port, timeout, local_address, socket_options
                )
            except httpcore.ConnectError:
                continue
        return self._backend.connect_tcp(
            addresses[-1], port, timeout, local_address, socket_options
        )

    def _public_addresses(self, host: str, port: int) -> list[str]:
        try:
            infos = self._resolve(host, port, type=socket.SOCK_STREAM)
        except OSError as error:
            raise httpcore.ConnectError(f"cannot resolve {host}: {error}") from error
        addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
        if not addresses or not all(map(is_public, addresses)):
            raise NotPublic(f"{host} is not a public address (private, loopback, link-local...)")
        return addresses

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        raise NotPublic("unix sockets are not public addresses")

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)


class PublicOnlyTransport(httpx.HTTPTransport):
    """httpx's own transport, connecting only to public addresses (each redirect too)."""

    def __init__(self, resolve: _Resolver = socket.getaddrinfo) -> None:
        super().__init__()
        # httpx takes no network backend, so its pool is rebuilt with ours (same defaults).
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(),
            max_connections=100,
            max_keepalive_connections=20,
            keepalive_expiry=5.0,
            network_backend=_PublicOnlyBackend(resolve),
        )


class Fetcher:
    """One connection pool for every GET a poller makes, all within the same Limits."""

    def __init__(self, limits: Limits, transport: httpx.BaseTransport | None = None) -> None:
        self.limits = limits
        self._client = httpx.Client(
            headers={"User-Agent": limits.user_agent},
            timeout=httpx.Timeout(limits.timeout),
            follow_redirects=True,
            max_redirects=limits.max_redirects,
            transport=transport,
        )

    def close(self) -> None:
        self._client.close()

    def get(self, url: str, headers: Mapping[str, str] | None = None) -> Fetched:
        """GET `url`; any status is returned, only a response outside the limits raises."""
        deadline = time.monotonic() + self.limits.timeout
        try:
            with self._client.stream("GET", url, headers=dict(headers or {})) as response:
                body = self._read(response, deadline)
                return Fetched(
                    status=response.status_code,
                    url=str(response.url),
                    body=body,
                    headers={k.lower(): v for k, v in response.headers.items()},
                    moved_permanently=any(r.status_code in _PERMANENT for r in response.history),
                )
        except httpx.TimeoutException as error:
            raise FetchFailed("timeout", f"no answer within {self.limits.timeout:g}s") from error
        except httpx.TooManyRedirects as error:
            raise FetchFailed("redirects", str(error)) from error
        except (httpx.HTTPError, httpx.InvalidURL) as error:
            raise FetchFailed("network_error", f"{type(error).__name__}: {error}") from error

    def _read(self, response: httpx.Response, deadline: float) -> bytes:
        limit = self.limits.max_bytes
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise FetchFailed("too_large", f"Content-Length {declared} > {limit} bytes")
        chunks, size = [], 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > limit:
                raise FetchFailed("too_large", f"more than {limit} bytes")
            if time.monotonic() > deadline:
                raise FetchFailed("timeout", f"body not read within {self.limits.timeout:g}s")
            chunks.append(chunk)
        return b"".join(chunks)


def decode_html(body: bytes, content_type: str | None) -> str:
    """Text of an HTML page: UTF-8 after a byte-order mark (it outranks any declaration, as in
    browsers), else the charset the server declared, else the page's <meta>, else UTF-8."""
    if body.startswith(UTF8_BOM):
        return without_bom(body).decode("utf-8", errors="replace")
    for candidate in (_header_charset(content_type), _meta_charset(body)):
        if candidate:
            try:
                return body.decode(candidate, errors="replace")
            except LookupError:
                continue
    return body.decode("utf-8", errors="replace")


def _header_charset(content_type: str | None) -> str | None:
    for part in (content_type or "").split(";")[1:]:
        name, _, value = part.partition("=")
        if name.strip().lower() == "charset" and value.strip():
            return value.strip().strip("\"'")
    return None


def _meta_charset(body: bytes) -> str | None:
    match = _CHARSET.search(body[:4096])
    return match.group(1).decode("ascii") if match else None
