from tests.conftest import TenantHandle


def test_signup_login_me(client, tenant: TenantHandle):
    r = client.get("/api/v1/me", headers=tenant.headers)
    assert r.status_code == 200, r.text
    assert r.json()["role"] == "owner"
    r = client.post("/api/v1/contacts", json={"given_name": "Ivan", "email": "ivan@example.com"}, headers=tenant.headers)
    assert r.status_code == 201, r.text
    r = client.get("/api/v1/contacts", headers=tenant.headers)
    assert r.json()["items"][0]["given_name"] == "Ivan"
    r = client.post("/api/v1/contacts", content=b"{bad", headers={**tenant.headers, "content-type": "application/json"})
    print(r.status_code, r.text)
    r = client.post("/api/v1/contacts", json={"given_name": 5}, headers=tenant.headers)
    print(r.status_code, r.text)
    r = client.post("/api/v1/signup", json={"organization": {"name": 1}, "admin": {}})
    print(r.status_code, r.text)
    r = client.post("/api/v1/contacts", content=b"x" * 2_000_000, headers={**tenant.headers, "content-type": "application/json"})
    print(r.status_code, r.text)
    r = client.get("/api/v1/contacts?limit=0", headers=tenant.headers)
    print(r.status_code, r.text)
    r = client.get("/readyz")
    print(r.status_code, r.text)
