"""The report: the gap (perception - expectation) mean per dimension, item, service point,
employee and month, with the expectation and perception means and the counts; the
weighted SERVQUAL score under the tenant's points; the CSV export; bad input named."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

from tests.conftest import add_member
from tests.core.surveys.support import ANSWERS, SURVEYS, answers, customer, invited, survey

TANGIBLES = ("q01", "q02", "q03", "q04")


def _answered(client, tenant) -> tuple[dict, dict]:
    made = survey(client, tenant)
    clerk = add_member(client, tenant, f"clerk@{tenant.slug}.example.com", full_name="Clerk")
    a, a_email = customer(client, tenant, given_name="A")
    b, b_email = customer(client, tenant, given_name="B")
    token = invited(client, tenant, made["id"], a_email, a, service_point="Kyiv",
                    employee_id=clerk["id"])
    assert client.post(ANSWERS + token, json={"answers": answers(6, 5)}).status_code == 201
    # B: tangibles far below what they expect, everything else a little above.
    token = invited(client, tenant, made["id"], b_email, b, service_point="Lviv")
    scores = answers(5, 6, **{k: (7, 3) for k in TANGIBLES})
    assert client.post(ANSWERS + token, json={"answers": scores}).status_code == 201
    return made, clerk


def _report(client, tenant, survey_id: str, **params) -> dict:
    r = client.get(f"{SURVEYS}/{survey_id}/report", headers=tenant.headers, params=params)
    assert r.status_code == 200, r.text
    return r.json()


def test_the_gap_per_dimension_item_service_point_employee_and_month(client, tenant):
    made, clerk = _answered(client, tenant)
    found = _report(client, tenant, made["id"])
    assert found["group"] == "dimension" and found["responses"] == 2
    rows = {r["key"]: r for r in found["rows"]}
    assert [r["key"] for r in found["rows"]] == ["tangibles", "reliability", "responsiveness",
                                                 "assurance", "empathy"]
    assert rows["tangibles"] == {"key": "tangibles", "label": "Tangibles", "responses": 2,
                                 "answers": 8, "expectation": 6.5, "perception": 4.0,
                                 "gap": -2.5, "invited": None, "answered": None,
                                 "response_rate": None}
    # Both invitations were answered: the response rate is 1 (none per dimension).
    assert (found["invited"], found["answered"], found["response_rate"]) == (2, 2, 1.0)
    assert rows["reliability"]["gap"] == 0.0 and rows["reliability"]["answers"] == 10
    assert found["gap"] == round(-20 / 44, 3)
    assert found["weighted_gap"] == -0.5  # (-2.5 + 0 + 0 + 0 + 0) / 5
    assert found["weights"] == {d: 20 for d in rows}
    uk = _report(client, tenant, made["id"], language="uk")
    assert uk["rows"][0]["label"] == "Матеріальність"

    items = _report(client, tenant, made["id"], group="item")["rows"]
    assert len(items) == 22 and items[0]["key"] == "q01" and items[0]["gap"] == -2.5
    assert items[0]["label"] == "Up-to-date equipment and tools"
    points = {r["key"]: r for r in _report(client, tenant, made["id"],
                                           group="service_point")["rows"]}
    assert points["Kyiv"]["gap"] == -1.0 and points["Lviv"]["gap"] == round(2 / 22, 3)
    assert points["Kyiv"]["responses"] == 1
    assert (points["Kyiv"]["invited"], points["Kyiv"]["response_rate"]) == (1, 1.0)
    staff = {r["label"]: r for r in _report(client, tenant, made["id"],
                                            group="employee")["rows"]}
    assert staff["Clerk"]["key"] == clerk["id"] and staff["Clerk"]["gap"] == -1.0
    months = _report(client, tenant, made["id"], group="month")["rows"]
    assert months == [{"key": datetime.now(UTC).strftime("%Y-%m"),
                       "label": datetime.now(UTC).strftime("%Y-%m"), "responses": 2,
                       "answers": 44, "expectation": round((22 * 6 + 4 * 7 + 18 * 5) / 44, 3),
                       "perception": round((22 * 5 + 4 * 3 + 18 * 6) / 44, 3),
                       "gap": round(-20 / 44, 3), "invited": 2, "answered": 2,
                       "response_rate": 1.0}]
    # The tenant's points allocation weighs the dimensions.
    r = client.patch(f"{SURVEYS}/{made['id']}", headers=tenant.headers, json={"weights": {
        "tangibles": 40, "reliability": 15, "responsiveness": 15, "assurance": 15,
        "empathy": 15}})
    assert r.status_code == 200, r.text
    assert _report(client, tenant, made["id"])["weighted_gap"] == -1.0


def test_the_period_the_csv_and_bad_parameters(client, tenant):
    made, _ = _answered(client, tenant)
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).date().isoformat()
    empty = _report(client, tenant, made["id"], **{"from": tomorrow, "to": tomorrow})
    assert empty["responses"] == 0 and empty["rows"] == [] and empty["gap"] is None
    r = client.get(f"{SURVEYS}/{made['id']}/report/export", headers=tenant.headers,
                   params={"group": "dimension"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(r.text)))
    assert lines[0] == ["group", "key", "label", "responses", "answers", "expectation",
                        "perception", "gap", "invited", "answered", "response_rate"]
    assert lines[1] == ["dimension", "tangibles", "Tangibles", "2", "8", "6.500", "4.000",
                        "-2.500", "", "", ""]
    assert lines[-1][-3:] == ["2", "2", "1.000"]
    assert lines[-1][0] == "overall" and lines[-1][2] == "weighted SERVQUAL score -0.500"
    as_json = client.get(f"{SURVEYS}/{made['id']}/report/export", headers=tenant.headers,
                         params={"format": "json"})
    assert as_json.status_code == 200 and as_json.json() == lines
    for params, field in (({"from": "2026-05-02", "to": "2026-05-01"}, "to"),
                          ({"from": "yesterday"}, "from")):
        r = client.get(f"{SURVEYS}/{made['id']}/report", headers=tenant.headers, params=params)
        assert r.status_code == 422 and field in r.text, r.text
    r = client.get(f"{SURVEYS}/{made['id']}/report", headers=tenant.headers,
                   params={"group": "weekday"})
    assert r.status_code in (400, 422) and "group" in r.text
