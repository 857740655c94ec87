"""A Python client generated with openapi-python-client from the live document, with zero
warnings, drives a real server on 127.0.0.1: sign up, log in, create, list, patch, delete,
and a refusal read as a problem document."""

from __future__ import annotations

import importlib
import json
import secrets
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import httpx
import pytest

PACKAGE = "rapport_client"
# Raw CSV bodies and the tracking pixel (image/gif: mail clients load it as an image, so
# the document keeps its exact type) go as bytes, and a signed credential (a compact JWT)
# as text: the generator knows none of these media types of its own, and
# content_type_overrides is its way to read them. Nothing else is configured, and no
# post-generation hook (ruff) runs.
CONFIG = {
    "post_hooks": [],
    "package_name_override": PACKAGE,
    "content_type_overrides": {"text/csv": "application/octet-stream",
                               "image/gif": "application/octet-stream",
                               "application/vc+jwt": "text/plain"},
}


@pytest.fixture(scope="module")
def generated(live_server, tmp_path_factory) -> Iterator[ModuleType]:
    root = tmp_path_factory.mktemp("generated")
    document = httpx.get(f"{live_server}/schema/openapi.json", timeout=30).json()
    (root / "openapi.json").write_text(json.dumps(document))
    (root / "config.json").write_text(json.dumps(CONFIG))
    tool = Path(sys.executable).with_name("openapi-python-client")
    run = subprocess.run(
        [str(tool), "generate", "--path", "openapi.json", "--config", "config.json",
         "--meta", "none", "--output-path", PACKAGE, "--fail-on-warning"],
        cwd=root, capture_output=True, text=True, timeout=300, check=False,
    )
    said = run.stdout + run.stderr
    assert run.returncode == 0 and "warning" not in said.lower(), said
    sys.path.insert(0, str(root))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(root))
        for name in [m for m in sys.modules if m == PACKAGE or m.startswith(PACKAGE + ".")]:
            del sys.modules[name]


def test_a_generated_client_signs_up_and_manages_a_contact(generated, live_server):
    from rapport_client import AuthenticatedClient, Client
    from rapport_client.api.account import auth_login, signup_create
    from rapport_client.api.contacts import (
        contacts_create,
        contacts_delete,
        contacts_get,
        contacts_list,
        contacts_update,
    )
    from rapport_client.models import (
        AdminIn,
        ContactIn,
        ContactOut,
        ContactPatch,
        LoginIn,
        Problem,
        SignupIn,
        SignupOrganizationIn,
        SignupOut,
    )

    slug = f"gen-{secrets.token_hex(4)}"
    email, password = f"owner@{slug}.example.com", "generated client passphrase"
    anonymous = Client(base_url=live_server)
    signed_up = signup_create.sync(client=anonymous, body=SignupIn(
        organization=SignupOrganizationIn(name="Generated Ltd", slug=slug),
        admin=AdminIn(email=email, password=password, full_name="Gene Rated"),
    ))
    assert isinstance(signed_up, SignupOut) and signed_up.tenant.slug == slug
    token = auth_login.sync(client=anonymous,
                            body=LoginIn(tenant=slug, email=email, password=password))
    api = AuthenticatedClient(base_url=live_server, token=token.access_token)

    created = contacts_create.sync(client=api, body=ContactIn(
        given_name="Oksana", family_name="Kovalenko", email="oksana@example.com",
    ))
    assert isinstance(created, ContactOut) and created.display_name == "Oksana Kovalenko"
    page = contacts_list.sync(client=api)
    assert [c.id for c in page.items] == [created.id]
    changed = contacts_update.sync(contact_id=created.id, client=api,
                                   body=ContactPatch(family_name="Shevchenko"))
    assert changed.family_name == "Shevchenko"
    assert contacts_delete.sync_detailed(contact_id=created.id, client=api).status_code == 204

    gone = contacts_get.sync(contact_id=created.id, client=api)
    assert isinstance(gone, Problem) and gone.status == 404
    refused = contacts_create.sync(client=api, body=ContactIn(birthday="not a date"))  # type: ignore[arg-type]
    assert isinstance(refused, Problem) and refused.status == 422
    assert [e.field for e in refused.errors] == ["birthday"]
