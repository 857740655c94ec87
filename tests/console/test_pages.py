"""The console over plain HTTP: redirects, CSRF, escaping, languages, and that a page never
shows another tenant's data."""

from __future__ import annotations

import re

from tests.conftest import sign_up
from tests.console.support import form_token, sign_in


def _contact(client, t, **values):
    r = client.post("/api/v1/contacts", json=values, headers=t.headers)
    assert r.status_code == 201, r.text
    return r.json()


def test_root_shows_sign_in_to_a_visitor(client):
    r = client.get("/", follow_redirects=False)
    assert r.status_code in (302, 303)
    assert r.headers["location"].startswith("/sign-in")
    page = client.get("/", follow_redirects=True)
    assert page.status_code == 200
    assert 'action="/sign-in"' in page.text
    assert page.headers["content-type"].startswith("text/html")


def test_pages_ask_for_sign_in_and_come_back(client):
    r = client.get("/contacts?q=olena", follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/sign-in?next=/contacts%3Fq%3Dolena"


def test_htmx_requests_are_redirected_with_a_header(client):
    r = client.get("/contacts", headers={"HX-Request": "true"}, follow_redirects=False)
    assert r.status_code == 200
    assert r.headers["hx-redirect"].startswith("/sign-in")


def test_api_still_answers_json_401(client):
    r = client.get("/api/v1/contacts")
    assert r.status_code == 401
    assert r.headers["content-type"].startswith("application/problem+json")


def test_assets_are_served_under_the_csp(client):
    for asset in ("htmx.min.js", "console.js", "console.css"):
        r = client.get(f"/static/console/{asset}")
        assert r.status_code == 200, asset
    page = client.get("/sign-in")
    assert "<script>" not in page.text and "style=" not in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]


def test_sign_in_then_home(client):
    t = sign_up(client)
    sign_in(client, t)
    home = client.get("/")
    assert "Org " + t.slug in home.text  # the tenant name in the top bar
    assert "My tasks" in home.text


def test_wrong_password_shows_the_form_again(client):
    t = sign_up(client)
    token = form_token(client)
    r = client.post("/sign-in", data={"_csrf": token, "tenant": t.slug,
                                      "email": t.owner_email, "password": "nope nope nope"})
    assert r.status_code == 401
    assert "Invalid organization, email or password" in r.text


def test_public_forms_refuse_a_post_without_the_form_token(client):
    t = sign_up(client)
    r = client.post("/sign-in", data={"tenant": t.slug, "email": t.owner_email,
                                      "password": t.owner_password}, follow_redirects=False)
    assert r.status_code == 400
    assert "rapport_session" not in r.headers.get("set-cookie", "")


def test_signed_in_forms_refuse_a_post_without_csrf(client):
    t = sign_up(client)
    csrf = sign_in(client, t)
    r = client.post("/preferences", data={"language": "uk"}, follow_redirects=False)
    assert r.status_code in (302, 303)  # the middleware refused it: back to sign-in
    assert r.headers["location"].startswith("/sign-in")
    r = client.post("/preferences", data={"language": "uk", "_csrf": "wrong"},
                    follow_redirects=False)
    assert r.headers["location"].startswith("/sign-in")
    ok = client.post("/preferences", data={"language": "uk", "_csrf": csrf},
                     follow_redirects=False)
    assert ok.status_code == 303 and ok.headers["location"] == "/preferences?saved=true"
    assert 'lang="uk"' in client.get("/").text


def test_htmx_sends_csrf_as_a_header(client):
    t = sign_up(client)
    csrf = sign_in(client, t)
    r = client.post("/preferences", data={"language": "ru"},
                    headers={"X-CSRF-Token": csrf, "HX-Request": "true"},
                    follow_redirects=False)
    assert r.headers.get("hx-redirect") == "/preferences?saved=true"


def test_names_are_escaped(client):
    t = sign_up(client)
    evil = '<script>alert(1)</script>'
    c = _contact(client, t, given_name=evil, family_name="O'Brien<b>")
    sign_in(client, t)
    for path in ("/contacts", f"/contacts/{c['id']}", "/"):
        page = client.get(path).text
        assert "<script>alert(1)" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_search_as_you_type_answers_a_fragment(client):
    t = sign_up(client)
    _contact(client, t, given_name="Olena", family_name="Kovalenko")
    _contact(client, t, given_name="Taras", family_name="Shevchenko")
    sign_in(client, t)
    r = client.get("/contacts?q=Kovalneko",
                   headers={"HX-Request": "true", "HX-Target": "contact-results"})
    assert r.status_code == 200
    assert "<html" not in r.text
    assert "Olena Kovalenko" in r.text and "Shevchenko" not in r.text


def test_paging_with_a_cursor(client):
    t = sign_up(client)
    for i in range(30):
        _contact(client, t, given_name=f"Person{i:02d}", family_name="Paged")
    sign_in(client, t)
    first = client.get("/contacts").text
    cursor = re.search(r'cursor=([^"&]+)', first)
    assert cursor, "a 'Show more' button"
    more = client.get(f"/contacts?cursor={cursor.group(1)}", headers={"HX-Request": "true"})
    assert more.status_code == 200 and "<html" not in more.text
    assert more.text.count('class="row"') == 5


def test_a_page_never_shows_another_tenants_data(client):
    a, b = sign_up(client), sign_up(client)
    secret = _contact(client, b, given_name="Secret", family_name="Customer-of-B")
    sign_in(client, a)
    r = client.get(f"/contacts/{secret['id']}")
    assert r.status_code == 404
    assert "Customer-of-B" not in r.text
    assert "Customer-of-B" not in client.get("/contacts?q=Secret").text
    assert "Customer-of-B" not in client.get("/").text
    timeline = client.get(f"/contacts/{secret['id']}/timeline", headers={"HX-Request": "true"})
    assert "Customer-of-B" not in timeline.text


def test_the_customer_page_shows_who_worked_with_the_customer(client):
    t = sign_up(client)
    c = _contact(client, t, given_name="Mykola", family_name="Bondar",
                 email="mykola@example.com", phones=[{"number": "+380441234567"}])
    r = client.post("/api/v1/interactions", json={
        "contact_id": c["id"], "kind": "call", "subject": "Asked about prices",
    }, headers=t.headers)
    assert r.status_code == 201, r.text
    sign_in(client, t)
    page = client.get(f"/contacts/{c['id']}").text
    assert "mykola@example.com" in page and "+380" in page
    assert "Who already worked with this customer" in page
    assert "Olena Owner" in page and "Asked about prices" in page


def test_language_follows_the_browser_then_the_member(client):
    page = client.get("/sign-in", headers={"Accept-Language": "ru-RU,ru;q=0.9,en;q=0.5"})
    assert '<html lang="ru">' in page.text
    assert "Войти" in page.text
    page = client.get("/sign-in", headers={"Accept-Language": "uk"})
    assert "Увійти" in page.text
    assert '<html lang="en">' in client.get("/sign-in").text
