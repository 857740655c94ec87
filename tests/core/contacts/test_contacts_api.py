"""The first tenant-owned record, through the HTTP API."""

from tests.conftest import member_token


def test_create_read_update_delete(client, tenant):
    h = tenant.headers
    r = client.post(
        "/api/v1/contacts",
        json={"given_name": " Mykola ", "family_name": "Shevchenko", "email": "Mykola@Example.COM"},
        headers=h,
    )
    assert r.status_code == 201
    c = r.json()
    assert c["given_name"] == "Mykola" and c["email"] == "Mykola@example.com"
    assert (
        client.get(f"/api/v1/contacts/{c['id']}", headers=h).json()["family_name"] == "Shevchenko"
    )
    r = client.patch(f"/api/v1/contacts/{c['id']}", json={"family_name": None}, headers=h)
    assert r.status_code == 200
    assert r.json()["family_name"] is None and r.json()["given_name"] == "Mykola"
    assert client.delete(f"/api/v1/contacts/{c['id']}", headers=h).status_code == 204
    assert client.get(f"/api/v1/contacts/{c['id']}", headers=h).status_code == 404


def test_cursor_pages_newest_first_and_stay_correct_during_inserts(client, tenant):
    h = tenant.headers
    ids = [
        client.post("/api/v1/contacts", json={"given_name": f"P{i}"}, headers=h).json()["id"]
        for i in range(7)
    ]
    first = client.get("/api/v1/contacts?limit=3", headers=h).json()
    assert [c["id"] for c in first["items"]] == ids[::-1][:3]
    # A contact inserted between pages must not shift or duplicate the next page.
    client.post("/api/v1/contacts", json={"given_name": "Late"}, headers=h)
    second = client.get(f"/api/v1/contacts?limit=3&cursor={first['next_cursor']}", headers=h).json()
    third = client.get(f"/api/v1/contacts?limit=3&cursor={second['next_cursor']}", headers=h).json()
    assert [c["id"] for c in second["items"]] == ids[::-1][3:6]
    assert [c["id"] for c in third["items"]] == ids[::-1][6:]
    assert third["next_cursor"] is None


def test_duplicate_email_in_one_tenant_is_409_but_fine_across_tenants(client, tenant, other_tenant):
    body = {"given_name": "Same", "email": "same@example.com"}
    assert client.post("/api/v1/contacts", json=body, headers=tenant.headers).status_code == 201
    r = client.post("/api/v1/contacts", json=body, headers=tenant.headers)
    assert r.status_code == 409
    assert (
        client.post("/api/v1/contacts", json=body, headers=other_tenant.headers).status_code == 201
    )


def test_viewer_reads_but_cannot_write(client, tenant):
    token = member_token(
        client, tenant, f"v-{tenant.slug}@example.com", role="viewer", password="viewer password"
    )
    vh = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/contacts", headers=vh).status_code == 200
    assert client.post("/api/v1/contacts", json={"given_name": "No"}, headers=vh).status_code == 403


def test_contact_input_errors(client, tenant):
    h = tenant.headers
    r = client.post("/api/v1/contacts", json={"email": "not an email"}, headers=h)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "email"
    r = client.post("/api/v1/contacts", json={}, headers=h)
    assert r.status_code == 422
    r = client.post("/api/v1/contacts", json={"given_name": "x" * 201}, headers=h)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "given_name"
    assert client.get("/api/v1/contacts?cursor=%%%", headers=h).status_code == 400
    assert client.get("/api/v1/contacts?limit=5000", headers=h).status_code == 422
    assert client.get("/api/v1/contacts/not-a-uuid", headers=h).status_code in (400, 404)
