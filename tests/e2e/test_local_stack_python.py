"""`ops/local-stack` on a machine where nobody ran `pip install -e .`: it makes its own venv."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
STACK = REPO / "ops" / "local-stack"


def test_local_stack_installs_newsradar_into_a_venv_of_its_own(tmp_path: Path):
    # A python3 without newsradar: the interpreter this test's virtualenv was made from.
    bare = Path(getattr(sys, "_base_executable", sys.executable))
    shims = tmp_path / "bin"
    shims.mkdir()
    (shims / "python3").symlink_to(bare)
    venv = tmp_path / "venv"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSRADAR_", "VIRTUAL_ENV"))}
    env.update(PATH=f"{shims}{os.pathsep}/usr/bin:/bin", NEWSRADAR_STACK_VENV=str(venv))

    first = subprocess.run(
        [str(STACK), "newsradar", "topics", "check", "--help"],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert first.returncode == 0, first.stdout + first.stderr
    assert "usage:" in first.stdout
    bare_has_it = "installing newsradar" not in first.stderr
    assert bare_has_it or (venv / ".newsradar-installed").is_file(), first.stderr

    again = subprocess.run(
        [str(STACK), "newsradar", "--help"], env=env, capture_output=True, text=True, timeout=120
    )
    assert again.returncode == 0 and "installing" not in again.stderr, again.stderr
