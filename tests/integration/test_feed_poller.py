"""`newsradar feed` against a real broker and a real HTTP server serving our feed fixtures.

The accounting reads the raw topic back: every entry of every good feed arrives exactly
once, across two separate poller processes sharing the state topic, and a third run after
the feed grew publishes only the new entry.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from kafka import KafkaAdminClient
from kafka.admin import ConfigResource, ConfigResourceType

from schemas import RawArticle
from tests.integration.test_feed_http import AGENT, FeedServer, serving
from tests.processes import Pipeline
from tests.support import newsradar, read_to_end, running

pytestmark = pytest.mark.integration

NEW_ITEM = b"""<item><title>Harbour crane gets a new coat of paint</title>
<link>http://feeds.invalid/news/crane-paint</link>
<description>The crane will be blue again by spring.</description></item>
</channel>"""


@pytest.fixture
def feed_server(tmp_path: Path) -> Iterator[FeedServer]:
    with serving(tmp_path) as server:
        yield server


def _env(pipeline: Pipeline) -> dict[str, str]:
    return pipeline.env(
        NEWSRADAR_SOURCES__FEED_STATE_TOPIC=pipeline.topic("feedstate"),
        NEWSRADAR_SOURCES__FETCH_TIMEOUT_SECONDS="1.5",
        NEWSRADAR_SOURCES__FETCH_MAX_BYTES=str(256 * 1024),
        NEWSRADAR_SOURCES__FETCH_MAX_REDIRECTS="3",
        NEWSRADAR_SOURCES__USER_AGENT=AGENT,
        NEWSRADAR_SOURCES__FETCH_PRIVATE_ADDRESSES="true",  # the pages are on loopback
    )


def _feed(pipeline: Pipeline, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        newsradar("feed", *args),
        env=_env(pipeline),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _raw(pipeline: Pipeline) -> list[RawArticle]:
    """Everything on the raw topic: called once the poller exited, so all it published."""
    records = read_to_end(pipeline.bootstrap, pipeline.topic("raw"))
    return [RawArticle.model_validate_json(record.value) for record in records]


def _outcomes(stderr: str, base: str) -> dict[str, str]:
    lines = [line for line in stderr.splitlines() if line.startswith(base)]
    return {line.split(": ")[0].removeprefix(base): line.split(": ")[1] for line in lines}


def _cleanup_policy(pipeline: Pipeline, topic: str) -> str:
    admin = KafkaAdminClient(bootstrap_servers=pipeline.bootstrap)
    try:
        configs = admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, topic)])
    finally:
        admin.close()
    return str(configs["topic"][topic]["cleanup.policy"]["value"])


def _add_item(server: FeedServer, name: str) -> None:
    path = server.root / name
    path.write_bytes(path.read_bytes().replace(b"</channel>", NEW_ITEM))


def test_each_entry_is_published_once_across_restarts(pipeline: Pipeline, feed_server, tmp_path):
    base = feed_server.base
    opml = tmp_path / "feeds.opml"
    opml.write_bytes((feed_server.root / "feeds.opml").read_bytes().replace(
        b"http://feeds.invalid", base.encode()
    ))  # fmt: skip
    paths = ["/conditional.xml", "/old-feed", "/feed-with-pages.xml", "/slow.xml",
             "/malformed.xml", "/not-a-feed.html", "/huge.xml", "/loop"]  # fmt: skip
    args = [str(opml), *(base + path for path in paths), "--once", "--full-page"]

    first = _feed(pipeline, *args)
    assert first.returncode == 1, first.stderr  # some feeds are broken on purpose
    expected = {
        "/rss.xml": "ok; 3 new, 0 seen",
        "/repeats.xml": "ok; 1 new, 2 seen",  # one entry twice, one already in rss.xml
        "/atom.xml": "ok; 2 new, 0 seen",
        "/conditional.xml": "ok; 2 new, 0 seen",
        "/old-feed": "ok; 2 new, 0 seen",  # redirected to /moved.xml
        "/feed-with-pages.xml": "ok; 3 new, 0 seen",
        "/slow.xml": "timeout; no answer within 1.5s",
        "/malformed.xml": "malformed; incomplete feed document",
        "/not-a-feed.html": "malformed; not an RSS or Atom feed",
        "/huge.xml": "too_large; Content-Length 2097152 > 262144 bytes",
        "/loop": "redirects; ",
    }
    outcomes = _outcomes(first.stderr, base)
    assert set(outcomes) == set(expected), first.stderr
    assert all(outcomes[path].startswith(expected[path]) for path in expected), outcomes
    published = _raw(pipeline)
    assert len(published) == 13 and len({a.id for a in published}) == 13
    by_url = {a.url: a for a in published}
    assert "number 7 bus" in (by_url[base + "/pages/bus-route.html"].html or "")
    assert by_url[base + "/private/ferry-fares.html"].html == "Summary: ferry fares."
    assert "/private/ferry-fares.html" not in feed_server.paths()  # robots.txt said no

    assert _cleanup_policy(pipeline, pipeline.topic("feedstate")) == "compact"

    second = _feed(pipeline, *args)  # a new process: only the state topic remembers
    assert "/conditional.xml: not_modified" in second.stderr
    assert "published 0 new article(s)" in second.stderr, second.stderr
    assert len(_raw(pipeline)) == 13

    _add_item(feed_server, "rss.xml")
    third = _feed(pipeline, str(opml), "--once")
    assert third.returncode == 0 and "published 1 new article(s)" in third.stderr, third.stderr
    published = _raw(pipeline)
    assert len(published) == 14 and len({a.id for a in published}) == 14
    assert all(a.ingested is not None for a in published)


def test_the_poller_keeps_polling_until_terminated(pipeline: Pipeline, feed_server, tmp_path):
    # moved.xml has no <ttl>: rss.xml's 60 s would rightly outrank the 1 s interval.
    argv = newsradar("feed", "--interval", "1", feed_server.base + "/moved.xml")
    log = tmp_path / "feed.log"
    with running(argv, log, env=_env(pipeline)) as process:
        assert len(pipeline.read("raw", 2, timeout=60)) == 2
        _add_item(feed_server, "moved.xml")
        assert len(pipeline.read("raw", 3, timeout=30)) == 3
    assert process.returncode == 0, log.read_text()
    assert len(_raw(pipeline)) == 3
    assert feed_server.paths().count("/moved.xml") >= 2
