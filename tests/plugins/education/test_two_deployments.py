"""The issue's round trip between two real server processes on loopback: deployment A
issues a learner's record (CLR 2.0 of Open Badges 3.0, both proof formats), deployment B
imports and verifies it — fetching A's keys and status lists over HTTP —, B's registrar
accepts it, and B's recommendations then skip the outcomes it proves. Tampering any byte
is refused; a credential A revokes is refused at B.

Both processes use the suite's database (different institutions), each with its own
origin; every call below goes over HTTP to one of them."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import suppress
from pathlib import Path

import httpx
import pytest

from tests import mailbox
from tests.plugins.education.support import complete, course, institution, learner, outcome, post

ROOT = Path(__file__).resolve().parents[3]
ESCO = "http://data.europa.eu/esco/skill/"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def deployments(database, tmp_path_factory) -> Iterator[tuple[httpx.Client, httpx.Client]]:
    url = database.app_url.render_as_string(hide_password=False)
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAPPORT_")}
    # B verifies A on loopback: a deployment on a private network allows it explicitly.
    env["RAPPORT_EDUCATION_FETCH_PRIVATE"] = "1"
    logs = tmp_path_factory.mktemp("deployments")
    started = []
    for name in ("a", "b"):
        port = _free_port()
        log = (logs / f"{name}.log").open("w")
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.plugins.education.deployment", str(port), url,
             mailbox.start().url],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        started.append((process, httpx.Client(base_url=f"http://127.0.0.1:{port}",
                                              timeout=60)))
    try:
        deadline = time.monotonic() + 120
        for process, client in started:
            while True:
                with suppress(httpx.HTTPError):
                    if client.get("/healthz").status_code == 200:
                        break
                assert process.poll() is None, (logs / "a.log").read_text() + (
                    logs / "b.log").read_text()
                assert time.monotonic() < deadline, "a deployment did not start"
                time.sleep(0.2)
        yield started[0][1], started[1][1]
    finally:
        for process, client in started:
            client.close()
            process.terminate()
            with suppress(subprocess.TimeoutExpired):
                process.wait(timeout=10)
            if process.poll() is None:
                process.kill()


def _flip(text: str, at: int) -> str:
    swapped = "A" if text[at] != "A" else "B"
    return text[:at] + swapped + text[at + 1:]


def test_issue_at_a_import_verify_recognise_at_b(deployments):
    a_http, b_http = deployments
    assert a_http.base_url != b_http.base_url
    a = institution(a_http, ("registrar",))
    sql = outcome(a_http, a, "SQL", framework_uri=ESCO + "sql", framework_name="ESCO")
    py = outcome(a_http, a, "PY", framework_uri=ESCO + "python", framework_name="ESCO")
    db101 = course(a_http, a, "DB101", {sql: 3, py: 2})
    who = learner(a_http, a, "Mariia")["id"]
    complete(a_http, a, who, db101, grade="B", completed_on="2019-06-20")
    r = a_http.post(f"/api/v1/education/learners/{who}/clr", headers=a.as_("registrar"))
    assert r.status_code == 201, r.text
    out = r.json()
    assert out["credential"]["issuer"]["id"].startswith(str(a_http.base_url))

    b = institution(b_http, ("registrar", "advisor"))
    b_sql = outcome(b_http, b, "B-SQL", framework_uri=ESCO + "sql")
    b_py = outcome(b_http, b, "B-PY", framework_uri=ESCO + "python")
    again = course(b_http, b, "DATA1", {b_sql: 2, b_py: 2})
    fresh = course(b_http, b, "NEW1", {b_py: 4})
    program = post(b_http, b, "/programs", {"code": "CONT", "title": "Continuing",
                                            "courses": [again, fresh]})["id"]
    alumna = learner(b_http, b, "Mariia")["id"]
    url = f"/api/v1/education/learners/{alumna}/credentials/import"
    registrar = b.as_("registrar")
    proved = json.dumps(out["data_integrity"])

    # Any byte changed — in the signed payload, the signature, or the JSON form — refused.
    head, body, sig = out["jwt"].split(".")
    for forged in (f"{head}.{_flip(body, len(body) // 2)}.{sig}",
                   f"{head}.{body}.{_flip(sig, 5)}",
                   proved.replace('"value": "B"', '"value": "A"')):
        r = b_http.post(url, json={"credential": forged}, headers=registrar)
        assert r.status_code == 422, r.text
        assert r.json()["errors"][0]["field"] == "credential"
    assert b_http.get(f"/api/v1/education/learners/{alumna}/record",
                      headers=b.as_("advisor")).json()["achievements"] == []

    # The Data Integrity form verifies against A's published keys; B's registrar accepts.
    r = b_http.post(url, json={"credential": proved}, headers=registrar)
    assert r.status_code == 201, r.text
    item = r.json()["items"][0]
    assert item["decision"] == "pending" and {x["outcome_id"] for x in item["alignments"]} == {
        b_sql, b_py}
    r = b_http.post(f"/api/v1/education/learners/{alumna}/achievements/{item['id']}/decision",
                    json={"decision": "accept", "note": "verified at A"}, headers=registrar)
    assert r.status_code == 200, r.text
    rec = b_http.get(f"/api/v1/education/learners/{alumna}/recommendations",
                     params={"program": program}, headers=b.as_("advisor")).json()
    assert [p["code"] for p in rec["take"]] == ["NEW1"]
    assert [p["code"] for p in rec["skip"]] == ["DATA1"]

    # A revokes the record: B refuses it from then on, in either form.
    issued = a_http.get(f"/api/v1/education/learners/{who}/credentials",
                        headers=a.as_("registrar")).json()
    clr_id = next(c["id"] for c in issued if c["kind"] == "ClrCredential")
    r = a_http.post(f"/api/v1/education/learners/{who}/credentials/{clr_id}/revoke",
                    json={"reason": "issued in error"}, headers=a.as_("registrar"))
    assert r.status_code == 200, r.text
    for form in (out["jwt"], proved):
        r = b_http.post(url, json={"credential": form}, headers=registrar)
        assert r.status_code == 422 and "revoked" in r.text, r.text
