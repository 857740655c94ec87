"""Education's console screens: the customer-page panel, the learner's lifetime on one
page with the advisor's recommendations (reasons translated), the catalogue with its
outcome mapping; hidden without the module, 404 across institutions."""

from __future__ import annotations

from tests.console.support import sign_in
from tests.plugins.education.support import complete, course, institution, learner, outcome, post


def _as(client, inst, role):
    if role == "owner":
        return sign_in(client, inst.tenant)
    return sign_in(client, inst.tenant, email=inst.emails[role],
                   password=f"{role} password {inst.slug}")


def _history(client, inst):
    a, b, c = (outcome(client, inst, code) for code in ("SQL", "PY", "ML"))
    sql = course(client, inst, "SQL1", {a: 2})
    again = course(client, inst, "SQL2", {a: 2})
    ml = course(client, inst, "ML1", {b: 2, c: 3})
    who = learner(client, inst, "Ivanna")
    complete(client, inst, who["id"], sql, completed_on="1990-06-01")
    program = post(client, inst, "/programs", {"code": "DS", "title": "Data science",
                                               "courses": [again, ml]})
    return who, program, (sql, again, ml)


def test_advisor_sees_panel_record_and_recommendations(client):
    inst = institution(client)
    who, program, _ = _history(client, inst)
    _as(client, inst, "advisor")
    customer = client.get(f"/contacts/{who['contact_id']}").text
    assert 'id="panel-education-record"' in customer and who["student_number"] in customer
    page = client.get(f"/apps/education/learners/{who['id']}")
    assert page.status_code == 200 and "SQL1" in page.text and "Data science" in page.text
    advice = client.get(f"/apps/education/learners/{who['id']}",
                        params={"program": program["id"]})
    assert advice.status_code == 200
    assert "every outcome it teaches is already held" in advice.text  # SQL2 skipped
    assert "adds" in advice.text and "ML1" in advice.text
    bad = client.get(f"/apps/education/learners/{who['id']}", params={"program": "nope"})
    assert bad.status_code == 422 and "Choose one of the programmes" in bad.text
    catalogue = client.get("/apps/education/")
    assert catalogue.status_code == 200 and "ML · 3" in catalogue.text


def test_screens_are_translated(client):
    inst = institution(client)
    who, program, _ = _history(client, inst)
    _as(client, inst, "owner")
    r = client.get(f"/apps/education/learners/{who['id']}", params={"program": program["id"]},
                   headers={"Accept-Language": "uk"})
    assert r.status_code == 200
    assert "Рекомендації" in r.text and "усі його результати вже здобуто" in r.text  # noqa: RUF001


def test_hidden_without_module_and_404_across_institutions(client):
    a, b = institution(client), institution(client, roles=())
    who, _, _ = _history(client, a)
    client.delete("/api/v1/modules/education", headers=b.as_("owner"))
    _as(client, b, "owner")
    assert "/apps/education/" not in client.get("/").text
    assert client.get("/apps/education/").status_code == 404
    client.put("/api/v1/modules/education", headers=b.as_("owner"))
    assert client.get(f"/apps/education/learners/{who['id']}").status_code == 404


def test_registrar_exports_and_imports_a_credential_on_the_learner_page(client):
    inst = institution(client)
    who, _, _ = _history(client, inst)
    csrf = _as(client, inst, "registrar")
    page = client.get(f"/apps/education/learners/{who['id']}")
    assert "Export the record (CLR 2.0)" in page.text
    r = client.post(f"/apps/education/learners/{who['id']}/clr", data={"_csrf": csrf})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/vc+jwt")
    assert r.text.count(".") == 2
    # The export is listed; a pasted non-credential is refused with its reason shown.
    r = client.post(f"/apps/education/learners/{who['id']}/import",
                    data={"_csrf": csrf, "credential": "garbage"})
    assert r.status_code == 422 and 'id="verification"' in r.text and "compact JWS" in r.text
    assert "Learner record: Ivanna" in r.text  # the issued CLR, listed
    r = client.post(f"/apps/education/learners/{who['id']}/clr",
                    data={"_csrf": csrf, "format": "data_integrity"})
    assert r.status_code == 200 and r.json()["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    # Suspend, reinstate and revoke from the list of issued credentials.
    issued = client.get(f"/api/v1/education/learners/{who['id']}/credentials",
                        headers=inst.as_("registrar")).json()
    base = f"/apps/education/learners/{who['id']}/credentials/{issued[0]['id']}"
    assert client.post(f"{base}/suspend", data={"_csrf": csrf},
                       follow_redirects=False).status_code == 303
    page = client.get(f"/apps/education/learners/{who['id']}")
    assert "<td>suspended" in page.text.replace("\n", "").replace(" ", "")
    assert f"{base}/reinstate" in page.text
    client.post(f"{base}/reinstate", data={"_csrf": csrf}, follow_redirects=False)
    assert f"{base}/suspend" in client.get(f"/apps/education/learners/{who['id']}").text
    client.post(f"{base}/revoke", data={"_csrf": csrf}, follow_redirects=False)
    page = client.get(f"/apps/education/learners/{who['id']}")
    assert f"{base}/suspend" not in page.text and f"{base}/revoke" not in page.text
    assert client.post(f"{base}/frobnicate", data={"_csrf": csrf},
                       follow_redirects=False).status_code == 404
    # Advisors see the record but neither export nor import.
    _as(client, inst, "advisor")
    page = client.get(f"/apps/education/learners/{who['id']}")
    assert "Export the record (CLR 2.0)" not in page.text


def test_registrar_renews_a_licence_on_the_learner_page(client):
    inst = institution(client)
    who, _, _ = _history(client, inst)
    lic = post(client, inst, f"/learners/{who['id']}/licences", {
        "name": "Nurse", "renewed_on": "2024-01-01", "expires_on": "2026-01-01",
        "required": 10})
    csrf = _as(client, inst, "registrar")
    url = f"/apps/education/learners/{who['id']}/licences/{lic['id']}/renew"
    page = client.get(f"/apps/education/learners/{who['id']}", headers={"Accept-Language": "uk"})
    assert "Ліцензії" in page.text and url in page.text
    form = {"_csrf": csrf, "renewed_on": "2026-01-01", "expires_on": "2028-01-01"}
    r = client.post(url, data=form, follow_redirects=False)
    assert r.status_code == 409 and 'id="licence-error"' in r.text and "10 hours" in r.text
    r = client.post(url, data={**form, "expires_on": "not a date"}, follow_redirects=False)
    assert r.status_code == 422 and 'id="licence-error"' in r.text
    r = client.post(url, data={**form, "waive": "1", "note": "leave"}, follow_redirects=False)
    assert r.status_code == 303
    listed = client.get(f"/api/v1/education/learners/{who['id']}/licences",
                        headers=inst.as_("advisor")).json()
    assert listed[0]["renewed_on"] == "2026-01-01" and listed[0]["renewals"][0]["waived"]
    _as(client, inst, "advisor")
    assert url not in client.get(f"/apps/education/learners/{who['id']}").text
