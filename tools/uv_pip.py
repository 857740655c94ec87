"""``uv pip`` with pip's own configuration: ``.venv/bin/python tools/uv_pip.py install ...``.

The Makefile installs the venv with uv (a fresh install took pip ~3-4 min, uv well under
one). uv does not read pip's configuration, so the package index, extra indexes, local
wheel folders, constraints and CA bundle that ``pip config list`` reports on this machine
(pip.conf files and PIP_* variables) are handed to uv as its UV_* variables at run time:
the project names no index itself. Runs the uv installed next to this Python, into it."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

# Later sections override earlier ones, as in pip: the files' [global], then [install],
# then PIP_* environment variables.
_SECTIONS = ("global", "install", ":env:")


def pip_config() -> dict[str, str]:
    listed = subprocess.run(
        [sys.executable, "-m", "pip", "config", "list"],
        capture_output=True, text=True, check=True,
    ).stdout
    found: dict[str, dict[str, str]] = {section: {} for section in _SECTIONS}
    for line in listed.splitlines():
        name, sep, value = line.partition("=")
        section, _, key = name.rpartition(".")
        if sep and section in found:
            found[section][key] = ast.literal_eval(value)
    merged: dict[str, str] = {}
    for section in _SECTIONS:
        merged.update(found[section])
    return merged


def uv_environment(config: dict[str, str]) -> dict[str, str]:
    def words(key: str) -> list[str]:
        return config.get(key, "").split()

    env: dict[str, str] = {}
    if index := config.get("index-url"):
        env["UV_DEFAULT_INDEX"] = index
    if extra := words("extra-index-url"):
        env["UV_INDEX"] = " ".join(extra)
        env["UV_INDEX_STRATEGY"] = "unsafe-best-match"  # pip's choice: best version anywhere
    if links := words("find-links"):
        env["UV_FIND_LINKS"] = ",".join(links)
    if constraints := words("constraint"):
        env["UV_CONSTRAINT"] = " ".join(constraints)
    if hosts := words("trusted-host"):
        env["UV_INSECURE_HOST"] = " ".join(hosts)
    if cert := config.get("cert"):
        env["SSL_CERT_FILE"] = cert
    if timeout := config.get("default-timeout") or config.get("timeout"):
        env["UV_HTTP_TIMEOUT"] = str(int(float(timeout)))
    # pip writes the .pyc files at install time, uv only when asked: without them, and with
    # PYTHONDONTWRITEBYTECODE set (as on the test machines), every import of every test
    # process would compile its packages from source again.
    if config.get("compile", "1").lower() not in ("0", "false", "no", "off"):
        env["UV_COMPILE_BYTECODE"] = "1"
    return env


def main(args: list[str]) -> int:
    uv = Path(sys.executable).with_name("uv")
    env = {**os.environ, **uv_environment(pip_config())}
    command = [str(uv), "pip", args[0], "--python", sys.executable, *args[1:]]
    return subprocess.run(command, env=env).returncode  # noqa: S603 - our own uv, our args


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
