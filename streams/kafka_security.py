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

import asyncio
import logging
import ssl
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from streams.settings import KafkaSettings

if TYPE_CHECKING:
    from faust.types.auth import CredentialsT

#: The environment variables a person fixes after a refused login.
CREDENTIAL_VARIABLES = "NEWSRADAR_KAFKA__SASL_USERNAME and NEWSRADAR_KAFKA__SASL_PASSWORD(_FILE)"
#: How long the login check waits for one broker before trying the next.
LOGIN_TIMEOUT_S = 10.0
#: Settings whose login this process has already checked.
_VERIFIED: set[KafkaSettings] = set()


class _WithoutClientConfig(logging.Filter):
    """kafka-python's admin client logs its whole configuration, password included, at DEBUG."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Starting KafkaAdminClient with configuration")


logging.getLogger("kafka.admin.client").addFilter(_WithoutClientConfig())
# SCRAM proves the password without sending it, yet kafka-python warns of "credentials in
# the clear" on every SASL_PLAINTEXT connection; PLAIN's warning (a true one) stays.
logging.getLogger("kafka.net.sasl.scram").setLevel(logging.ERROR)


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


def verify_access(kafka: KafkaSettings, timeout: float = LOGIN_TIMEOUT_S) -> None:
    """Log in to the first broker that answers; a refusal ends the process with one line.

    Only for SASL and TLS (PLAINTEXT has nothing to refuse). It uses aiokafka's
    connection, which reports the broker's "authentication failed" answer; kafka-python
    only sees the socket close and retries until its bootstrap timeout (30 s). A broker
    that does not answer at all is left to the client's own retries, as before.
    """
    if kafka.security_protocol == "PLAINTEXT" or kafka in _VERIFIED:
        return
    with ThreadPoolExecutor(1) as pool:  # its own event loop, whoever calls
        refusal = pool.submit(asyncio.run, _first_refusal(kafka, timeout)).result()
    if refusal is not None:
        raise refusal
    _VERIFIED.add(kafka)


async def _first_refusal(kafka: KafkaSettings, timeout: float) -> KafkaAccessError | None:
    from aiokafka.conn import create_conn

    for server in kafka.servers():
        host, _, port = server.rpartition(":")
        try:
            connection = await asyncio.wait_for(
                create_conn(
                    host,
                    int(port),
                    client_id=f"{kafka.client_id}-login",
                    request_timeout_ms=int(timeout * 1000),
                    **client_security(kafka),
                ),
                timeout,
            )
        except Exception as error:
            refusal = access_failure(kafka, error)
            if refusal is not None:
                return refusal
            continue  # not answering: the next server, or the client's own retries
        connection.close()
        return None
    return None


def access_failure(kafka: KafkaSettings, error: BaseException) -> KafkaAccessError | None:
    """The one-line explanation of a failure no retry can fix; None for any other failure."""
    from aiokafka.errors import SaslAuthenticationFailed, UnsupportedSaslMechanismError

    where = kafka.bootstrap
    if isinstance(error, SaslAuthenticationFailed):
        return KafkaAccessError(
            f"newsradar: Kafka authentication failed for user {kafka.sasl_username!r} "
            f"({kafka.sasl_mechanism}) at {where}: check {CREDENTIAL_VARIABLES}"
        )
    if isinstance(error, UnsupportedSaslMechanismError):
        return KafkaAccessError(
            f"newsradar: the Kafka broker at {where} does not offer {kafka.sasl_mechanism}: "
            "check NEWSRADAR_KAFKA__SASL_MECHANISM"
        )
    if isinstance(error, ssl.SSLError):
        return KafkaAccessError(
            f"newsradar: TLS with the Kafka broker at {where} failed ({error.reason}): "
            "check NEWSRADAR_KAFKA__SSL_CAFILE and NEWSRADAR_KAFKA__SECURITY_PROTOCOL"
        )
    return None
