"""newsradar's settings: the only module that reads the environment (prefix NEWSRADAR_)."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_TAXONOMY = Path(__file__).parent / "classification" / "default_taxonomy.yaml"


class KafkaSettings(BaseModel, frozen=True):
    """How to reach the brokers (NEWSRADAR_KAFKA__BOOTSTRAP=host:port[,host:port])."""

    bootstrap: str = "127.0.0.1:19092"
    client_id: str = "newsradar"

    def servers(self) -> list[str]:
        return [part.strip() for part in self.bootstrap.split(",") if part.strip()]


class TopicSettings(BaseModel, frozen=True):
    """Topic names (NEWSRADAR_TOPICS__RAW=...) and how new topics are created."""

    raw: str = "news.articles.raw"
    clean: str = "news.articles.clean"
    classified: str = "news.articles.classified"
    matches: str = "news.topic-matches"
    alerts: str = "news.alerts"
    deadletter: str = "news.deadletter"
    partitions: int = Field(default=4, ge=1)
    replication_factor: int = Field(default=1, ge=1)

    def all_names(self) -> list[str]:
        return [self.raw, self.clean, self.classified, self.matches, self.alerts, self.deadletter]


class WebSettings(BaseModel, frozen=True):
    """The worker's HTTP server, which serves /metrics (NEWSRADAR_WEB__PORT=...)."""

    enabled: bool = True
    host: str = "127.0.0.1"
    port: int = Field(default=6066, ge=0, le=65535)


class WorkerSettings(BaseModel, frozen=True):
    """Faust worker tuning."""

    app_id: str = "newsradar"
    store: str = "memory://"
    session_timeout_seconds: float = Field(default=30.0, gt=0)
    data_dir: Path = Path(".local/faust")


class ClassificationSettings(BaseModel, frozen=True):
    """The classify stage (NEWSRADAR_CLASSIFICATION__TAXONOMY_PATH=...)."""

    taxonomy_path: Path = DEFAULT_TAXONOMY


# Each stage's settings group is a frozen BaseModel above and one field of Settings below.


class Settings(BaseSettings):
    """All of newsradar's settings; tests build it with keyword arguments."""

    model_config = SettingsConfigDict(
        env_prefix="NEWSRADAR_", env_nested_delimiter="__", frozen=True, extra="ignore"
    )

    kafka: KafkaSettings = KafkaSettings()
    topics: TopicSettings = TopicSettings()
    web: WebSettings = WebSettings()
    worker: WorkerSettings = WorkerSettings()
    classification: ClassificationSettings = ClassificationSettings()
    log_level: str = "INFO"


def load_settings() -> Settings:
    """Settings from the environment, read once per process by the edges (app, CLI)."""
    return Settings()
