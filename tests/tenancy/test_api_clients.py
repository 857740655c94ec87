"""API clients over HTTP: the client credentials flow, scopes on every route, rotation,
revocation, expiry, audit attribution, and clients kept inside their tenant."""

import base64
import json
import uuid

from litestar.testing import TestClient

from rapport.app import create_app
from tests.conftest import make_settings, member_token, sign_up, unique

TOKEN = "/api/v1/oauth/token"


def _create(client, t, scopes, name="Warehouse sync", headers=None):
    r = client.post("/api/v1/api-clients", json={"name": name, "scopes": scopes},
                    headers=headers or t.headers)
    assert r.status_code == 201, r.text
    return r.json()


def _token(client, client_id, secret, scope=None, *, basic=True):
    form = {"grant_type": "client_credentials"}
    if scope is not None:
        form["scope"] = scope
    headers = {}
    if basic:
        raw = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
        headers["Authorization"] = f"Basic {raw}"
    else:
        form.update(client_id=client_id, client_secret=secret)
    return client.post(TOKEN, data=form, headers=headers)


def _bearer(token):
    return {"Authorization": f"Bearer {token}"}


def test_full_client_credentials_flow(client):
    t = sign_up(client)
    made = _create(client, t, ["contacts:read", "contacts:write"])
    assert made["client_secret"].startswith("rpc_")
    assert made["client_id"] == f"{t.id}.{made['id']}"
    r = _token(client, made["client_id"], made["client_secret"])
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 900
    assert body["scope"] == "contacts:read contacts:write"
    assert r.headers["cache-control"] == "no-store"
    created = client.post("/api/v1/contacts", json={"given_name": "Mykola"},
                          headers=_bearer(body["access_token"]))
    assert created.status_code == 201, created.text
    listed = client.get("/api/v1/contacts", headers=_bearer(body["access_token"]))
    assert listed.status_code == 200
    assert [c["given_name"] for c in listed.json()["items"]] == ["Mykola"]
    # The secret is never shown again.
    one = client.get(f"/api/v1/api-clients/{made['id']}", headers=t.headers).json()
    assert "client_secret" not in one and "client_secret" not in str(
        client.get("/api/v1/api-clients", headers=t.headers).json())


def test_secret_in_the_form_body_works_too_and_both_at_once_is_refused(client):
    t = sign_up(client)
    made = _create(client, t, ["deals:read"])
    r = _token(client, made["client_id"], made["client_secret"], basic=False)
    assert r.status_code == 200, r.text
    raw = base64.b64encode(f"{made['client_id']}:{made['client_secret']}".encode()).decode()
    both = client.post(TOKEN, data={"grant_type": "client_credentials",
                                    "client_secret": made["client_secret"]},
                       headers={"Authorization": f"Basic {raw}"})
    assert both.status_code == 400 and both.json()["error"] == "invalid_request"


def test_read_scope_gets_403_on_a_write_and_on_other_areas(client):
    t = sign_up(client)
    made = _create(client, t, ["contacts:read"])
    token = _token(client, made["client_id"], made["client_secret"]).json()["access_token"]
    write = client.post("/api/v1/contacts", json={"given_name": "No"}, headers=_bearer(token))
    assert write.status_code == 403
    assert "contacts:write" in write.json()["detail"]
    assert client.get("/api/v1/deals", headers=_bearer(token)).status_code == 403
    assert client.get("/api/v1/contacts", headers=_bearer(token)).status_code == 200


def test_a_person_s_own_routes_refuse_a_client(client):
    t = sign_up(client)
    made = _create(client, t, ["contacts:write"])
    token = _token(client, made["client_id"], made["client_secret"]).json()["access_token"]
    for path in ("/api/v1/me", "/api/v1/me/sign-ins", "/api/v1/auth/sessions",
                 "/api/v1/api-clients"):
        r = client.get(path, headers=_bearer(token))
        assert r.status_code == 403, (path, r.text)
        assert "belongs to a person" in r.json()["detail"]


def test_revoked_client_token_is_401_at_once_and_it_gets_no_new_one(client):
    t = sign_up(client)
    made = _create(client, t, ["contacts:read"])
    token = _token(client, made["client_id"], made["client_secret"]).json()["access_token"]
    assert client.get("/api/v1/contacts", headers=_bearer(token)).status_code == 200
    r = client.post(f"/api/v1/api-clients/{made['id']}/revoke", headers=t.headers)
    assert r.status_code == 200 and r.json()["revoked_at"]
    assert client.get("/api/v1/contacts", headers=_bearer(token)).status_code == 401
    again = _token(client, made["client_id"], made["client_secret"])
    assert again.status_code == 401 and again.json()["error"] == "invalid_client"
    assert client.post(f"/api/v1/api-clients/{made['id']}/revoke",
                       headers=t.headers).status_code == 404


def test_rotation_stops_the_old_secret_and_its_tokens(client):
    t = sign_up(client)
    made = _create(client, t, ["contacts:read"])
    old = _token(client, made["client_id"], made["client_secret"]).json()["access_token"]
    r = client.post(f"/api/v1/api-clients/{made['id']}/rotate", headers=t.headers)
    assert r.status_code == 200
    rotated = r.json()
    assert rotated["client_secret"] != made["client_secret"]
    assert rotated["secret_version"] == 2
    assert client.get("/api/v1/contacts", headers=_bearer(old)).status_code == 401
    assert _token(client, made["client_id"], made["client_secret"]).status_code == 401
    new = _token(client, made["client_id"], rotated["client_secret"])
    assert new.status_code == 200
    assert client.get("/api/v1/contacts",
                      headers=_bearer(new.json()["access_token"])).status_code == 200


def test_wrong_secret_and_unknown_client_are_invalid_client_401(client):
    t = sign_up(client)
    made = _create(client, t, ["contacts:read"])
    wrong = _token(client, made["client_id"], "rpc_not-the-secret")
    unknown = _token(client, f"{t.id}.{uuid.uuid4()}", made["client_secret"])
    no_tenant = _token(client, made["id"], made["client_secret"])
    garbage = _token(client, "not-a-uuid", "x")
    for r in (wrong, unknown, no_tenant, garbage):
        assert r.status_code == 401
        assert r.json()["error"] == "invalid_client"
        assert r.headers["www-authenticate"].startswith("Basic")
    assert wrong.json() == unknown.json()


def test_grant_type_and_scope_errors(client):
    t = sign_up(client)
    made = _create(client, t, ["contacts:read"])
    r = client.post(TOKEN, data={"client_id": made["client_id"],
                                 "client_secret": made["client_secret"]})
    assert r.status_code == 400 and r.json()["error"] == "invalid_request"
    r = client.post(TOKEN, data={"grant_type": "password", "client_id": made["client_id"],
                                 "client_secret": made["client_secret"]})
    assert r.status_code == 400 and r.json()["error"] == "unsupported_grant_type"
    r = _token(client, made["client_id"], made["client_secret"], scope="contacts:write")
    assert r.status_code == 400 and r.json()["error"] == "invalid_scope"
    assert "contacts:write" in r.json()["error_description"]
    narrowed = _token(client, made["client_id"], made["client_secret"], scope="contacts:read")
    assert narrowed.json()["scope"] == "contacts:read"


def test_unknown_token_request_parameters_are_ignored(client):
    # RFC 6749 §3.2: the authorization server MUST ignore unrecognized request parameters.
    t = sign_up(client)
    made = _create(client, t, ["contacts:read"])
    r = client.post(TOKEN, data={"grant_type": "client_credentials",
                                 "client_id": made["client_id"],
                                 "client_secret": made["client_secret"],
                                 "resource": "https://elsewhere.example", "nickname": "x"})
    assert r.status_code == 200, r.text
    assert r.json()["scope"] == "contacts:read"


def test_token_errors_are_oauth_json_and_problem_documents_at_once(client):
    # RFC 6749 §5.2 (application/json, error, error_description) for OAuth clients, which
    # send no Accept or application/json; the same body is an RFC 9457 problem document,
    # named application/problem+json to a caller that asks for that.
    t = sign_up(client)
    made = _create(client, t, ["contacts:read"])
    form = {"grant_type": "password", "client_id": made["client_id"],
            "client_secret": made["client_secret"]}
    expected = {
        "type": "https://www.rfc-editor.org/rfc/rfc6749#section-5.2",
        "title": "Token request refused", "status": 400,
        "error": "unsupported_grant_type",
    }
    for accept, media_type in ((None, "application/json"),
                               ("application/json", "application/json"),
                               ("*/*", "application/json"),
                               ("application/problem+json", "application/problem+json")):
        r = client.post(TOKEN, data=form, headers={"Accept": accept} if accept else {})
        assert r.status_code == 400 and r.headers["content-type"] == media_type, accept
        body = r.json()
        assert {k: body[k] for k in expected} == expected
        assert body["detail"] == body["error_description"] and body["error_description"]
        assert r.headers["vary"] == "Accept"
    refused = _token(client, made["client_id"], "rpc_wrong")
    assert refused.headers["content-type"] == "application/json"
    assert refused.json()["status"] == 401 and refused.json()["error"] == "invalid_client"


def test_unknown_scope_is_a_422_naming_it(client):
    t = sign_up(client)
    r = client.post("/api/v1/api-clients", json={"name": "x", "scopes": [
        "contacts:read", "contacts:delete-everything"]}, headers=t.headers)
    assert r.status_code == 422
    assert r.json()["errors"] == [{"field": "scopes[1]",
                                   "message": "unknown scope 'contacts:delete-everything'"}]
    made = _create(client, t, ["contacts:read"])
    r = client.patch(f"/api/v1/api-clients/{made['id']}", json={"scopes": ["nope:read"]},
                     headers=t.headers)
    assert r.status_code == 422 and "nope:read" in r.json()["detail"]


def test_scopes_come_from_the_areas_and_the_plugins_permissions(client):
    t = sign_up(client)
    keys = {s["key"]: s for s in client.get("/api/v1/api-clients/scopes",
                                             headers=t.headers).json()["items"]}
    for key in ("contacts:read", "contacts:write", "deals:read", "deals:write",
                "retail:read", "retail.till", "medical.book"):
        assert key in keys
    assert keys["retail.till"]["area"] == "retail"
    assert not any(k.startswith(("me:", "auth:", "api-clients:")) for k in keys)


def test_patch_changes_name_and_scopes_for_new_tokens(client):
    t = sign_up(client)
    made = _create(client, t, ["contacts:read"])
    r = client.patch(f"/api/v1/api-clients/{made['id']}",
                     json={"name": "Renamed", "scopes": ["deals:read", "contacts:read"]},
                     headers=t.headers)
    assert r.status_code == 200
    assert r.json()["name"] == "Renamed"
    assert r.json()["scopes"] == ["contacts:read", "deals:read"]
    token = _token(client, made["client_id"], made["client_secret"]).json()
    assert token["scope"] == "contacts:read deals:read"


def test_expired_token_is_401(database):
    settings = make_settings(client_token_ttl=-1)
    with TestClient(create_app(settings, database.app_url)) as c:
        t = sign_up(c)
        made = _create(c, t, ["contacts:read"])
        r = _token(c, made["client_id"], made["client_secret"])
        assert r.status_code == 200
        assert c.get("/api/v1/contacts", headers=_bearer(r.json()["access_token"])
                     ).status_code == 401


def test_each_request_of_a_client_is_attributed_to_it(client, capsys):
    """Its writes in the audit log; every request, reads included, in the access log."""
    t = sign_up(client)
    made = _create(client, t, ["contacts:write", "contacts:read"])
    token = _token(client, made["client_id"], made["client_secret"]).json()["access_token"]
    capsys.readouterr()
    contact = client.post("/api/v1/contacts", json={"given_name": "Audited"},
                          headers=_bearer(token)).json()
    assert client.get(f"/api/v1/contacts/{contact['id']}", headers=_bearer(token)).is_success
    lines = [json.loads(x) for x in capsys.readouterr().err.splitlines() if x.startswith("{")]
    requests = [x for x in lines if x.get("event") == "request"]
    assert [(x["method"], x["status"], x.get("api_client"), x.get("tenant_id"))
            for x in requests] == [("POST", 201, made["id"], t.id), ("GET", 200, made["id"], t.id)]
    # A person's request names no client.
    client.get("/api/v1/contacts", headers=t.headers)
    lines = [json.loads(x) for x in capsys.readouterr().err.splitlines() if x.startswith("{")]
    assert [x.get("api_client") for x in lines if x.get("event") == "request"] == [None]
    log = client.get(f"/api/v1/audit?record_type=contact&record_id={contact['id']}",
                     headers=t.headers).json()["items"]
    assert log and log[0]["actor_client_id"] == made["id"]
    assert log[0]["actor_user_id"] is None
    sign_ins = client.get("/api/v1/audit?record_type=sign_in", headers=t.headers).json()
    mine = [e for e in sign_ins["items"] if e["record_id"] == made["id"]]
    assert mine[0]["detail"]["method"] == "client_credentials"
    assert mine[0]["actor_client_id"] == made["id"]


def test_only_owners_and_admins_manage_clients(client):
    t = sign_up(client)
    member = member_token(client, t, f"{unique('m')}@example.com")
    r = client.post("/api/v1/api-clients", json={"name": "x", "scopes": []},
                    headers=_bearer(member))
    assert r.status_code == 403
    assert client.get("/api/v1/api-clients", headers=_bearer(member)).status_code == 403


def test_a_client_of_one_tenant_never_reaches_another(client):
    a, b = sign_up(client), sign_up(client)
    theirs = client.post("/api/v1/contacts", json={"given_name": "Secret"},
                         headers=b.headers).json()
    made = _create(client, a, ["contacts:write"])
    token = _token(client, made["client_id"], made["client_secret"]).json()["access_token"]
    assert client.get(f"/api/v1/contacts/{theirs['id']}",
                      headers=_bearer(token)).status_code == 404
    assert client.get("/api/v1/contacts", headers=_bearer(token)).json()["items"] == []
    switched = client.get("/api/v1/contacts", headers={**_bearer(token),
                          "X-Rapport-Tenant": b.slug})
    assert switched.status_code == 401
    assert client.get("/api/v1/contacts", headers={**_bearer(token),
                      "X-Rapport-Tenant": a.slug}).status_code == 200
    # B's admin cannot see or touch A's client
    assert client.get(f"/api/v1/api-clients/{made['id']}", headers=b.headers).status_code == 404
    assert client.post(f"/api/v1/api-clients/{made['id']}/revoke",
                       headers=b.headers).status_code == 404
    assert client.post(f"/api/v1/api-clients/{made['id']}/rotate",
                       headers=b.headers).status_code == 404
    # A's client presented under B's tenant id is unknown there
    forged = _token(client, f"{b.id}.{made['id']}", made["client_secret"])
    assert forged.status_code == 401 and forged.json()["error"] == "invalid_client"


def test_the_token_endpoint_is_throttled_like_a_login(database):
    settings = make_settings(login_lockout_after=3)
    with TestClient(create_app(settings, database.app_url)) as c:
        t = sign_up(c)
        made = _create(c, t, ["contacts:read"])
        statuses = [_token(c, made["client_id"], "rpc_wrong").status_code for _ in range(4)]
        assert statuses == [401, 401, 401, 429]
        refused = _token(c, made["client_id"], made["client_secret"])
        assert refused.status_code == 429 and int(refused.headers["retry-after"]) > 0
        log = c.get("/api/v1/audit?record_type=sign_in", headers=t.headers).json()["items"]
        reasons = [e["detail"].get("reason") for e in log if e["record_id"] == made["id"]]
        assert reasons == ["secret"] * 3
