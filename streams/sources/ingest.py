"""HTTP ingest: `POST /articles` puts articles on the raw topic, answering 202 once Kafka has them.

The body is one JSON article, or a batch as JSON lines. A batch is all or nothing: if any
line fails RawArticle validation the answer is 422 with every line's errors and nothing
is published, so a client fixes and resends the whole batch without working out which
part went through. Checks run cheapest first: the bearer token (401, before the body is
read), the size (413), validation (422); 202 only after the broker acknowledged every
article (acks=all), 503 when it did not in time.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from aiohttp import web
from pydantic import SecretStr, ValidationError

from schemas import RawArticle
from streams.codec import without_bom
from streams.metrics import Metrics
from streams.sources.kafka_out import kafka_record

log = logging.getLogger(__name__)

ARTICLES_PATH = "/articles"
ACK_TIMEOUT_S = 30.0
#: A 422 lists at most this many errors: enough to fix a batch, never a huge answer.
MAX_ERRORS = 100


@dataclass(frozen=True, slots=True)
class Invalid:
    """Why a request body is not a valid article or batch: pydantic's errors, by line."""

    errors: list[dict[str, Any]]


def parse_body(body: bytes) -> list[RawArticle] | Invalid:
    """One JSON document (maybe pretty-printed) is one article; otherwise JSON lines."""
    body = without_bom(body)
    if not body.strip():
        return Invalid([{"line": 0, "loc": [], "msg": "the body has no article", "type": "empty"}])
    try:
        return [RawArticle.model_validate_json(body)]
    except ValidationError as error:
        if not _is_json_syntax(error):
            return Invalid(_errors(1, error))
    return _json_lines(body)


def _json_lines(body: bytes) -> list[RawArticle] | Invalid:
    articles: list[RawArticle] = []
    errors: list[dict[str, Any]] = []
    for number, line in enumerate(body.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            articles.append(RawArticle.model_validate_json(without_bom(line)))
        except ValidationError as error:
            errors.extend(_errors(number, error))
    return Invalid(errors[:MAX_ERRORS]) if errors else articles


def _is_json_syntax(error: ValidationError) -> bool:
    return any(item["type"] == "json_invalid" for item in error.errors())


def _errors(line: int, error: ValidationError) -> list[dict[str, Any]]:
    """pydantic's errors without the input echoed back (it may be a whole article)."""
    return [
        {"line": line, "loc": list(item["loc"]), "msg": item["msg"], "type": item["type"]}
        for item in error.errors(include_url=False, include_input=False, include_context=False)
    ]


def bearer_ok(authorization: str | None, token: str) -> bool:
    """`Authorization: Bearer <token>`, compared in constant time (no timing oracle)."""
    scheme, _, presented = (authorization or "").partition(" ")
    if scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(presented.strip().encode(), token.encode())


class AsyncSink(Protocol):
    async def publish(self, records: list[tuple[bytes, bytes]]) -> None:
        """Return once the broker acknowledged every (key, value); raise otherwise."""


class KafkaAsyncSink:
    """aiokafka, acks=all and idempotent; started and stopped with the web app's event loop.

    `security`: aiokafka's SASL/TLS options (streams.kafka_security.client_security);
    `options`: more of aiokafka's producer options (its request limit, say).
    """

    def __init__(
        self,
        bootstrap: list[str],
        client_id: str,
        topic: str,
        security: dict[str, Any],
        **options: Any,
    ) -> None:
        self._bootstrap, self._client_id, self._topic = bootstrap, client_id, topic
        self._security, self._options = security, options
        self._producer: Any = None

    async def start(self, _: web.Application | None = None) -> None:
        from aiokafka import AIOKafkaProducer

        self._producer = AIOKafkaProducer(
            bootstrap_servers=self._bootstrap,
            client_id=self._client_id,
            acks="all",
            enable_idempotence=True,
            **self._security,
            **self._options,
        )
        await self._producer.start()

    async def stop(self, _: web.Application | None = None) -> None:
        if self._producer is not None:
            await self._producer.stop()

    async def publish(self, records: list[tuple[bytes, bytes]]) -> None:
        futures = [await self._producer.send(self._topic, value, key=key) for key, value in records]
        await asyncio.gather(*futures)


def build_app(
    *,
    sink: AsyncSink,
    token: SecretStr | None,
    max_bytes: int,
    metrics: Metrics,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> web.Application:
    """The ingest service: POST /articles, GET /metrics, GET /healthz."""
    handler = _ArticlesHandler(sink, token, max_bytes, metrics, now)
    app = web.Application(client_max_size=max_bytes + 1)
    app.router.add_post(ARTICLES_PATH, handler)
    app.router.add_get("/metrics", _metrics_page(metrics))
    app.router.add_get("/healthz", _healthz)
    return app


class _ArticlesHandler:
    def __init__(
        self,
        sink: AsyncSink,
        token: SecretStr | None,
        max_bytes: int,
        metrics: Metrics,
        now: Callable[[], datetime],
    ) -> None:
        self._sink, self._token, self._max_bytes = sink, token, max_bytes
        self._metrics, self._now = metrics, now

    async def __call__(self, request: web.Request) -> web.Response:
        response = await self._handle(request)
        self._metrics.ingest_requests.labels(str(response.status)).inc()
        return response

    async def _handle(self, request: web.Request) -> web.Response:
        if self._token is not None and not bearer_ok(
            request.headers.get("Authorization"), self._token.get_secret_value()
        ):
            return _json(401, {"error": "missing or wrong bearer token"}, bearer=True)
        body = await self._read(request)
        if body is None:
            return _json(413, {"error": f"the body is larger than {self._max_bytes} bytes"})
        parsed = parse_body(body)
        if isinstance(parsed, Invalid):
            return _json(422, {"error": "invalid article(s)", "errors": parsed.errors})
        return await self._publish(parsed)

    async def _read(self, request: web.Request) -> bytes | None:
        if request.content_length is not None and request.content_length > self._max_bytes:
            return None
        try:
            return await request.read()
        except web.HTTPRequestEntityTooLarge:
            return None

    async def _publish(self, articles: list[RawArticle]) -> web.Response:
        now = self._now()
        records = [kafka_record(article, now) for article in articles]
        try:
            await asyncio.wait_for(self._sink.publish(records), ACK_TIMEOUT_S)
        except Exception as error:  # any broker failure is the same answer: try again later
            log.error("ingest: Kafka did not acknowledge %d article(s): %r", len(records), error)
            return _json(503, {"error": "the articles were not acknowledged; retry"})
        self._metrics.ingest_articles.inc(len(articles))
        return _json(202, {"accepted": len(articles), "ids": [a.id for a in articles]})


def _json(status: int, body: dict[str, Any], bearer: bool = False) -> web.Response:
    headers = {"WWW-Authenticate": 'Bearer realm="newsradar"'} if bearer else None
    return web.json_response(body, status=status, headers=headers)


def _metrics_page(metrics: Metrics) -> Callable[[web.Request], Awaitable[web.Response]]:
    async def page(_: web.Request) -> web.Response:
        return web.Response(body=metrics.exposition(), content_type="text/plain")

    return page


async def _healthz(_: web.Request) -> web.Response:
    return web.Response(text="ok\n")
