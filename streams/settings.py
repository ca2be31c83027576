"""newsradar's settings: the only module that reads the environment (prefix NEWSRADAR_)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr, model_validator
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


#: Values that mean "nobody set this secret"; production refuses to start with one.
PLACEHOLDER_SECRETS = frozenset(
    {"changeme", "change-me", "change_me", "secret", "password", "token", "placeholder", "xxx"}
)


def is_placeholder(secret: SecretStr | None) -> bool:
    """True for a set secret that is empty or a well-known placeholder."""
    if secret is None:
        return False
    value = secret.get_secret_value().strip().lower()
    return not value or value in PLACEHOLDER_SECRETS or value.startswith("<")


class SourcesSettings(BaseModel, frozen=True):
    """Feeds, the HTTP ingest service and the publisher (NEWSRADAR_SOURCES__...)."""

    feeds: str = Field(default="", description="Feed URLs or OPML files, comma-separated.")
    feed_interval_seconds: float = Field(default=900.0, ge=1)
    feed_max_backoff_seconds: float = Field(default=6 * 3600.0, ge=1)
    feed_state_topic: str = "news.feeds.state"
    feed_forget_after_days: int = Field(default=90, ge=1)
    feed_full_page: bool = False
    feed_metrics_port: int = Field(default=0, ge=0, le=65535, description="0: no /metrics.")
    user_agent: str = "newsradar/0.1 (news monitoring feed reader)"
    fetch_timeout_seconds: float = Field(default=20.0, gt=0)
    fetch_max_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)
    fetch_max_redirects: int = Field(default=5, ge=0, le=20)
    robots_cache_seconds: float = Field(default=3600.0, ge=0)
    ingest_host: str = "127.0.0.1"
    ingest_port: int = Field(default=6070, ge=0, le=65535)
    ingest_max_bytes: int = Field(default=4 * 1024 * 1024, ge=1024)
    ingest_token: SecretStr | None = None

    def feed_list(self) -> list[str]:
        return [part.strip() for part in self.feeds.split(",") if part.strip()]


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
    sources: SourcesSettings = SourcesSettings()
    log_level: str = "INFO"
    environment: Literal["development", "production"] = "development"

    @model_validator(mode="after")
    def _refuse_placeholder_secrets(self) -> Settings:
        """A production deployment must not run with a secret nobody chose."""
        if self.environment == "production" and is_placeholder(self.sources.ingest_token):
            raise ValueError("NEWSRADAR_SOURCES__INGEST_TOKEN is a placeholder in production")
        return self


def load_settings() -> Settings:
    """Settings from the environment, read once per process by the edges (app, CLI)."""
    return Settings()
