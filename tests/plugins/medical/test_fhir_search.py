"""The search-parameter matrix: each FHIR R4 search a peer may send, with the exact set of
resources it must answer; handling=strict vs lenient; paging links; format negotiation;
OperationOutcome for every error. Over real HTTP against the live server."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.operationoutcome import OperationOutcome

from rapport_plugins.medical.fhir.mapping import MODELS


def _search(shared, path: str, params: Any = None, **headers: str) -> httpx.Response:
    return httpx.get(f"{shared.fhir}/{path}", params=params,
                     headers={**shared.headers(), **headers}, timeout=20)


def _ids(r: httpx.Response) -> list[str]:
    assert r.status_code == 200, r.text
    bundle = Bundle.model_validate(r.json())
    for entry in bundle.entry or []:
        MODELS[entry.resource.get_resource_type()].model_validate(entry.resource.model_dump())
    return [e["resource"]["id"] for e in r.json().get("entry", [])]


def _refused(r: httpx.Response, status: int = 400) -> str:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/fhir+json")
    return str(OperationOutcome.model_validate(r.json()).issue[0].diagnostics)


MATRIX = [
    ("Observation", {"patient": "{koval}"}, ["hr_2026", "weight_2027", "hr_2027"]),
    ("Observation", {"subject": "Patient/{koval}"}, ["hr_2026", "weight_2027", "hr_2027"]),
    ("Observation", {"subject:Patient": "{bondar}"}, ["bondar_hr"]),
    ("Observation", {"patient": "{koval}", "code": "http://loinc.org|8867-4"},
     ["hr_2026", "hr_2027"]),
    ("Observation", {"code": "8867-4"}, ["hr_2026", "hr_2027", "bondar_hr"]),
    ("Observation", {"code": "http://snomed.info/sct|8867-4"}, []),
    ("Observation", {"code": "|8867-4"}, []),
    ("Observation", {"code": "http://loinc.org|"},
     ["hr_2026", "weight_2027", "hr_2027", "bondar_hr"]),
    ("Observation", {"code": "29463-7,8867-4", "patient": "{koval}"},
     ["hr_2026", "weight_2027", "hr_2027"]),
    ("Observation", {"date": "ge2027-01-01"}, ["weight_2027", "hr_2027"]),
    ("Observation", {"date": "lt2027-01-01"}, ["hr_2026", "bondar_hr"]),
    ("Observation", {"date": "2027"}, ["weight_2027", "hr_2027"]),
    ("Observation", {"date": "eq2027-02"}, ["weight_2027"]),
    ("Observation", {"date": "gt2027-02-01"}, ["hr_2027"]),
    ("Observation", {"date": "le2026-03-01"}, ["hr_2026"]),
    ("Observation", [("date", "ge2026-01-01"), ("date", "lt2026-12-31")],
     ["hr_2026", "bondar_hr"]),
    ("Observation", {"date": "ne2027"}, ["hr_2026", "bondar_hr"]),
    ("Observation", {"date": "2026-03-01T09:35:00Z"}, ["hr_2026"]),
    ("Observation", {"category": "vital-signs", "patient": "{bondar}"}, ["bondar_hr"]),
    ("Observation", {"_id": "{weight_2027}"}, ["weight_2027"]),
    ("Observation", {"patient": "{shevchuk}"}, []),  # nothing shared
    ("Observation", {"patient": "{koval}", "_sort": "-date"},
     ["hr_2027", "weight_2027", "hr_2026"]),
    ("Patient", {"family": "kov"}, ["koval"]),
    ("Patient", {"family": "Shevchuk"}, []),
    ("Patient", {"given": "IRY"}, ["bondar"]),
    ("Patient", {"name": "olha"}, ["koval"]),
    ("Patient", {"name:exact": "olha"}, []),
    ("Patient", {"name:contains": "ond"}, ["bondar"]),
    ("Patient", {"_id": "{bondar}"}, ["bondar"]),
    ("Patient", {"_id": "{shevchuk}"}, []),
    ("Patient", {"identifier": "K-100"}, ["koval"]),
    ("Patient", {"birthdate": "lt1980"}, ["bondar"]),
    ("Patient", {"gender": "female", "_sort": "birthdate"}, ["bondar", "koval"]),
    ("Condition", {"patient": "{koval}"}, ["hypertension"]),
    ("Condition", {"code": "http://hl7.org/fhir/sid/icd-10|I10"}, ["hypertension"]),
    ("Condition", {"onset-date": "2020"}, ["hypertension"]),
    ("Condition", {"encounter": "Encounter/{visit}"}, ["hypertension"]),
    ("Condition", {"patient": "{bondar}"}, []),  # conditions not shared for Bondar
    # The period has a start and no end (ongoing, per FHIR): a day range does not contain
    # it, the range from that day on overlaps it.
    ("Encounter", [("date", "ge2026-03-01"), ("date", "lt2026-03-02"),
                   ("status", "finished,in-progress,planned,arrived")], ["visit"]),
    ("Encounter", {"date": "lt2026-03-01"}, []),
    ("MedicationStatement", {"status": "active"}, ["lisinopril"]),
    ("CarePlan", {"subject": "Patient/{koval}"}, ["rehab"]),
    ("DocumentReference", {"patient": "{koval}"}, ["referral"]),
    ("Consent", {"patient": "{bondar}", "status": "active"}, ["consent_bondar"]),
    ("AllergyIntolerance", {"patient": "{koval}"}, ["penicillin", "pollen"]),
    ("AllergyIntolerance", {"criticality": "high"}, ["penicillin"]),
    ("AllergyIntolerance", {"patient": "{bondar}"}, []),
]


@pytest.mark.parametrize(("kind", "params", "expected"), MATRIX,
                         ids=[f"{k}?{p}" for k, p, _ in MATRIX])
def test_search_answers_exactly(shared, kind, params, expected):
    pairs = params.items() if isinstance(params, dict) else params
    filled = [(k, v.format(**shared.ids)) for k, v in pairs]
    found = _ids(_search(shared, kind, filled))
    want = [shared.ids[name] for name in expected]
    if any(k == "_sort" for k, _ in filled):
        assert found == want
    else:
        assert sorted(found) == sorted(want)


def test_count_pages_with_self_and_next_links(shared):
    r = _search(shared, "Observation", {"patient": shared.ids["koval"], "_count": "2"})
    body = r.json()
    assert body["total"] == 3 and len(_ids(r)) == 2
    links = {link["relation"]: link["url"] for link in body["link"]}
    assert f"patient={shared.ids['koval']}" in links["self"]
    second = httpx.get(links["next"], headers=shared.headers())
    assert len(_ids(second)) == 1
    assert "next" not in {link["relation"] for link in second.json()["link"]}
    assert "previous" in {link["relation"] for link in second.json()["link"]}
    zero = _search(shared, "Observation", {"patient": shared.ids["koval"], "_count": "0"})
    assert zero.json()["total"] == 3 and "entry" not in zero.json()


def test_unknown_parameters_ignored_when_lenient_refused_when_strict(shared):
    koval = shared.ids["koval"]
    params = {"patient": koval, "favourite-colour": "blue", "code:below": "8867"}
    lenient = _search(shared, "Observation", params)
    assert len(_ids(lenient)) == 3
    self_link = lenient.json()["link"][0]["url"]
    assert "favourite-colour" not in self_link and "code" not in self_link
    explicit = _search(shared, "Observation", params, Prefer="handling=lenient")
    assert len(_ids(explicit)) == 3
    refusal = _refused(_search(shared, "Observation", params, Prefer="handling=strict"))
    assert "favourite-colour" in refusal and "code:below" in refusal
    assert "code:below" in _refused(_search(
        shared, "Observation", {"patient": koval, "code:below": "8867"},
        Prefer="handling=strict"))


@pytest.mark.parametrize("params", [
    {"date": "yesterday"}, {"date": "2027-13-01"}, {"patient": "Practitioner/7"},
    {"_count": "many"}, {"_count": "100000"}, {"_sort": "colour"}, {"code": "|"},
])
def test_malformed_values_are_400_even_when_lenient(shared, params):
    key = next(iter(params))
    assert key in _refused(_search(shared, "Observation", params))


def test_reads_carry_versions_and_formats_other_than_json_are_406(shared):
    allergy = _search(shared, f"AllergyIntolerance/{shared.ids['penicillin']}")
    assert allergy.status_code == 200 and allergy.json()["criticality"] == "high"
    r = _search(shared, f"Observation/{shared.ids['hr_2026']}")
    assert r.status_code == 200
    version = r.json()["meta"]["versionId"]
    assert r.headers["etag"] == f'W/"{version}"' and r.headers["last-modified"]
    unchanged = _search(shared, f"Observation/{shared.ids['hr_2026']}",
                        **{"If-None-Match": r.headers["etag"]})
    assert unchanged.status_code == 304 and not unchanged.content
    _refused(_search(shared, "Patient", {"_format": "xml"}), 406)
    _refused(_search(shared, "Patient", Accept="application/fhir+xml"), 406)
    assert _search(shared, "Patient", {"_format": "json"}).status_code == 200
    _refused(_search(shared, "Medication"), 404)
    _refused(_search(shared, "Observation/not-an-id"), 404)
    _refused(_search(shared, f"Observation/{shared.ids['hr_2026']}/_history/1"), 404)
    _refused(_search(shared, f"Condition/{shared.ids['asthma']}"), 404)  # not shared
    r = httpx.post(f"{shared.fhir}/Patient", json={"resourceType": "Patient"},
                   headers=shared.headers())
    _refused(r, 405)
    _refused(httpx.get(f"{shared.fhir}/Patient"), 401)


def test_requested_scopes_are_granted_narrowly(shared):
    assert shared.token("system/Patient.read system/Observation.cruds launch/patient")[
        "scope"] == "system/Patient.read system/Observation.rs"
    assert shared.token(None)["scope"] == "system/*.read"
    r = httpx.post(shared.token_url, data={
        "grant_type": "client_credentials",
        "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        "client_assertion": shared.assertion(), "scope": "patient/*.read"})
    assert r.status_code == 400 and r.json()["error"] == "invalid_scope"
    only_read = {"Authorization": f"Bearer {shared.token('system/Observation.r')['access_token']}"}
    assert httpx.get(f"{shared.fhir}/Observation/{shared.ids['hr_2026']}",
                     headers=only_read).status_code == 200
    _refused(httpx.get(f"{shared.fhir}/Observation", headers=only_read), 403)


def test_the_access_report_names_the_peer_for_federated_reads(shared, client):
    koval = shared.ids["koval"]
    assert _search(shared, f"Patient/{koval}").status_code == 200
    r = client.get(f"/api/v1/medical/patients/{koval}/access-report",
                   headers=shared.a.as_("owner"))
    federated = [e for e in r.json()["items"]
                 if e["via"] == "federation" and e["action"] == "read"]
    assert federated
    assert {(e["who"], e["organization"], e["organization_id"]) for e in federated} == {
        ("Rehab Centre B", "Rehab Centre B", None)}


def _modes(r: httpx.Response) -> dict[str, set[str]]:
    """Entry ids by ``search.mode`` (match / include), the body validated first."""
    _ids(r)
    out: dict[str, set[str]] = {"match": set(), "include": set()}
    for entry in r.json().get("entry", []):
        out[entry["search"]["mode"]].add(entry["resource"]["id"])
    return out


def test_include_and_revinclude_bring_only_what_consents_admit(shared):
    ids = shared.ids
    r = _search(shared, "Observation", {"patient": ids["koval"], "_include": "Observation:patient"})
    assert _modes(r) == {"match": {ids["hr_2026"], ids["weight_2027"], ids["hr_2027"]},
                         "include": {ids["koval"]}}
    assert "_include=Observation%3Apatient" in r.json()["link"][0]["url"]
    r = _search(shared, "Condition", {"_id": ids["hypertension"],
                                      "_include": "Condition:encounter:Encounter"})
    assert _modes(r) == {"match": {ids["hypertension"]}, "include": {ids["visit"]}}
    # Bondar's consent covers observations, not conditions: asthma never comes along.
    r = _search(shared, "Patient", [("_id", ids["bondar"]),
                                    ("_revinclude", "Observation:patient"),
                                    ("_revinclude", "Condition:subject")])
    assert _modes(r) == {"match": {ids["bondar"]}, "include": {ids["bondar_hr"]}}
    r = _search(shared, "Encounter", {"_id": ids["visit"], "_revinclude": "Condition:encounter"})
    assert _modes(r)["include"] == {ids["hypertension"]}
    # Including a type the token may not read is refused like searching it.
    narrow = {"Authorization": f"Bearer {shared.token('system/Observation.rs')['access_token']}"}
    _refused(httpx.get(f"{shared.fhir}/Observation", headers=narrow, params={
        "patient": ids["koval"], "_include": "Observation:patient"}), 403)
    # A link this server does not follow: ignored when lenient, refused when strict.
    params = {"patient": ids["koval"], "_include": "Observation:performer"}
    assert not _modes(_search(shared, "Observation", params))["include"]
    assert "Observation:performer" in _refused(
        _search(shared, "Observation", params, Prefer="handling=strict"))


def test_summary_and_elements_subset_resources(shared):
    koval, hr = shared.ids["koval"], shared.ids["hr_2026"]
    count = _search(shared, "Observation", {"patient": koval, "_summary": "count"})
    assert count.json()["total"] == 3 and "entry" not in count.json()
    summary = _search(shared, "Observation", {"_id": hr, "_summary": "true"}).json()
    resource = summary["entry"][0]["resource"]
    assert "category" not in resource and resource["valueQuantity"]["value"] == 72
    assert {"code": "SUBSETTED"}.items() <= resource["meta"]["tag"][0].items()
    elements = _search(shared, "Observation", {"_id": hr, "_elements": "code"}).json()
    resource = elements["entry"][0]["resource"]
    # id, meta and the mandatory status come whatever was asked.
    assert set(resource) == {"resourceType", "id", "meta", "code", "status"}
    read = _search(shared, f"Patient/{koval}", {"_elements": "birthDate"})
    assert read.status_code == 200 and set(read.json()) == {
        "resourceType", "id", "meta", "birthDate"}
    whole = _search(shared, f"Patient/{koval}", {"_summary": "false"}).json()
    assert whole["name"][0]["family"] == "Koval" and "tag" not in whole["meta"]
    assert "_elements" in _refused(_search(shared, "Observation", {"_elements": "colour"}))
    assert "_summary" in _refused(_search(shared, "Observation", {"_summary": "some"}))
    assert "_summary" in _refused(_search(shared, f"Patient/{koval}", {"_summary": "count"}))


def test_history_and_vread_answer_the_version_kept(shared):
    hr = shared.ids["hr_2026"]
    current = _search(shared, f"Observation/{hr}")
    version = current.json()["meta"]["versionId"]
    assert current.headers["content-location"] == f"Observation/{hr}/_history/{version}"
    history = _search(shared, f"Observation/{hr}/_history")
    assert history.status_code == 200, history.text
    bundle = Bundle.model_validate(history.json())
    assert bundle.type == "history" and bundle.total == 1
    entry = history.json()["entry"][0]
    assert entry["resource"] == current.json()
    assert entry["response"]["etag"] == current.headers["etag"]
    assert entry["request"] == {"method": "POST", "url": "Observation"}
    patient = _search(shared, f"Patient/{shared.ids['koval']}/_history").json()
    assert patient["entry"][0]["request"]["method"] == "PUT"
    vread = _search(shared, f"Observation/{hr}/_history/{version}")
    assert vread.status_code == 200 and vread.json() == current.json()
    assert vread.headers["etag"] == f'W/"{version}"'
    assert "not kept" in _refused(_search(shared, f"Observation/{hr}/_history/1"), 404)
    # Not shared stays unknown, whichever door is used.
    _refused(_search(shared, f"Condition/{shared.ids['asthma']}/_history"), 404)
    _refused(_search(shared, f"Patient/{shared.ids['shevchuk']}/_history/1"), 404)
