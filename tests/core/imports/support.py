"""Helpers for import tests: CSV files built in memory, imports over HTTP and through the
CLI's code path, contacts read back over HTTP."""

from __future__ import annotations

import asyncio
import csv
import io
from pathlib import Path
from typing import Any

from litestar.testing import TestClient

from rapport.core.imports.cli import run_cli_import
from rapport.core.imports.runner import ImportOptions, ImportOutcome
from tests.conftest import Database, TenantHandle, member_token

IMPORTS = "/api/v1/imports"
EXPORT = "/api/v1/contacts/export"


def csv_text(header: list[str], *rows: list[str]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def post_csv(
    client: TestClient, t: TenantHandle, body: str | bytes, **params: Any
) -> Any:
    content = body.encode() if isinstance(body, str) else body
    return client.post(
        IMPORTS, content=content, params=params,
        headers={**t.headers, "content-type": "text/csv"},
    )


def imported(client: TestClient, t: TenantHandle, body: str, **params: Any) -> dict[str, Any]:
    r = post_csv(client, t, body, **params)
    assert r.status_code == 201, r.text
    return r.json()


def contacts(client: TestClient, t: TenantHandle, **params: Any) -> list[dict[str, Any]]:
    r = client.get("/api/v1/contacts", params={"limit": 200, **params}, headers=t.headers)
    assert r.status_code == 200, r.text
    return r.json()["items"]


def by_external_id(client: TestClient, t: TenantHandle) -> dict[str, dict[str, Any]]:
    return {c["external_id"]: c for c in contacts(client, t)}


def cli_import(
    database: Database, t: TenantHandle, path: Path, **options: Any
) -> ImportOutcome:
    """What ``rapport import contacts`` runs, in this process (no progress bar)."""
    extra = {k: options.pop(k) for k in ("atomic", "hooks", "workers", "writers") if k in options}
    return asyncio.run(run_cli_import(
        database.app_url, t.slug, path, ImportOptions(**options), show_progress=False, **extra
    ))


def superuser_count(database: Database, table: str, tenant_id: str) -> int:
    with database.connect_superuser() as conn:
        return conn.execute(
            f"SELECT count(*) FROM {table} WHERE tenant_id = %s", (tenant_id,)
        ).fetchone()[0]


def member_headers(client: TestClient, t: TenantHandle, role: str) -> dict[str, str]:
    email = f"{role}-{t.slug}@example.com"
    token = member_token(client, t, email, role=role, password=f"{role} password 1")
    return {"Authorization": f"Bearer {token}"}
