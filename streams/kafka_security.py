"""How newsradar's Kafka clients log in: SASL (SCRAM-SHA-512 by default) and TLS, one place.

Every client gets its security options from here: kafka-python's clients (the CLI commands,
through `streams.kafka_admin.client_config`), aiokafka's producer (`newsradar ingest`) and
Faust's (the worker, as `broker_credentials`). kafka-python and aiokafka name the options
alike, so one dict serves both; Faust wants a credentials object carrying the same values.

A refused login is turned into one line naming the user, the mechanism and the settings to
check, and the process exits: Faust and aiokafka would otherwise retry it for ever. The
password is never part of a message, a log line or a repr (it stays a SecretStr until it is
handed to the client library).
"""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from streams.settings import KafkaSettings

if TYPE_CHECKING:
    from faust.types.auth import CredentialsT

#: The environment variables a person fixes after a refused login.
CREDENTIAL_VARIABLES = "NEWSRADAR_KAFKA__SASL_USERNAME and NEWSRADAR_KAFKA__SASL_PASSWORD(_FILE)"


class KafkaAccessError(SystemExit):
    """The broker refused us (credentials, TLS): retrying cannot help, so the process ends.

    A SystemExit carrying a message: the command line prints it as one line on stderr and
    exits 1, without a traceback that would bury it.
    """


def ssl_context(kafka: KafkaSettings) -> ssl.SSLContext | None:
    """The TLS context for SSL and SASL_SSL: the system's CAs unless a CA file is given."""
    if not kafka.uses_tls:
        return None
    context = ssl.create_default_context(cafile=str(kafka.ssl_cafile) if kafka.ssl_cafile else None)
    context.check_hostname = kafka.ssl_check_hostname
    if kafka.ssl_certfile:
        keyfile = str(kafka.ssl_keyfile) if kafka.ssl_keyfile else None
        context.load_cert_chain(str(kafka.ssl_certfile), keyfile)
    return context


def client_security(kafka: KafkaSettings) -> dict[str, Any]:
    """Security options for a kafka-python or aiokafka client (their names are the same)."""
    options: dict[str, Any] = {"security_protocol": kafka.security_protocol}
    if kafka.uses_tls:
        options["ssl_context"] = ssl_context(kafka)
    if kafka.uses_sasl and kafka.sasl_password is not None:
        options.update(
            sasl_mechanism=kafka.sasl_mechanism,
            sasl_plain_username=kafka.sasl_username,
            sasl_plain_password=kafka.sasl_password.get_secret_value(),
        )
    return options


def faust_credentials(kafka: KafkaSettings) -> CredentialsT | None:
    """Faust's `broker_credentials`: SASL (over TLS for SASL_SSL), TLS alone, or none."""
    from faust.auth import SASLCredentials, SSLCredentials

    context = ssl_context(kafka)
    if kafka.uses_sasl and kafka.sasl_password is not None:
        return SASLCredentials(
            username=kafka.sasl_username,
            password=kafka.sasl_password.get_secret_value(),
            ssl_context=context,
            mechanism=kafka.sasl_mechanism,
        )
    if context is not None:
        return SSLCredentials(context)
    return None


def access_failure(kafka: KafkaSettings, error: BaseException) -> KafkaAccessError | None:
    """The one-line explanation of a failure no retry can fix; None for any other failure."""
    from kafka.errors import (
        KafkaConnectionError,
        SaslAuthenticationFailedError,
        UnsupportedSaslMechanismError,
    )

    where = kafka.bootstrap
    if isinstance(error, SaslAuthenticationFailedError):
        return KafkaAccessError(
            f"newsradar: Kafka authentication failed for user {kafka.sasl_username!r} "
            f"({kafka.sasl_mechanism}) at {where}: check {CREDENTIAL_VARIABLES}"
        )
    if isinstance(error, UnsupportedSaslMechanismError):
        return KafkaAccessError(
            f"newsradar: the Kafka broker at {where} does not offer {kafka.sasl_mechanism}: "
            "check NEWSRADAR_KAFKA__SASL_MECHANISM"
        )
    if isinstance(error, KafkaConnectionError) and "Handshake failed" in str(error):
        return KafkaAccessError(
            f"newsradar: TLS handshake with the Kafka broker at {where} failed ({error}): "
            "check NEWSRADAR_KAFKA__SSL_CAFILE and NEWSRADAR_KAFKA__SECURITY_PROTOCOL"
        )
    return None


@contextmanager
def explained_access_errors(kafka: KafkaSettings) -> Iterator[None]:
    """Turn a refused login or TLS handshake inside the block into a KafkaAccessError."""
    try:
        yield
    except Exception as error:
        explained = access_failure(kafka, error)
        if explained is None:
            raise
        raise explained from None
