"""Polite, bounded HTTP GETs for feeds, robots.txt and article pages (httpx, synchronous).

Every response is bounded three ways: a timeout on each network step plus a deadline for
the whole body (a server that drips one byte a second is cut off), a byte limit (checked
against Content-Length first, then while reading), and a redirect limit. A failure is a
FetchFailed whose `outcome` is a metric label, never an httpx exception leaking out.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, field

import httpx

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
    """Text of an HTML page: the charset the server declared, else the page's <meta>, else UTF-8."""
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
