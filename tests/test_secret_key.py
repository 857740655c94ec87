"""The signing key: never the published development default, generated once per data
folder outside production, required in production (issue 9, item 6)."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import threading

import pytest
from joserfc import jwt
from joserfc.jwk import OctKey

from rapport.app import create_app
from rapport.settings import (
    PUBLISHED_DEV_SECRET,
    SECRET_FILE,
    Settings,
    SettingsError,
    local_secret_key,
)
from tests.conftest import TEST_SECRET, make_settings


def _resigned(token: str, secret: str) -> dict[str, str]:
    """The same header and claims as ``token`` (a genuine owner token), signed with ``secret``."""
    decoded = jwt.decode(token, OctKey.import_key(TEST_SECRET.encode()), algorithms=["HS256"])
    forged = jwt.encode(decoded.header, decoded.claims, OctKey.import_key(secret.encode()),
                        algorithms=["HS256"])
    return {"Authorization": f"Bearer {forged}"}


def test_owner_token_forged_with_the_published_dev_secret_is_refused(client, tenant):
    assert client.get("/api/v1/contacts", headers=tenant.headers).status_code == 200
    forged = _resigned(tenant.token, PUBLISHED_DEV_SECRET)
    assert client.get("/api/v1/contacts", headers=forged).status_code == 401
    # Re-signing with the app's own key passes: only the key made the difference.
    assert client.get("/api/v1/contacts", headers=_resigned(tenant.token, TEST_SECRET)
                      ).status_code == 200


def test_no_app_can_be_built_on_the_published_or_an_empty_secret(database):
    for secret in (PUBLISHED_DEV_SECRET, ""):
        for env in ("development", "production"):
            with pytest.raises(SettingsError, match="RAPPORT_SECRET_KEY"):
                create_app(make_settings(secret_key=secret, env=env), database.app_url)


def test_from_env_generates_a_private_key_once_and_reuses_it(tmp_path, monkeypatch):
    data = tmp_path / "data"  # not created yet: the first run makes it
    monkeypatch.delenv("RAPPORT_SECRET_KEY", raising=False)
    monkeypatch.delenv("RAPPORT_ENV", raising=False)
    monkeypatch.setenv("RAPPORT_DATA_DIR", str(data))

    first = Settings.from_env()
    first.check()
    kept = data / SECRET_FILE
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert kept.read_text().strip() == first.secret_key
    assert len(first.secret_key) >= 64 and first.secret_key != PUBLISHED_DEV_SECRET
    assert Settings.from_env().secret_key == first.secret_key
    assert [p.name for p in data.iterdir()] == [SECRET_FILE]  # no scratch file left behind


def test_processes_starting_at_once_agree_on_one_key(tmp_path):
    keys: list[str] = []
    barrier = threading.Barrier(8)

    def start() -> None:
        barrier.wait()
        keys.append(local_secret_key(tmp_path))

    threads = [threading.Thread(target=start) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=10)
    assert len(keys) == 8 and len(set(keys)) == 1
    assert (tmp_path / SECRET_FILE).read_text().strip() == keys[0]


def test_a_key_file_open_to_other_users_is_refused_not_used(tmp_path):
    key = local_secret_key(tmp_path)
    kept = tmp_path / SECRET_FILE
    kept.chmod(0o644)
    with pytest.raises(SettingsError, match="chmod 600") as refused:
        local_secret_key(tmp_path)
    assert key not in str(refused.value)
    assert kept.read_text().strip() == key  # refused, not silently replaced


def test_the_published_secret_is_refused_from_the_variable_or_the_file(tmp_path, monkeypatch):
    monkeypatch.delenv("RAPPORT_ENV", raising=False)
    monkeypatch.setenv("RAPPORT_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("RAPPORT_SECRET_KEY", PUBLISHED_DEV_SECRET)
    with pytest.raises(SettingsError, match="published development default"):
        Settings.from_env().check()

    monkeypatch.delenv("RAPPORT_SECRET_KEY")
    fd = os.open(tmp_path / SECRET_FILE, os.O_CREAT | os.O_WRONLY, 0o600)
    os.write(fd, PUBLISHED_DEV_SECRET.encode())
    os.close(fd)
    with pytest.raises(SettingsError, match="no usable key"):
        Settings.from_env()


def test_production_without_the_key_refuses_to_start(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "RAPPORT_SECRET_KEY"}
    env.update(RAPPORT_ENV="production", RAPPORT_DATA_DIR=str(tmp_path / "data"))
    r = subprocess.run([sys.executable, "-m", "rapport.cli", "run", "--port", "1"],
                       capture_output=True, text=True, env=env, timeout=60)
    assert r.returncode != 0
    assert "RAPPORT_SECRET_KEY" in r.stderr and "Traceback" not in r.stderr
    # Refused before anything was made: no generated key, no embedded server.
    assert not (tmp_path / "data" / SECRET_FILE).exists()
    assert not (tmp_path / "data" / "postgres").exists()
