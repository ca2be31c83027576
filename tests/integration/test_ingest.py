"""`newsradar ingest` as a process against a real broker: every status it answers.

One service for the module (starting it is the slow part); each test sends its own
articles and looks for exactly those on the raw topic, read to its end once the answer came.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from schemas import RawArticle
from tests.processes import Pipeline, free_port, pipeline_with_topics
from tests.support import metric, newsradar, read_to_end, running, wait_until

pytestmark = pytest.mark.integration

TOKEN = "ingest-test-" + uuid.uuid4().hex
MAX_BYTES = 4096


@dataclass
class Service:
    pipeline: Pipeline
    port: int

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def post(self, body: bytes, token: str | None = TOKEN, **headers: str) -> httpx.Response:
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        return httpx.post(self.url + "/articles", content=body, headers=headers, timeout=60)

    def ids_on_raw_topic(self) -> set[str]:
        """The ids of every article on the raw topic now: an answer came after acks=all, so
        what a request published is there by then."""
        records = read_to_end(self.pipeline.bootstrap, self.pipeline.topic("raw"))
        return {RawArticle.model_validate_json(r.value).id for r in records}

    def expect_published(self, wanted: set[str], timeout: float = 30) -> None:
        """Fails unless every id of `wanted` is on the raw topic within `timeout` seconds."""
        wait_until(lambda: wanted <= self.ids_on_raw_topic(), timeout, what=f"{wanted} on raw")


@pytest.fixture(scope="module")
def service(kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    pipeline = pipeline_with_topics(kafka_bootstrap, tmp_path_factory.mktemp("ingest"))
    port = free_port()
    env = pipeline.env(
        NEWSRADAR_SOURCES__INGEST_TOKEN=TOKEN, NEWSRADAR_SOURCES__INGEST_MAX_BYTES=str(MAX_BYTES)
    )
    argv = newsradar("ingest", "--port", str(port))
    healthz = f"http://127.0.0.1:{port}/healthz"
    with running(argv, pipeline.workdir / "ingest.log", env=env, ready=healthz):
        yield Service(pipeline, port)


def _article(title: str) -> dict[str, str]:
    return {
        "title": title,
        "text": f"{title}: an invented body.",
        "url": f"http://t.invalid/{title}",
    }


def _id(article: dict[str, str]) -> str:
    return RawArticle.model_validate(article).id


def test_one_article_is_accepted_once_kafka_has_it(service: Service):
    article = _article("single-" + uuid.uuid4().hex[:8])
    response = service.post(json.dumps(article, indent=2).encode())
    assert response.status_code == 202, response.text
    assert response.json() == {"accepted": 1, "ids": [_id(article)]}
    # acks=all came before the 202: the record is readable at once.
    service.expect_published({_id(article)}, timeout=5)


def test_a_json_lines_batch_is_accepted_whole(service: Service):
    batch = [_article(f"batch-{n}-" + uuid.uuid4().hex[:8]) for n in range(3)]
    body = b"\n".join(json.dumps(a).encode() for a in batch) + b"\n"
    response = service.post(body, **{"Content-Type": "application/x-ndjson"})
    assert response.status_code == 202, response.text
    assert response.json()["accepted"] == 3
    wanted = {_id(a) for a in batch}
    service.expect_published(wanted)


@pytest.mark.parametrize("token", [None, "wrong-" + uuid.uuid4().hex])
def test_without_the_token_nothing_is_published(service: Service, token):
    article = _article("unauthorised-" + uuid.uuid4().hex[:8])
    response = service.post(json.dumps(article).encode(), token=token)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert _id(article) not in service.ids_on_raw_topic()


def test_a_body_over_the_limit_is_refused(service: Service):
    article = _article("huge-" + uuid.uuid4().hex[:8]) | {"text": "x" * MAX_BYTES}
    response = service.post(json.dumps(article).encode())
    assert response.status_code == 413
    assert _id(article) not in service.ids_on_raw_topic()


def test_an_invalid_batch_is_refused_whole_with_the_errors(service: Service):
    good = _article("good-" + uuid.uuid4().hex[:8])
    lines = [json.dumps(good), '{"title": 5}', "{not json", '{"published": "someday"}']
    response = service.post("\n".join(lines).encode())
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert [(e["line"], e["type"]) for e in errors] == [
        (2, "string_type"),
        (3, "json_invalid"),
        (4, "value_error"),
    ]
    assert _id(good) not in service.ids_on_raw_topic()


def test_the_service_counts_requests_by_status(service: Service):
    before = metric(service.port, "newsradar_ingest_requests_total", status="401")
    assert before is not None  # every status's series is there from the start, at 0
    assert service.post(b"{}", token=None).status_code == 401
    assert metric(service.port, "newsradar_ingest_requests_total", status="401") == before + 1
