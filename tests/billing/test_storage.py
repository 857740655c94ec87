"""Storage against the plan's ``storage_mb``: a tenant's stored files count byte for byte,
in ``GET /api/v1/billing``, the console's plan page and ``rapport billing status``."""

from __future__ import annotations

import base64
import os
import re

from click.testing import CliRunner

from rapport.core.billing.cli import billing_group
from rapport.db.urls import libpq_url
from tests.billing.conftest import billing
from tests.billing.test_limits_more import _patient
from tests.console.support import sign_in
from tests.plugins.medical.support import clinic


def _storage(client, t) -> dict:
    return next(lim for lim in billing(client, t)["limits"] if lim["name"] == "storage_mb")


def test_documents_count_toward_storage(client, other_tenant, stripe_fake, database,
                                        monkeypatch):
    monkeypatch.delenv("RAPPORT_STRIPE_SECRET_KEY", raising=False)  # enable medical freely
    c = clinic(client, roles=("clinician",))
    tenant = c.tenant
    patient = _patient(client, tenant)
    before = _storage(client, tenant)
    assert before["limit"] is None and isinstance(before["used"], int)
    others = _storage(client, other_tenant)["used"]
    # Random bytes: PostgreSQL cannot compress them, yet the logical size is what counts.
    for n in range(4):
        content = base64.b64encode(os.urandom(700_000)).decode()
        r = client.post(f"/api/v1/medical/patients/{patient['id']}/documents",
                        headers=c.as_("clinician"), json={"title": f"Scan {n}",
                                                      "content_type": "image/png",
                                                      "content": content})
        assert r.status_code == 201, r.text
    monkeypatch.setenv("RAPPORT_STRIPE_SECRET_KEY", "sk_test_fake")  # the Free plan's limit
    measured = _storage(client, tenant)
    after = measured["used"]
    assert measured["limit"] == 500
    assert after - before["used"] >= 2  # 2.8 MB of files, rounded to whole megabytes
    assert _storage(client, other_tenant)["used"] == others  # one tenant's files only

    # The rows' share is an estimate from PostgreSQL's statistics, which autovacuum may
    # refresh between two reads (and signing in adds rows): what the page and the CLI show
    # is checked against API reads taken just before and after them.
    csrf = sign_in(client, tenant)
    assert csrf
    around = _storage(client, tenant)["used"]
    page = client.get("/billing")
    assert page.status_code == 200, page.text
    shown = re.search(r"Storage, MB</th>\s*<td>(\d+)</td>", page.text)
    assert shown, page.text
    _between(int(shown[1]), around, _storage(client, tenant)["used"])

    monkeypatch.setenv("RAPPORT_DATABASE_URL", libpq_url(database.owner_url))
    monkeypatch.setenv("RAPPORT_APP_DATABASE_URL", libpq_url(database.app_url))
    around = _storage(client, tenant)["used"]
    r = CliRunner().invoke(billing_group, ["status", "--tenant", tenant.slug])
    assert r.exit_code == 0, r.output
    printed = re.search(r"storage_mb: (\d+) of 500", r.output)
    assert printed, r.output
    _between(int(printed[1]), around, _storage(client, tenant)["used"])
    assert int(printed[1]) - before["used"] >= 2


def _between(shown: int, first: int, then: int) -> None:
    assert min(first, then) <= shown <= max(first, then)
