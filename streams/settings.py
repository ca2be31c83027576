"""newsradar's settings: the only module that reads the environment (prefix NEWSRADAR_)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, SecretStr, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_TAXONOMY = Path(__file__).parent / "classification" / "default_taxonomy.yaml"


def _secret_from_file(values: Any, secret: str, file: str) -> Any:
    """Fill `secret` from the file named by `file` (Docker/Kubernetes secrets are files).

    Read once, when the settings are loaded; surrounding whitespace (a trailing newline)
    is not part of the secret. Errors name the file, never its content.
    """
    if not isinstance(values, dict) or not values.get(file):
        return values
    if values.get(secret) is not None:
        raise ValueError(f"set {secret} or {file}, not both")
    path = Path(values[file])
    try:
        content = path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as error:
        raise ValueError(f"{file}: cannot read {path}: {type(error).__name__}") from None
    return {**values, secret: content}


class KafkaSettings(BaseModel, frozen=True):
    """How to reach the brokers (NEWSRADAR_KAFKA__BOOTSTRAP=host:port[,host:port]) and log in.

    SASL (SCRAM-SHA-512 by default) and TLS are built into every client by
    streams/kafka_security.py; the password comes from the environment or a file.
    """

    bootstrap: str = Field(
        default="127.0.0.1:19092", description="Broker addresses, comma-separated host:port."
    )
    client_id: str = Field(default="newsradar", description="Kafka client id prefix.")
    security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = "PLAINTEXT"
    sasl_mechanism: Literal["SCRAM-SHA-512", "SCRAM-SHA-256", "PLAIN"] = "SCRAM-SHA-512"
    sasl_username: str | None = None
    sasl_password: SecretStr | None = None
    sasl_password_file: Path | None = Field(
        default=None, description="A file holding the password, read at startup."
    )
    ssl_cafile: Path | None = Field(default=None, description="CA bundle; default: the system's.")
    ssl_certfile: Path | None = Field(default=None, description="Client certificate (mutual TLS).")
    ssl_keyfile: Path | None = Field(default=None, description="The client certificate's key.")
    ssl_check_hostname: bool = True
    max_request_bytes: int = Field(
        default=1_000_000,
        ge=64 * 1024,
        description="The largest request a producer sends (Faust's producer_max_request_size):"
        " a larger record cannot be published. The broker's message.max.bytes must allow it.",
    )

    @model_validator(mode="before")
    @classmethod
    def _password_file(cls, values: Any) -> Any:
        return _secret_from_file(values, "sasl_password", "sasl_password_file")

    @model_validator(mode="after")
    def _sasl_complete(self) -> KafkaSettings:
        """Half a SASL configuration is refused at startup, not at the first connection."""
        if self.uses_sasl and not (self.sasl_username and self.sasl_password):
            raise ValueError(
                f"security_protocol {self.security_protocol} needs NEWSRADAR_KAFKA__SASL_USERNAME"
                " and NEWSRADAR_KAFKA__SASL_PASSWORD (or __SASL_PASSWORD_FILE)"
            )
        if not self.uses_sasl and (self.sasl_username or self.sasl_password):
            raise ValueError(
                "SASL credentials are set but NEWSRADAR_KAFKA__SECURITY_PROTOCOL is "
                f"{self.security_protocol}: set SASL_PLAINTEXT or SASL_SSL"
            )
        return self

    @property
    def uses_sasl(self) -> bool:
        return self.security_protocol.startswith("SASL_")

    @property
    def uses_tls(self) -> bool:
        return self.security_protocol in ("SSL", "SASL_SSL")

    def servers(self) -> list[str]:
        return [part.strip() for part in self.bootstrap.split(",") if part.strip()]


class TopicSettings(BaseModel, frozen=True):
    """Topic names (NEWSRADAR_TOPICS__RAW=...) and how new topics are created."""

    raw: str = Field(default="news.articles.raw", description="RawArticle, key article id.")
    clean: str = Field(default="news.articles.clean", description="CleanArticle.")
    classified: str = Field(default="news.articles.classified", description="ClassifiedArticle.")
    matches: str = Field(default="news.topic-matches", description="TopicMatch, key topic id.")
    alerts: str = Field(default="news.alerts", description="Alert, key alert id.")
    deadletter: str = Field(default="news.deadletter", description="DeadLetter.")
    partitions: int = Field(default=4, ge=1, description="Partitions of topics created.")

    @property
    def replay_ledger(self) -> str:
        """The compacted topic `newsradar replay` records replayed letters in."""
        return f"{self.deadletter}.replayed"

    replication_factor: int = Field(default=1, ge=1, description="Replicas of topics created.")

    def all_names(self) -> list[str]:
        return [self.raw, self.clean, self.classified, self.matches, self.alerts, self.deadletter]


class WebSettings(BaseModel, frozen=True):
    """The worker's HTTP server, which serves /metrics (NEWSRADAR_WEB__PORT=...)."""

    enabled: bool = Field(default=True, description="Serve /metrics and /health.")
    host: str = Field(default="127.0.0.1", description="Address the worker's web server binds.")
    port: int = Field(default=6066, ge=0, le=65535, description="One port per worker process.")


class WorkerSettings(BaseModel, frozen=True):
    """Faust worker tuning."""

    app_id: str = Field(default="newsradar", description="Faust app id = consumer group.")
    store: str = Field(default="memory://", description="Faust table store (changelog-backed).")
    session_timeout_seconds: float = Field(
        default=30.0, gt=0, description="Kafka session timeout: how fast a dead worker is noticed."
    )
    data_dir: Path = Field(default=Path(".local/faust"), description="Faust's data folder.")
    batch_size: int = Field(
        default=500, ge=1, le=10_000, description="Records an agent takes at most at once."
    )
    batch_seconds: float = Field(
        default=0.005, ge=0, le=5, description="How long a batch may wait for more records."
    )
    fetch_wait_ms: int = Field(
        default=50, ge=0, le=5000, description="How long a fetch may wait for records."
    )
    linger_ms: int = Field(
        default=5, ge=0, le=1000, description="How long a producer batch waits for more records."
    )
    gc_threshold: int = Field(
        default=50_000,
        ge=0,
        le=10_000_000,
        description="Objects allocated (net) between the cycle collector's young passes, the"
        " heap loaded at start frozen; 0: Python's own collector (bench/settings.md).",
    )


class ClassificationSettings(BaseModel, frozen=True):
    """The classify stage (NEWSRADAR_CLASSIFICATION__TAXONOMY_PATH=...)."""

    taxonomy_path: Path = Field(default=DEFAULT_TAXONOMY, description="The taxonomy YAML.")
    reload_seconds: float = Field(
        default=5.0, ge=0, description="How often the worker checks the taxonomy file; 0: never."
    )


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
    fetch_private_addresses: bool = Field(
        default=False,
        description="Full-page mode may fetch entries' pages on private/loopback/link-local hosts.",
    )
    ingest_host: str = "127.0.0.1"
    ingest_port: int = Field(default=6070, ge=0, le=65535)
    ingest_max_bytes: int = Field(default=4 * 1024 * 1024, ge=1024)
    ingest_token: SecretStr | None = None
    ingest_token_file: Path | None = Field(default=None, description="The token, read at startup.")

    @model_validator(mode="before")
    @classmethod
    def _token_file(cls, values: Any) -> Any:
        return _secret_from_file(values, "ingest_token", "ingest_token_file")

    def feed_list(self) -> list[str]:
        return [part.strip() for part in self.feeds.split(",") if part.strip()]


class MonitoringSettings(BaseModel, frozen=True):
    """Measurements beyond the stages' counters (NEWSRADAR_MONITORING__LAG_INTERVAL_SECONDS)."""

    lag_interval_seconds: float = Field(default=10.0, gt=0)
    stall_seconds: float = Field(
        default=120.0, gt=0, description="Behind with no progress this long: /health fails."
    )


class AlertingSettings(BaseModel, frozen=True):
    """The alert stage: stories, cooldowns, digests, surges, severity (NEWSRADAR_ALERTING__...).

    Times are the articles' published times (ingestion time when absent), not the clock.
    """

    story_window_hours: float = Field(default=48.0, gt=0, description="Story quiet this long ends.")
    similarity: float = Field(default=0.5, gt=0, le=1, description="Estimated Jaccard to join.")
    max_stories_per_topic: int = Field(default=500, ge=1)
    max_articles_per_story: int = Field(default=50, ge=1, description="Listed; all are counted.")
    cooldown_seconds: int = Field(default=1800, ge=0, description="Between two alerts of a story.")
    digest_seconds: int = Field(default=0, ge=0, description="0: an alert per story; else digests.")
    stale_after_hours: float = Field(
        default=0.0, ge=0, description="0: off; else older articles join stories silently."
    )
    escalation_terms: tuple[str, ...] = Field(
        default=(), description="JSON list, all topics; per-topic ones belong in the taxonomy."
    )
    outlets_to_escalate: int = Field(default=5, ge=0, description="0: off.")
    surge_window_seconds: int = Field(default=600, ge=1)
    surge_hop_seconds: int = Field(default=300, ge=1)
    surge_factor: float = Field(default=3.0, gt=0)
    surge_min_count: int = Field(default=20, ge=1)
    surge_alpha: float = Field(default=0.3, gt=0, le=1, description="EWMA weight of a new window.")
    surge_warmup_windows: int = Field(default=6, ge=0)
    surge_max_lateness_seconds: int = Field(default=3600, ge=0)
    surge_cooldown_seconds: int = Field(default=3600, ge=0)

    @model_validator(mode="after")
    def _window_is_whole_hops(self) -> AlertingSettings:
        if self.surge_window_seconds % self.surge_hop_seconds:
            raise ValueError("surge_window_seconds must be a multiple of surge_hop_seconds")
        return self


class SinkSettings(BaseModel, frozen=True):
    """`newsradar sink`: delivery of alerts to webhooks and Alertmanager (NEWSRADAR_SINK__...)."""

    timeout_seconds: float = Field(default=10.0, gt=0)
    retry_initial_seconds: float = Field(default=1.0, gt=0)
    retry_max_seconds: float = Field(default=30.0, gt=0, description="< max.poll.interval.")
    resolve_after_hours: float = Field(default=6.0, gt=0, description="Alertmanager endsAt.")
    metrics_port: int = Field(default=0, ge=0, le=65535, description="0: no /metrics.")


class CleaningSettings(BaseModel, frozen=True):
    """The clean stage (NEWSRADAR_CLEANING__MIN_LETTERS=..., __LANGUAGES='["en","de"]', ...)."""

    max_input_chars: int = Field(
        default=1_000_000,
        ge=1,
        description="Longer text or HTML is dead-lettered (oversized). At most"
        " NEWSRADAR_KAFKA__MAX_REQUEST_BYTES: a clean article is about as long as its text.",
    )
    max_record_bytes: int = Field(
        default=8 * 1024 * 1024, ge=1, description="A larger raw record: oversized, not parsed."
    )
    time_budget_seconds: float = Field(
        default=2.0, ge=0, description="Longer on one article: dead letter (time_budget); 0: off."
    )
    min_letters: int = Field(
        default=40, ge=1, description="Fewer letters left after cleaning: dead letter (too_short)."
    )
    languages: tuple[str, ...] = Field(
        default=("en",), description="The languages monitored (ISO 639-1 codes)."
    )
    other_languages: Literal["keep", "drop"] = Field(
        default="keep", description="What happens to an article detected in another language."
    )
    dedup_window_seconds: float = Field(
        default=86_400.0, ge=0, description="Drop the same article seen again within it; 0: off."
    )


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
    cleaning: CleaningSettings = CleaningSettings()
    sources: SourcesSettings = SourcesSettings()
    monitoring: MonitoringSettings = MonitoringSettings()
    alerting: AlertingSettings = AlertingSettings()
    sink: SinkSettings = SinkSettings()
    log_level: str = "INFO"
    environment: Literal["development", "production"] = "development"

    @model_validator(mode="after")
    def _refuse_placeholder_secrets(self) -> Settings:
        """A production deployment must not run with a secret nobody chose."""
        if self.environment == "production" and is_placeholder(self.sources.ingest_token):
            raise ValueError("NEWSRADAR_SOURCES__INGEST_TOKEN is a placeholder in production")
        if self.environment == "production" and is_placeholder(self.kafka.sasl_password):
            raise ValueError("NEWSRADAR_KAFKA__SASL_PASSWORD is a placeholder in production")
        return self

    @model_validator(mode="after")
    def _inputs_fit_a_request(self) -> Settings:
        """An article the clean stage takes must be one the worker can send on: its clean
        record is about as long as its text, and a producer sends no record over its limit.
        (Multi-byte text can still exceed it: a dead letter too_large_to_publish says so.)"""
        chars, limit = self.cleaning.max_input_chars, self.kafka.max_request_bytes
        if chars > limit:
            raise ValueError(
                f"NEWSRADAR_CLEANING__MAX_INPUT_CHARS ({chars}) is more than "
                f"NEWSRADAR_KAFKA__MAX_REQUEST_BYTES ({limit}): such an article would be "
                "cleaned and then could not be published; lower the first, or raise the second"
                " with the broker's message.max.bytes"
            )
        return self


def load_settings() -> Settings:
    """Settings from the environment, read once per process by the edges (app, CLI).

    Invalid settings end the process with one line naming each problem. pydantic's message
    would echo the input, and with it any password or token set next to the mistake.
    """
    try:
        return Settings()
    except ValidationError as error:
        raise SystemExit(f"newsradar: invalid settings: {describe(error)}") from None


def describe(error: ValidationError) -> str:
    """Where and what for each problem, without the values given (they may be secrets)."""
    problems = error.errors(include_url=False, include_context=False, include_input=False)
    return "; ".join(
        f"{'.'.join(map(str, problem['loc'])) or 'settings'}: {problem['msg']}"
        for problem in problems
    )
