"""OPTIONS, HEAD and 405 on every path of the live document, signed in and not: OPTIONS
answers 204 with the path's real methods and never runs a guard, HEAD answers what GET
answers without the body, and a 405 lists what is allowed. New paths are covered by
themselves: the test walks /schema/openapi.json."""

from __future__ import annotations

import re
import uuid

import httpx
import pytest

from tests.conftest import sign_up

METHODS = ("get", "put", "post", "delete", "patch")


def _operations(document: dict) -> dict[str, set[str]]:
    return {
        path: {m.upper() for m in item if m in METHODS} for path, item in document["paths"].items()
    }


def _concrete(document: dict, path: str) -> str:
    """The path with a value of each parameter's type (an unknown id: 404 where it matters)."""
    kinds = {
        p["name"]: p.get("schema", {}).get("format")
        for op in document["paths"][path].values()
        if isinstance(op, dict)
        for p in op.get("parameters", [])
        if p["in"] == "path"
    }

    def value(match: re.Match[str]) -> str:
        return str(uuid.uuid4()) if kinds.get(match[1]) == "uuid" else "no-such-thing"

    return re.sub(r"\{([^}/]+)\}", value, path)


def _allow(documented: set[str]) -> set[str]:
    return documented | {"OPTIONS"} | ({"HEAD"} if "GET" in documented else set())


@pytest.fixture(scope="module")
def document(client) -> dict:
    return client.get("/schema/openapi.json").json()


@pytest.fixture(scope="module")
def owner(client):
    """An owner whose organization has every installed module on, so plugin paths answer."""
    t = sign_up(client)
    modules = client.get("/api/v1/modules", headers=t.headers).json()["items"]
    for module in modules:
        if not module.get("error"):
            r = client.put(
                f"/api/v1/modules/{module['name']}?with_requirements=true", headers=t.headers
            )
            assert r.status_code in (200, 204), r.text
    assert any(m["name"] == "medical" for m in modules)
    return t


@pytest.fixture(params=["anonymous", "owner"])
def headers(request, owner) -> dict[str, str]:
    return {} if request.param == "anonymous" else owner.headers


def _allowed(response) -> set[str]:
    return {m.strip() for m in response.headers["allow"].split(",")}


def test_options_lists_every_method_of_every_path(client, document, headers):
    wrong = {}
    for path, documented in _operations(document).items():
        r = client.options(_concrete(document, path), headers=headers)
        if r.status_code != 204 or _allowed(r) != _allow(documented):
            wrong[path] = (r.status_code, r.headers.get("allow"), sorted(_allow(documented)))
    assert wrong == {}


def test_contacts_options_advertises_the_list_and_the_create(client):
    r = client.options("/api/v1/contacts")
    assert r.status_code == 204
    assert r.headers["allow"] == "GET, HEAD, OPTIONS, POST"


def test_a_plugins_paths_answer_options_without_a_token(client):
    # The module guard used to ask an anonymous request for its principal: 500.
    r = client.options("/api/v1/medical/patients")
    assert r.status_code == 204 and "GET" in _allowed(r)


def test_head_answers_as_get_without_the_body(client, document, headers):
    wrong, answered = {}, 0
    for path, documented in _operations(document).items():
        if "GET" not in documented:
            continue
        url = _concrete(document, path)
        get, head = client.get(url, headers=headers), client.head(url, headers=headers)
        answered += get.status_code == 200
        same = (
            head.status_code == get.status_code
            and head.content == b""
            and head.headers.get("content-type") == get.headers.get("content-type")
        )
        if not same or get.status_code >= 500:
            wrong[path] = (get.status_code, head.status_code, len(head.content))
    assert wrong == {}
    # Signed in, the lists (kernel's and plugins') answer 200: HEAD was tried on real pages.
    assert answered > (25 if headers else 0), answered


def test_head_keeps_gets_length(client, document):
    head = client.head("/schema/openapi.json")
    assert head.status_code == 200 and head.content == b""
    assert int(head.headers["content-length"]) == len(client.get("/schema/openapi.json").content)


def test_a_method_a_path_lacks_is_a_405_listing_what_is_allowed(client, document, headers):
    wrong = {}
    for path, documented in _operations(document).items():
        missing = next((m for m in ("PATCH", "PUT", "DELETE", "POST") if m not in documented), None)
        if missing is None:
            continue
        r = client.request(missing, _concrete(document, path), headers=headers)
        if r.status_code != 405 or _allowed(r) != _allow(documented):
            wrong[path] = (missing, r.status_code, r.headers.get("allow"))
    assert wrong == {}
    r = client.put("/api/v1/contacts")
    assert r.status_code == 405 and r.headers["content-type"].startswith("application/problem+json")


def test_head_through_a_real_server(live_server):
    # uvicorn must still know the request was HEAD: GET's Content-Length, no body, no error.
    with httpx.Client(base_url=live_server) as http:
        document = http.get("/schema/openapi.json")
        head = http.head("/schema/openapi.json")
        assert head.status_code == 200 and head.content == b""
        assert head.headers["content-length"] == str(len(document.content))
        assert http.head("/api/v1/contacts").status_code == 401
        assert http.get("/healthz").status_code == 200  # the connection is still sound
