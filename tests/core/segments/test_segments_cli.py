"""``rapport segments list|show|count|export|snapshot``: the API's actions from the command
line, in this process through click's CliRunner, against the suite's PostgreSQL."""

from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner

from rapport.core.segments.cli import segments_group
from rapport.db.urls import libpq_url
from tests.conftest import sign_up
from tests.core.segments.test_segments_api import _contact


@pytest.fixture
def cli_env(database, monkeypatch):
    monkeypatch.setenv("RAPPORT_DATABASE_URL", libpq_url(database.owner_url))
    monkeypatch.setenv("RAPPORT_APP_DATABASE_URL", libpq_url(database.app_url))


def _cli(*args: str):
    return CliRunner().invoke(segments_group, list(args), catch_exceptions=False)


def _last(result) -> str:
    """The command's answer: its last line (plugin loading may log before it)."""
    return result.output.strip().splitlines()[-1]


def test_segments_commands(client, cli_env, tmp_path):
    t = sign_up(client)
    for name in ("Ann", "Bob", "Cid"):
        _contact(client, t, name)
    r = client.post("/api/v1/segments", headers=t.headers, json={
        "name": "A and B", "kind": "static",
        "definition": {"filter": "given_name:in:Ann,Bob"}})
    assert r.status_code == 201, r.text
    static = r.json()["id"]
    tenant = ["--tenant", t.slug]

    listed = _cli("list", *tenant)
    assert listed.exit_code == 0, listed.output
    assert "A and B" in listed.output and "static" in listed.output

    shown = _cli("show", static, *tenant)
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.output[shown.output.index('{\n  "'):])["count"] == 2

    assert _last(_cli("count", static, *tenant)) == "2"
    draft = _cli("count", "--definition", '{"filter": "given_name:eq:Cid"}', *tenant)
    assert draft.exit_code == 0 and _last(draft) == "1"

    # Cid joins the definition; the snapshot keeps two until it is re-taken.
    client.patch(f"/api/v1/segments/{static}", headers=t.headers,
                 json={"definition": {"filter": "given_name:in:Ann,Bob,Cid"}})
    assert _last(_cli("count", static, *tenant)) == "2"
    taken = _cli("snapshot", static, *tenant)
    assert taken.exit_code == 0 and ": 3 contacts" in taken.output

    out = tmp_path / "segment.csv"
    exported = _cli("export", static, "-o", str(out), *tenant)
    assert exported.exit_code == 0, exported.output
    rows = list(csv.reader(io.StringIO(out.read_text())))
    api = client.get(f"/api/v1/segments/{static}/export", headers=t.headers)
    assert rows == list(csv.reader(io.StringIO(api.text)))
    assert sorted(r[rows[0].index("given_name")] for r in rows[1:]) == ["Ann", "Bob", "Cid"]

    bad = CliRunner().invoke(segments_group, ["count", "--definition", '{"nope": 1}', *tenant])
    assert bad.exit_code != 0 and "definition: unknown condition 'nope'" in bad.output
    missing = CliRunner().invoke(segments_group, ["show", static, "--tenant", "nobody"])
    assert missing.exit_code != 0 and "no tenant" in missing.output
    other = sign_up(client)
    hidden = CliRunner().invoke(segments_group, ["show", static, "--tenant", other.slug])
    assert hidden.exit_code != 0 and "not found" in hidden.output.lower()
