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
        ("worker", "topics", "service_completed_successfully"),
        ("feeder", "topics", "service_completed_successfully"),
        ("cli", "topics", "service_completed_successfully"),
        ("prometheus", "alertmanager", "service_healthy"),
        ("grafana", "prometheus", "service_healthy"),
    ],
)
def test_services_wait_for_what_they_need(service, needs, condition):
    assert SERVICES[service]["depends_on"][needs]["condition"] == condition


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
