"""Standard FHIR clients against the live server, unchanged: SMART ``fhirclient`` discovers
the token endpoint in ``metadata`` and runs the Backend Services flow; ``fhirpy`` searches
and pages. Every body the server returns validates with ``fhir.resources`` (R4B)."""

from __future__ import annotations

import httpx
import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.capabilitystatement import CapabilityStatement
from fhirclient import client as smart_client
from fhirclient.models.condition import Condition as SmartCondition
from fhirclient.models.observation import Observation as SmartObservation
from fhirclient.models.patient import Patient as SmartPatient
from fhirpy import SyncFHIRClient
from fhirpy.base.exceptions import ForbiddenError, ResourceNotFound

from rapport_plugins.medical.fhir.capability import INTERACTIONS
from rapport_plugins.medical.fhir.mapping import MODELS
from rapport_plugins.medical.fhir.resources import KINDS


def test_metadata_lists_exactly_what_is_supported(shared):
    r = httpx.get(f"{shared.fhir}/metadata")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/fhir+json")
    statement = CapabilityStatement.model_validate(r.json())
    rest = statement.rest[0]
    assert {x.type for x in rest.resource} == set(KINDS)
    for resource in rest.resource:
        assert [i.code for i in resource.interaction] == list(INTERACTIONS)
        names = {p.name for p in resource.searchParam}
        assert names == {p.name for p in KINDS[resource.type].params} | {"_id", "_lastUpdated"}
    oauth = rest.security.extension[0]
    assert oauth.extension[0].valueUri == shared.token_url
    smart = httpx.get(f"{shared.fhir}/.well-known/smart-configuration").json()
    assert smart["token_endpoint"] == shared.token_url
    assert smart["token_endpoint_auth_methods_supported"] == ["private_key_jwt"]
    assert "ES384" in smart["token_endpoint_auth_signing_alg_values_supported"]
    assert "client-confidential-asymmetric" in smart["capabilities"]
    assert "system/Observation.rs" in smart["scopes_supported"]


def test_fhirclient_backend_services_discovers_authorises_and_reads(shared):
    settings = {"app_id": shared.peer["client_id"], "api_base": shared.fhir + "/",
                "jwt_token": shared.assertion(),
                "scope": "system/Patient.read system/Observation.rs"}
    smart = smart_client.FHIRClient(settings=settings, save_func=lambda _: None)
    assert smart.prepare() is False  # discovered, not yet authorised
    smart.authorize()
    # The scopes asked for are the scopes granted (``launch/patient``, which the client
    # adds by itself, is not a backend scope and is left out).
    assert smart.launch_context["scope"] == "system/Patient.read system/Observation.rs"
    assert smart.ready
    koval = SmartPatient.read(shared.ids["koval"], smart.server)
    assert koval.name[0].family == "Koval" and koval.meta.versionId
    found = SmartObservation.where(struct={
        "patient": f"Patient/{shared.ids['koval']}", "code": "http://loinc.org|8867-4",
    }).perform_resources_iter(smart.server)
    found = list(found)
    assert {o.id for o in found} == {shared.ids["hr_2026"], shared.ids["hr_2027"]}
    for resource in (koval, *found):
        MODELS[resource.resource_type].model_validate(resource.as_json())
    # Condition was not in the scopes: the token cannot read it.
    with pytest.raises(Exception) as refused:
        next(SmartCondition.where(struct={"patient": shared.ids["koval"]})
             .perform_iter(smart.server))
    assert refused.value.response.status_code == 403


def test_fhirpy_searches_reads_and_follows_next_links(shared):
    fhir = SyncFHIRClient(shared.fhir, authorization=shared.headers()["Authorization"])
    koval = shared.ids["koval"]
    pages = fhir.resources("Observation").search(subject=f"Patient/{koval}").limit(1)
    everything = pages.fetch_all()  # three pages of one, through the ``next`` links
    assert [o["id"] for o in everything] == [
        shared.ids["hr_2026"], shared.ids["weight_2027"], shared.ids["hr_2027"]]
    recent = fhir.resources("Observation").search(patient=koval, date__ge="2027-01-01")
    assert {o["id"] for o in recent.fetch()} == {shared.ids["weight_2027"], shared.ids["hr_2027"]}
    assert fhir.resources("Observation").search(patient=koval).count() == 3
    patients = fhir.resources("Patient").search(family="bond").fetch()
    assert [p["id"] for p in patients] == [shared.ids["bondar"]]
    condition = fhir.reference("Condition", shared.ids["hypertension"]).to_resource()
    encounter = fhir.reference(reference=condition["encounter"]["reference"]).to_resource()
    assert encounter["id"] == shared.ids["visit"]
    for resource in (*everything, *patients, condition, encounter):
        MODELS[resource["resourceType"]].model_validate(resource.serialize())
    with pytest.raises(ResourceNotFound):  # Shevchuk shared nothing
        fhir.reference("Patient", shared.ids["shevchuk"]).to_resource()
    narrow = SyncFHIRClient(shared.fhir,
                            authorization=shared.headers("system/Patient.rs")["Authorization"])
    with pytest.raises(ForbiddenError):
        narrow.resources("Observation").search(patient=koval).fetch()


def test_everything_answers_what_consents_and_scopes_allow(shared):
    koval = shared.ids["koval"]
    r = httpx.get(f"{shared.fhir}/Patient/{koval}/$everything", headers=shared.headers())
    bundle = Bundle.model_validate(r.json())
    kinds = {e.resource.get_resource_type() for e in bundle.entry}
    assert kinds == set(KINDS)
    r = httpx.get(f"{shared.fhir}/Patient/{koval}/$everything",
                  headers=shared.headers("system/Patient.read system/Condition.read"))
    kinds = {e["resource"]["resourceType"] for e in r.json()["entry"]}
    assert kinds == {"Patient", "Condition"}
