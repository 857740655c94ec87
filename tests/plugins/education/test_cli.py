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


def test_licences_renewal_export_and_import(client, cli_env, tmp_path):
    inst = institution(client)
    who = learner(client, inst)
    number = who["student_number"]
    hours = course(client, inst, "CPD1", {}, credits=4, credit_unit="hours")
    complete(client, inst, who["id"], hours, completed_on="2024-05-01")
    post(client, inst, f"/learners/{who['id']}/licences", {
        "name": "Nurse", "renewed_on": "2024-01-01", "expires_on": "2026-01-01",
        "required": 10})
    run = CliRunner()
    base = ["--tenant", inst.slug]
    r = run.invoke(education, ["licences", number, *base])
    assert r.exit_code == 0 and "earned 4 of 10 hours, 6 to go" in r.output, r.output
    renew = ["renew", number, "Nurse", "--from", "2026-01-01", "--until", "2028-01-01", *base]
    r = run.invoke(education, renew)
    assert r.exit_code != 0 and "6 hours of 10 still to earn" in r.output, r.output
    r = run.invoke(education, [*renew, "--waive", "--note", "illness"])
    assert r.exit_code == 0 and "renewed 2026-01-01 to 2028-01-01" in r.output, r.output
    r = run.invoke(education, ["licences", number, "--json", *base])
    assert json.loads(r.stdout)[0]["renewals"][0]["waived"] is True

    out = tmp_path / "clr.json"
    r = run.invoke(education, ["export", number, "--format", "data-integrity", "-o", str(out),
                               *base])
    assert r.exit_code == 0, r.output
    proved = json.loads(out.read_text())
    assert proved["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    r = run.invoke(education, ["export", number, *base])
    assert r.exit_code == 0 and r.stdout.count(".") == 2
    # Nobody serves this deployment's issuer URLs in the test: refused with the reason.
    r = run.invoke(education, ["import", number, str(out), *base])
    assert r.exit_code != 0 and "cannot be fetched" in r.output, r.output
    garbage = tmp_path / "garbage.txt"
    garbage.write_text("not a credential")
    r = run.invoke(education, ["import", number, str(garbage), *base])
    assert r.exit_code != 0 and "compact JWS" in r.output, r.output
