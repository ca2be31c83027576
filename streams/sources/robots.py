"""robots.txt for article pages, by RFC 9309, cached per site.

Feeds are published to be polled, so they are fetched without asking; the article pages
behind them are what robots.txt governs, and full-page mode asks before each one.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import urlsplit, urlunsplit
from urllib.robotparser import RobotFileParser

from streams.sources.fetch import Fetcher, FetchFailed


def rules_from_response(status: int | None, body: bytes) -> RobotFileParser:
    """RFC 9309 section 2.3.1: 2xx is parsed; 4xx means no rules; 5xx or no answer, disallow all.

    `status` None stands for a fetch that failed (timeout, network, too large).
    """
    rules = RobotFileParser()
    if status is not None and 200 <= status < 300:
        rules.parse(body.decode("utf-8", errors="replace").splitlines())
    elif status is not None and 400 <= status < 500:
        rules.parse([])
    else:
        rules.parse(["User-agent: *", "Disallow: /"])
    return rules


class Robots:
    """Answers "may we fetch this URL?", fetching each site's robots.txt once per TTL."""

    def __init__(
        self,
        fetcher: Fetcher,
        cache_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._fetcher = fetcher
        self._cache_seconds = cache_seconds
        self._clock = clock
        self._cache: dict[str, tuple[float, RobotFileParser]] = {}

    def allowed(self, url: str) -> bool:
        return self._rules(_robots_url(url)).can_fetch(self._fetcher.limits.user_agent, url)

    def _rules(self, robots_url: str) -> RobotFileParser:
        cached = self._cache.get(robots_url)
        if cached and self._clock() < cached[0]:
            return cached[1]
        try:
            fetched = self._fetcher.get(robots_url)
            rules = rules_from_response(fetched.status, fetched.body)
        except FetchFailed:
            rules = rules_from_response(None, b"")
        self._cache[robots_url] = (self._clock() + self._cache_seconds, rules)
        return rules


def _robots_url(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/robots.txt", "", ""))
