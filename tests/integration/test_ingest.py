"""`newsradar ingest` as a process against a real broker: every status it answers.

One service for the module (starting it is the slow part); each test sends its own
articles and looks for exactly those on the raw topic.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from schemas import RawArticle
from tests.processes import Pipeline, free_port, pipeline_with_topics, stop

pytestmark = pytest.mark.integration

TOKEN = "ingest-test-" + uuid.uuid4().hex
MAX_BYTES = 4096


@dataclass
class Service:
    pipeline: Pipeline
    url: str
    log: Path

    def post(self, body: bytes, token: str | None = TOKEN, **headers: str) -> httpx.Response:
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        return httpx.post(self.url + "/articles", content=body, headers=headers, timeout=60)

    def raw_ids(self, wanted: set[str], timeout: float = 30) -> set[str]:
        """Ids on the raw topic among `wanted`, waiting until all came or time ran out."""
        deadline = time.monotonic() + timeout
        found: set[str] = set()
        while found != wanted and time.monotonic() < deadline:
            values = self.pipeline.read("raw", 10**6, timeout=min(2.0, timeout))
            found = {RawArticle.model_validate_json(v).id for v in values} & wanted
        return found


@pytest.fixture(scope="module")
def service(kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    pipeline = pipeline_with_topics(kafka_bootstrap, tmp_path_factory.mktemp("ingest"))
    port = free_port()
    log_path = pipeline.workdir / "ingest.log"
    env = pipeline.env(
        NEWSRADAR_SOURCES__INGEST_TOKEN=TOKEN, NEWSRADAR_SOURCES__INGEST_MAX_BYTES=str(MAX_BYTES)
    )
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "streams", "ingest", "--port", str(port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            url = f"http://127.0.0.1:{port}"
            _wait_healthy(url, process, log_path)
            yield Service(pipeline, url, log_path)
        finally:
            stop(process)


def _wait_healthy(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text()
        try:
            if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    raise AssertionError(f"ingest did not answer within 60 s:\n{log.read_text()}")


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
    assert service.raw_ids({_id(article)}, timeout=5) == {_id(article)}


def test_a_json_lines_batch_is_accepted_whole(service: Service):
    batch = [_article(f"batch-{n}-" + uuid.uuid4().hex[:8]) for n in range(3)]
    body = b"\n".join(json.dumps(a).encode() for a in batch) + b"\n"
    response = service.post(body, **{"Content-Type": "application/x-ndjson"})
    assert response.status_code == 202, response.text
    assert response.json()["accepted"] == 3
    wanted = {_id(a) for a in batch}
    assert service.raw_ids(wanted) == wanted


@pytest.mark.parametrize("token", [None, "wrong-" + uuid.uuid4().hex])
def test_without_the_token_nothing_is_published(service: Service, token):
    article = _article("unauthorised-" + uuid.uuid4().hex[:8])
    response = service.post(json.dumps(article).encode(), token=token)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert service.raw_ids({_id(article)}, timeout=2) == set()


def test_a_body_over_the_limit_is_refused(service: Service):
    article = _article("huge-" + uuid.uuid4().hex[:8]) | {"text": "x" * MAX_BYTES}
    response = service.post(json.dumps(article).encode())
    assert response.status_code == 413
    assert service.raw_ids({_id(article)}, timeout=2) == set()


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
    assert service.raw_ids({_id(good)}, timeout=2) == set()


def test_the_service_counts_requests_by_status(service: Service):
    text = httpx.get(service.url + "/metrics", timeout=10).text
    assert 'newsradar_ingest_requests_total{status="401"}' in text
