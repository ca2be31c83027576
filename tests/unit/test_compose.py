"""The docker-compose wiring, checked without a Docker engine.

.ci/run also validates the file with a real Compose implementation (`docker-compose config`).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import BaseModel

from streams.settings import Settings
from streams.shutdown import STOP_DEADLINE_S

REPO = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((REPO / "docker-compose.yml").read_text(encoding="utf-8"))
SERVICES: dict[str, Any] = COMPOSE["services"]
README = (REPO / "README.md").read_text(encoding="utf-8")
_DEFAULTED = re.compile(r"\$\{(\w+)(?::?-([^}]*))?\}")


def _with_defaults(text: str) -> str:
    """Interpolate ${VAR:-default} as Compose does when VAR is unset."""
    return _DEFAULTED.sub(lambda m: m.group(2) or "", text)


def _env_names(model: type[BaseModel], prefix: str = "NEWSRADAR_") -> list[str]:
    names = []
    for name, field in model.model_fields.items():
        kind = field.annotation
        if isinstance(kind, type) and issubclass(kind, BaseModel):
            names += _env_names(kind, f"{prefix}{name.upper()}__")
        else:
            names.append(f"{prefix}{name.upper()}")
    return names


@pytest.mark.parametrize("name", _env_names(Settings))
def test_every_setting_the_app_reads_is_documented(name):
    """By its full name, or as `__FIELD` in a table row that names its group in full."""
    group, _, field = name.rpartition("__")
    rows = [line for line in README.splitlines() if line.startswith("|") and f"`{group}__" in line]
    assert f"`{name}`" in README or any(f"`__{field}`" in row for row in rows), name


@pytest.mark.parametrize(
    "variable", sorted({name for name, _ in _DEFAULTED.findall(yaml.safe_dump(COMPOSE))})
)
def test_every_compose_variable_is_documented(variable):
    assert f"`{variable}`" in README


@pytest.mark.parametrize(
    ("service", "port"),
    [(s, p) for s, spec in SERVICES.items() for p in spec.get("ports", [])],
)
def test_host_ports_bind_to_loopback_by_default(service, port):
    assert _with_defaults(str(port)).startswith("127.0.0.1:"), (service, port)


def test_workers_have_no_fixed_host_port_so_they_scale():
    assert "ports" not in SERVICES["worker"]
    assert SERVICES["worker"].get("expose")


@pytest.mark.parametrize(
    ("service", "needs", "condition"),
    [
        ("topics", "kafka", "service_healthy"),
        ("worker", "kafka", "service_healthy"),
        ("worker", "topics", "service_completed_successfully"),
        ("feeder", "kafka", "service_healthy"),
        ("feeder", "topics", "service_completed_successfully"),
        ("cli", "kafka", "service_healthy"),
        ("cli", "topics", "service_completed_successfully"),
        ("prometheus", "alertmanager", "service_healthy"),
        ("grafana", "prometheus", "service_healthy"),
    ],
)
def test_services_wait_for_what_they_need(service, needs, condition):
    assert SERVICES[service]["depends_on"][needs]["condition"] == condition


KAFKA_CLIENTS = [
    name
    for name, spec in SERVICES.items()
    if "NEWSRADAR_KAFKA__BOOTSTRAP" in spec.get("environment", {})
]


@pytest.mark.parametrize("service", KAFKA_CLIENTS)
def test_every_kafka_client_depends_on_kafka_directly(service):
    """Compose stops services in reverse dependency order: a dependency only through the
    one-shot `topics` let Compose 1.29 stop Kafka together with the workers, which then hung."""
    assert SERVICES[service]["depends_on"]["kafka"]["condition"] == "service_healthy"


def test_a_worker_has_time_to_stop_by_itself():
    """Docker's SIGKILL must not come before the worker's own bounded stop (exit 0)."""
    grace = SERVICES["worker"]["stop_grace_period"]
    assert grace.endswith("s") and float(grace[:-1]) >= STOP_DEADLINE_S + 5


@pytest.mark.parametrize("service", ["kafka", "prometheus", "alertmanager", "grafana"])
def test_infrastructure_has_a_healthcheck(service):
    assert SERVICES[service]["healthcheck"]["test"]


@pytest.mark.parametrize("service", [s for s in SERVICES if s != "cli"])
def test_every_service_has_a_restart_policy(service):
    assert SERVICES[service].get("restart") in {"unless-stopped", "on-failure", "always"}


def test_kafka_image_is_the_local_broker_version():
    script = (REPO / "ops" / "kafka" / "local-broker").read_text(encoding="utf-8")
    (version,) = re.findall(r"KAFKA_VERSION=\$\{NEWSRADAR_KAFKA_VERSION:-([\d.]+)\}", script)
    assert SERVICES["kafka"]["image"] == f"apache/kafka:{version}"


def test_neither_broker_creates_topics_on_first_use():
    """A test or a command that works on the local broker works under compose too."""
    script = (REPO / "ops" / "kafka" / "local-broker").read_text(encoding="utf-8")
    assert re.findall(r"^auto\.create\.topics\.enable=(\w+)$", script, re.M) == ["false"]
    assert SERVICES["kafka"]["environment"]["KAFKA_AUTO_CREATE_TOPICS_ENABLE"] == "false"


@pytest.mark.skipif(shutil.which("prometheus") is None, reason="Debian's prometheus not installed")
def test_prometheus_image_is_the_version_local_stack_runs():
    out = subprocess.run(["prometheus", "--version"], capture_output=True, text=True, check=True)
    (version,) = re.findall(r"version (\d+\.\d+)\.", out.stdout + out.stderr)
    assert SERVICES["prometheus"]["image"].startswith(f"prom/prometheus:v{version}.")


def test_grafana_has_no_default_admin_password():
    grafana = SERVICES["grafana"]
    assert "GF_SECURITY_ADMIN_PASSWORD" not in grafana["environment"]
    assert "GRAFANA_ADMIN_PASSWORD" in " ".join(grafana["entrypoint"])
    assert grafana["environment"]["GF_AUTH_ANONYMOUS_ORG_ROLE"] == "Viewer"


def test_mounted_ops_folders_exist():
    for spec in SERVICES.values():
        for volume in spec.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("./"):
                assert (REPO / source).exists(), source


DOCKERFILE = (REPO / "Dockerfile").read_text(encoding="utf-8")


def test_the_dockerfile_builds_without_buildkit():
    """No `# syntax=` line (BuildKit would fetch a frontend image first: fails offline or
    behind a registry mirror) and nothing only BuildKit understands, so the classic builder
    of any Docker engine builds it."""
    assert not re.search(r"^#\s*syntax\s*=", DOCKERFILE, re.MULTILINE | re.IGNORECASE)
    for buildkit_only in ("--mount=", "--link", "<<", "--chmod=", "--parents", "--exclude="):
        assert buildkit_only not in DOCKERFILE, buildkit_only


def test_the_dockerfile_upgrades_pip_before_installing_anything():
    """A bundled pip 23 warns on every build that lxml lacks the extra `html_clean`."""
    upgrade = DOCKERFILE.index('pip install --upgrade "pip>=')
    assert upgrade < DOCKERFILE.index("pip install -r requirements.txt")


def _readme_code_lines() -> list[str]:
    lines, inside = [], False
    for line in README.splitlines():
        if line.startswith("```"):
            inside = not inside
        elif inside:
            lines.append(line)
    return lines


@pytest.mark.parametrize(
    "line", [line for line in _readme_code_lines() if re.search(r"\balerts --follow\b", line)]
)
def test_readme_alert_commands_that_follow_start_at_the_oldest_alert(line):
    """`alerts --follow` alone starts at the end of the topic: typed after the demo set went
    through, it shows none of it."""
    assert "--from-beginning" in line
