"""Several pipelines and custom deal fields in the console, over plain HTTP: the pipelines
settings (add, rename, reorder, delete — refused with the count while deals are in one),
each pipeline's stages, the board and list switcher, a deal created in a pipeline and moved
to another from its page, deal forms with custom fields, boards grouped by a deal field."""

from __future__ import annotations

import re

import pytest

from tests.conftest import sign_up
from tests.console.support import sign_in

S = "/settings/pipelines"


def _pipelines(client, t) -> list[dict]:
    return client.get("/api/v1/pipelines", headers=t.headers).json()["items"]


@pytest.fixture(scope="module")
def org(client):
    return sign_up(client)


def test_pipeline_settings_add_rename_reorder_delete(client, org):
    t = org
    csrf = sign_in(client, t)
    r = client.post(S, data={"_csrf": csrf, "new_pipeline": "Renewals"},
                    follow_redirects=False)
    assert r.status_code == 303 and "done=pipeline_added" in r.headers["location"]
    renewals = next(p for p in _pipelines(client, t) if p["key"] == "renewals")
    page = client.get(S).text
    assert "Deal pipelines" in page and f'name="pipeline.{renewals["id"]}"' in page
    # Its own stages form, under its own workflow.
    assert 'action="/settings/pipelines/deals.pipeline.renewals"' in page
    r = client.post(f"{S}/deals.pipeline.renewals",
                    data={"_csrf": csrf, "new_key": "quoted", "new_label": "Quoted"})
    assert r.status_code == 200 and "Stage added." in r.text
    assert "quoted" in [s["key"] for s in renewals["stages"]] + [
        s["key"] for p in _pipelines(client, t) if p["key"] == "renewals" for s in p["stages"]]
    default = next(p for p in _pipelines(client, t) if p["is_default"])
    assert "quoted" not in [s["key"] for s in default["stages"]]

    # Rename and move up.
    r = client.post(S, data={"_csrf": csrf, f"pipeline.{renewals['id']}": "Renewals 2027"})
    assert r.status_code == 200 and "Pipelines saved." in r.text
    r = client.post(S, data={"_csrf": csrf, "move": f"{renewals['id']}:up"})
    assert r.status_code == 200 and "Pipeline moved." in r.text
    assert [p["label"] for p in _pipelines(client, t)] == ["Renewals 2027", "Sales pipeline"]

    # A pipeline with a deal is not deleted: the count is said; the default one has no button.
    client.post("/api/v1/deals", json={"title": "Licence", "pipeline": "renewals"},
                headers=t.headers)
    r = client.post(S, data={"_csrf": csrf, "delete": renewals["id"]})
    assert r.status_code == 409 and "still has deals (1)" in r.text
    assert f'name="delete" value="{default["id"]}"' not in client.get(S).text
    r = client.post(S, data={"_csrf": csrf, "delete": default["id"]})
    assert r.status_code == 409 and "cannot be" in r.text


def test_switcher_new_deal_and_move_between_pipelines(client, org):
    t = org
    csrf = sign_in(client, t)
    if not any(p["key"] == "partners" for p in _pipelines(client, t)):
        client.post("/api/v1/pipelines", json={"label": "Partners", "key": "partners"},
                    headers=t.headers)
    board = client.get("/deals?pipeline=partners").text
    assert 'class="subnav pipeline-switcher"' in board
    assert re.search(r'href="/deals\?pipeline=partners" aria-current="page"', board)
    assert 'href="/deals/new?pipeline=partners"' in board

    # A new deal in the pipeline the board showed.
    form = client.get("/deals/new?pipeline=partners").text
    assert re.search(r'<option value="partners" selected>Partners</option>', form)
    r = client.post("/deals/new", data={"_csrf": csrf, "title": "Reseller deal",
                                        "pipeline": "partners"}, follow_redirects=False)
    assert r.status_code == 303, r.text
    deal_id = r.headers["location"].rsplit("/", 1)[1]
    assert "Reseller deal" in client.get("/deals?pipeline=partners").text
    assert "Reseller deal" not in client.get("/deals?pipeline=default").text
    assert "Reseller deal" in client.get("/deals/list?pipeline=partners").text
    assert "Reseller deal" not in client.get("/deals/list?pipeline=default").text

    # Moved to another pipeline from the deal's page, into a chosen stage.
    page = client.get(f"/deals/{deal_id}").text
    assert "Move to another pipeline…" in page and 'value="default:proposal"' in page
    r = client.post(f"/deals/{deal_id}/pipeline", data={"_csrf": csrf, "target": "default:won"})
    assert r.status_code == 409 and "amount" in r.text
    r = client.post(f"/deals/{deal_id}/pipeline",
                    data={"_csrf": csrf, "target": "default:proposal"}, follow_redirects=False)
    assert r.status_code == 303
    got = client.get(f"/api/v1/deals/{deal_id}", headers=t.headers).json()
    assert got["pipeline"] == "default" and got["stage"]["key"] == "proposal"
    assert "Reseller deal" in client.get("/deals?pipeline=default").text


def test_deal_forms_and_boards_with_custom_fields(client, org):
    t = org
    csrf = sign_in(client, t)
    r = client.post("/settings/fields", data={
        "_csrf": csrf, "key": "region", "label": "Region", "entity": "deal", "type": "enum",
        "options": "north, south"}, follow_redirects=False)
    assert r.status_code in (200, 303), r.text
    client.post("/api/v1/fields", headers=t.headers, json={
        "key": "seats", "entity": "deal", "type": "integer", "label": "Seats"})
    assert ">Deals</option>" in client.get("/settings/fields").text

    form = client.get("/deals/new").text
    assert 'name="fields.custom.region"' in form and 'name="fields.custom.seats"' in form
    r = client.post("/deals/new", data={"_csrf": csrf, "title": "Fleet",
                                        "fields.custom.seats": "many"})
    assert r.status_code == 422 and 'id="f-fields-custom-seats-error"' in r.text
    r = client.post("/deals/new", data={"_csrf": csrf, "title": "Fleet",
                                        "fields.custom.region": "north",
                                        "fields.custom.seats": "12"}, follow_redirects=False)
    assert r.status_code == 303, r.text
    deal_id = r.headers["location"].rsplit("/", 1)[1]
    got = client.get(f"/api/v1/deals/{deal_id}", headers=t.headers).json()
    assert got["fields"] == {"custom.region": "north", "custom.seats": 12}
    page = client.get(f"/deals/{deal_id}").text
    assert "<dt>Region</dt><dd>north</dd>" in page and "<dt>Seats</dt><dd>12</dd>" in page

    # Edit clears an emptied field and keeps the rest.
    r = client.post(f"/deals/{deal_id}/edit", data={
        "_csrf": csrf, "title": "Fleet", "fields.custom.region": "south",
        "fields.custom.seats": ""}, follow_redirects=False)
    assert r.status_code == 303, r.text
    got = client.get(f"/api/v1/deals/{deal_id}", headers=t.headers).json()
    assert got["fields"] == {"custom.region": "south"}

    # The board groups deals by the field; "Move to…" writes it through the PATCH service.
    board = client.get("/boards/deals?by=custom.region")
    assert board.status_code == 200 and "Fleet" in board.text
    assert 'value="custom.region"' in board.text
    r = client.post(f"/boards/deals/{deal_id}/move",
                    data={"_csrf": csrf, "by": "custom.region", "value": "north"},
                    follow_redirects=False)
    assert r.status_code == 303, r.text
    got = client.get(f"/api/v1/deals/{deal_id}", headers=t.headers).json()
    assert got["fields"] == {"custom.region": "north"}
