"""Kafka SASL/TLS settings, the client options built from them, and secrets kept out of sight."""

from __future__ import annotations

import hmac
import logging
import ssl
from pathlib import Path

import pytest
from aiokafka.errors import SaslAuthenticationFailed, UnsupportedSaslMechanismError
from faust.auth import SASLCredentials, SSLCredentials
from pydantic import SecretStr, ValidationError

from streams import kafka_security
from streams.kafka_admin import client_config
from streams.kafka_security import (
    KafkaAccessError,
    access_failure,
    client_security,
    faust_credentials,
    verify_access,
)
from streams.settings import KafkaSettings, Settings, load_settings
from streams.sources import ingest

PASSWORD = "pa55-w0rd-not-for-logs"


def _sasl(**extra: object) -> KafkaSettings:
    fields: dict[str, object] = {
        "security_protocol": "SASL_PLAINTEXT",
        "sasl_username": "alice",
        "sasl_password": PASSWORD,
    }
    return KafkaSettings.model_validate({**fields, **extra})


def test_the_default_is_plaintext_with_no_security_options():
    assert client_config(Settings()) == {
        "bootstrap_servers": ["127.0.0.1:19092"],
        "client_id": "newsradar",
        "security_protocol": "PLAINTEXT",
    }
    assert faust_credentials(KafkaSettings()) is None


def test_sasl_options_carry_mechanism_user_and_password_to_the_client():
    options = client_security(_sasl())
    assert options == {
        "security_protocol": "SASL_PLAINTEXT",
        "sasl_mechanism": "SCRAM-SHA-512",
        "sasl_plain_username": "alice",
        "sasl_plain_password": PASSWORD,
    }
    assert client_config(Settings(kafka=_sasl()), "sink")["client_id"] == "newsradar-sink"


def test_sasl_ssl_adds_a_verifying_tls_context(tmp_path: Path):
    kafka = _sasl(security_protocol="SASL_SSL", sasl_mechanism="SCRAM-SHA-256")
    context = client_security(kafka)["ssl_context"]
    assert isinstance(context, ssl.SSLContext)
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
    unchecked = client_security(_sasl(security_protocol="SASL_SSL", ssl_check_hostname=False))
    assert not unchecked["ssl_context"].check_hostname


def test_faust_gets_the_same_login_as_credentials_whose_repr_hides_the_password():
    credentials = faust_credentials(_sasl(security_protocol="SASL_SSL"))
    assert isinstance(credentials, SASLCredentials)
    assert credentials.mechanism.value == "SCRAM-SHA-512"
    assert credentials.protocol.value == "SASL_SSL" and credentials.ssl_context is not None
    assert PASSWORD not in repr(credentials)
    assert isinstance(faust_credentials(KafkaSettings(security_protocol="SSL")), SSLCredentials)


@pytest.mark.parametrize(
    ("fields", "complaint"),
    [
        ({"security_protocol": "SASL_SSL"}, "needs NEWSRADAR_KAFKA__SASL_USERNAME"),
        ({"security_protocol": "SASL_PLAINTEXT", "sasl_username": "a"}, "SASL_PASSWORD"),
        ({"sasl_username": "a", "sasl_password": "b"}, "SECURITY_PROTOCOL is PLAINTEXT"),
        ({"sasl_mechanism": "GSSAPI"}, "sasl_mechanism"),
    ],
)
def test_half_a_sasl_configuration_is_refused_at_startup(fields, complaint):
    with pytest.raises(ValidationError, match=complaint):
        KafkaSettings.model_validate(fields)


def test_the_password_can_come_from_a_file_read_at_startup(tmp_path: Path):
    secret = tmp_path / "kafka-password"
    secret.write_text(PASSWORD + "\n")
    kafka = _sasl(sasl_password=None, sasl_password_file=str(secret))
    assert kafka.sasl_password == SecretStr(PASSWORD)
    with pytest.raises(ValidationError, match="not both"):
        _sasl(sasl_password_file=str(secret))


def test_an_unreadable_password_file_is_named_without_content(tmp_path: Path):
    with pytest.raises(ValidationError) as raised:
        _sasl(sasl_password=None, sasl_password_file=str(tmp_path / "missing"))
    assert "cannot read" in str(raised.value) and "missing" in str(raised.value)


def test_the_ingest_token_can_come_from_a_file_too(tmp_path: Path):
    token = tmp_path / "token"
    token.write_text("tok-123\n")
    settings = Settings(sources={"ingest_token_file": str(token)})
    assert settings.sources.ingest_token == SecretStr("tok-123")


def test_the_environment_sets_sasl_through_nested_variables(monkeypatch, tmp_path: Path):
    monkeypatch.setenv("NEWSRADAR_KAFKA__SECURITY_PROTOCOL", "SASL_SSL")
    monkeypatch.setenv("NEWSRADAR_KAFKA__SASL_USERNAME", "alice")
    monkeypatch.setenv("NEWSRADAR_KAFKA__SASL_PASSWORD", PASSWORD)
    monkeypatch.setenv("NEWSRADAR_KAFKA__SSL_CAFILE", str(tmp_path / "ca.pem"))
    kafka = Settings().kafka
    assert kafka.uses_sasl and kafka.uses_tls and kafka.ssl_cafile == tmp_path / "ca.pem"
    assert PASSWORD not in repr(kafka) and PASSWORD not in str(Settings())


def test_production_refuses_a_placeholder_kafka_password():
    with pytest.raises(ValidationError, match="SASL_PASSWORD is a placeholder"):
        Settings(environment="production", kafka=_sasl(sasl_password="changeme"))


def test_a_refused_login_is_one_line_naming_user_mechanism_and_settings_never_the_password():
    kafka = _sasl()
    refusal = access_failure(kafka, SaslAuthenticationFailed("invalid credentials"))
    assert isinstance(refusal, KafkaAccessError) and isinstance(refusal, SystemExit)
    message = str(refusal.code)
    assert "authentication failed for user 'alice' (SCRAM-SHA-512) at 127.0.0.1:19092" in message
    assert "NEWSRADAR_KAFKA__SASL_PASSWORD" in message and PASSWORD not in message
    assert "\n" not in message


def test_tls_and_mechanism_refusals_are_explained_other_failures_are_left_alone():
    kafka = _sasl(security_protocol="SASL_SSL")
    verify_failed = ssl.SSLCertVerificationError(1, "certificate verify failed")
    verify_failed.reason = "CERTIFICATE_VERIFY_FAILED"
    assert "SSL_CAFILE" in str(access_failure(kafka, verify_failed).code)  # type: ignore[union-attr]
    mechanism = access_failure(kafka, UnsupportedSaslMechanismError())
    assert "SASL_MECHANISM" in str(mechanism.code)  # type: ignore[union-attr]
    assert access_failure(kafka, ConnectionRefusedError()) is None


def test_plaintext_needs_no_login_check(monkeypatch):
    attempts: list[object] = []
    monkeypatch.setattr(kafka_security, "_first_refusal", lambda *args: attempts.append(args))
    assert verify_access(KafkaSettings(bootstrap="127.0.0.1:1")) is None
    assert attempts == []  # no connection tried at all


def test_a_broker_that_does_not_answer_is_left_to_the_client_s_retries(monkeypatch):
    """The login is tried, and a refused port is no login refusal: the process goes on."""
    tried, real = [], kafka_security._first_refusal

    async def first_refusal(kafka: KafkaSettings, timeout: float):  # type: ignore[no-untyped-def]
        refusal = await real(kafka, timeout)
        tried.append(refusal)
        return refusal

    monkeypatch.setattr(kafka_security, "_first_refusal", first_refusal)
    assert verify_access(_sasl(bootstrap="127.0.0.1:1"), timeout=2) is None
    assert tried == [None]


def test_kafka_python_s_admin_client_config_never_reaches_the_log(caplog):
    caplog.set_level(logging.DEBUG, logger="kafka.admin.client")
    logger = logging.getLogger("kafka.admin.client")
    logger.debug("Starting KafkaAdminClient with configuration: %s", {"password": PASSWORD})
    logger.debug("something else")
    assert PASSWORD not in caplog.text and "something else" in caplog.text


def test_the_ingest_token_is_compared_in_constant_time(monkeypatch):
    calls, real = [], hmac.compare_digest

    def compare(a: bytes, b: bytes) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(ingest.hmac, "compare_digest", compare)
    assert ingest.bearer_ok("Bearer right", "right")
    assert not ingest.bearer_ok("Bearer wrong", "right")
    assert calls == [(b"right", b"right"), (b"wrong", b"right")]


def test_invalid_settings_end_with_one_line_that_never_echoes_a_password(monkeypatch):
    monkeypatch.setenv("NEWSRADAR_KAFKA__SECURITY_PROTOCOL", "SASL_SSL")
    monkeypatch.setenv("NEWSRADAR_KAFKA__SASL_PASSWORD", PASSWORD)  # but no user name
    with pytest.raises(SystemExit) as raised:
        load_settings()
    message = str(raised.value.code)
    assert message.startswith("newsradar: invalid settings: kafka: Value error, security_protocol")
    assert PASSWORD not in message and "\n" not in message
