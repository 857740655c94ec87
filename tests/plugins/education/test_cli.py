"""``rapport education …``: the same services as the API, from the command line."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from rapport.db.urls import libpq_url
from rapport_plugins.education.cli import education
from tests.plugins.education.support import complete, course, institution, learner, outcome, post


@pytest.fixture
def cli_env(database, monkeypatch):
    monkeypatch.setenv("RAPPORT_DATABASE_URL", libpq_url(database.owner_url))
    monkeypatch.setenv("RAPPORT_APP_DATABASE_URL", libpq_url(database.app_url))


def test_record_recommend_enrol_and_result(client, cli_env):
    inst = institution(client)
    a, b = outcome(client, inst, "A"), outcome(client, inst, "B")
    first = course(client, inst, "FIRST", {a: 2})
    again = course(client, inst, "AGAIN", {a: 1})
    second = course(client, inst, "SECOND", {b: 2})
    who = learner(client, inst)
    number = who["student_number"]
    complete(client, inst, who["id"], first)
    post(client, inst, "/programs", {"code": "PRG", "title": "P", "courses": [again, second]})
    run = CliRunner()

    r = run.invoke(education, ["recommend", number, "--program", "PRG", "--tenant", inst.slug])
    assert r.exit_code == 0, r.output
    assert "take  SECOND" in r.output and "skip  AGAIN" in r.output
    r = run.invoke(education, ["recommend", number, "--outcome", "B", "--json",
                               "--tenant", inst.slug, "--as", inst.emails["advisor"]])
    assert r.exit_code == 0, r.output
    assert [p["code"] for p in json.loads(r.stdout)["take"]] == ["SECOND"]

    r = run.invoke(education, ["enrol", number, "SECOND", "--term", "2030-spring",
                               "--tenant", inst.slug, "--as", inst.emails["registrar"]])
    assert r.exit_code == 0 and "attempt 1" in r.output, r.output
    r = run.invoke(education, ["result", number, "SECOND", "Z", "--tenant", inst.slug])
    assert r.exit_code != 0 and "grade" in r.output
    r = run.invoke(education, ["result", number, "SECOND", "B", "--tenant", inst.slug])
    assert r.exit_code == 0 and "completed (B)" in r.output, r.output

    r = run.invoke(education, ["record", number, "--tenant", inst.slug])
    assert r.exit_code == 0, r.output
    assert "SECOND" in r.output and "holds B at level 2" in r.output
    r = run.invoke(education, ["courses", "--tenant", inst.slug, "--json"])
    assert {c["code"] for c in json.loads(r.stdout)} == {"FIRST", "AGAIN", "SECOND"}

    # Refusals name the problem: an unknown learner, a viewer-free advisor changing records.
    r = run.invoke(education, ["record", "NOPE", "--tenant", inst.slug])
    assert r.exit_code != 0 and "no learner 'NOPE'" in r.output
    r = run.invoke(education, ["enrol", number, "FIRST", "--term", "x", "--tenant", inst.slug,
                               "--as", inst.emails["advisor"]])
    assert r.exit_code != 0 and "may not change" in r.output
    r = run.invoke(education, ["record", number, "--tenant", "no-such-org"])
    assert r.exit_code != 0
