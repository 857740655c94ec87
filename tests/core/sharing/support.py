"""What the plugin manager and a vertical will provide once they land, for sharing tests:
sharing rules, two grant-aware plugin tables (created with the SQL the RLS helper emits),
a plugin route that reads another tenant's rows, and an app with the kernel doors mounted."""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import psycopg
from litestar import Controller, Litestar, get
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, SkipValidation
from litestar.testing import TestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from rapport.app import create_app
from rapport.core.audit.controllers import AuditController
from rapport.core.sharing import SharingRule, open_shared_record, require_read, sharing_registry
from rapport.core.sharing.controllers import SharingGrantController
from rapport.db.base import TenantScoped
from rapport.db.rls import SharedRows, tenant_rls_statements
from rapport.tenancy.principal import Principal
from tests.conftest import Database, TenantHandle, add_member, login, make_settings, unique

PATIENT = SharingRule(
    record_type="test.patient",
    read_roles=frozenset({"viewer"}),
    write_roles=frozenset({"member"}),
    sections=("demographics", "notes"),
    cross_tenant=True,
)
LOCAL_ONLY = SharingRule(
    record_type="test.invoice", read_roles=frozenset({"member"}), sections=("lines",)
)
SECRET = SharingRule(
    record_type="test.secret",
    write_roles=frozenset({"clinician"}),
    sections=("all",),
    cross_tenant=True,
)
RULES = sharing_registry([PATIENT, LOCAL_ONLY, SECRET])

PATIENTS = "test_share_patients"
NOTES = "test_share_notes"

TABLES_DDL = (
    f"""CREATE TABLE IF NOT EXISTS {PATIENTS} (
        tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
        id uuid NOT NULL,
        name text NOT NULL,
        PRIMARY KEY (tenant_id, id))""",
    f"""CREATE TABLE IF NOT EXISTS {NOTES} (
        tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
        id uuid NOT NULL,
        patient_id uuid NOT NULL,
        body text NOT NULL,
        PRIMARY KEY (tenant_id, id),
        FOREIGN KEY (tenant_id, patient_id) REFERENCES {PATIENTS} (tenant_id, id)
            ON DELETE CASCADE)""",
    f"CREATE INDEX IF NOT EXISTS ix_{NOTES}_tenant_id_patient_id ON {NOTES} (tenant_id, patient_id)",
    *tenant_rls_statements(PATIENTS, shared=SharedRows("test.patient", "id", "demographics")),
    *tenant_rls_statements(NOTES, shared=SharedRows("test.patient", "patient_id", "notes")),
)


@contextmanager
def shared_tables(database: Database) -> Iterator[None]:
    """The two plugin tables, created by the owner role as a plugin migration would."""
    with database.connect_owner() as conn:
        for statement in TABLES_DDL:
            conn.execute(statement)
    try:
        yield
    finally:
        with database.connect_owner() as conn:
            conn.execute(f"DROP TABLE IF EXISTS {NOTES}, {PATIENTS}")


def as_tenant(conn: psycopg.Connection, tenant_id: object, user_id: object = None) -> None:
    """Enter a tenant's context for the current transaction, as the app's sessions do."""
    conn.execute(
        "SELECT set_config('rapport.tenant_id', %s, true), set_config('rapport.user_id', %s, true)",
        (str(tenant_id) if tenant_id else "", str(user_id) if user_id else ""),
    )


def add_patient(
    database: Database, tenant_id: object, name: str, notes: Sequence[str] = ()
) -> uuid.UUID:
    """A patient with notes in ``tenant_id``, written by the app role in that tenant."""
    patient = uuid.uuid4()
    with database.connect_app() as conn:
        as_tenant(conn, tenant_id)
        conn.execute(
            f"INSERT INTO {PATIENTS} (tenant_id, id, name) VALUES (%s, %s, %s)",
            (tenant_id, patient, name),
        )
        for body in notes:
            conn.execute(
                f"INSERT INTO {NOTES} (tenant_id, id, patient_id, body) VALUES (%s, %s, %s, %s)",
                (tenant_id, uuid.uuid4(), patient, body),
            )
    return patient


class _TestTables(DeclarativeBase):
    """Kept off the kernel's metadata: these tables exist only while the tests run."""


class Note(TenantScoped, _TestTables):
    __tablename__ = NOTES

    patient_id: Mapped[uuid.UUID] = mapped_column()
    body: Mapped[str] = mapped_column()


class SharedNotesRoute(Controller):
    """Stands in for a plugin route serving a patient's notes, its own or another
    tenant's under a grant. Another tenant's rows are read through the Core table: the
    session adds ``tenant_id = <caller>`` to ORM queries of ``TenantScoped`` classes."""

    path = "/api/v1/test-share/tenants/{owner:uuid}/patients/{patient_id:uuid}"

    @get("/notes")
    async def notes(
        self,
        owner: FromPath[uuid.UUID],
        patient_id: FromPath[uuid.UUID],
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
        sharing_rules: NamedDependency[SkipValidation[Mapping[str, SharingRule]]],
    ) -> list[str]:
        rule = sharing_rules[PATIENT.record_type]
        if owner == principal.tenant_id:
            require_read(principal, rule)
        else:
            await open_shared_record(db, principal, rule, owner, patient_id, "notes")
        notes = Note.__table__.c
        rows = await db.execute(
            select(notes.body)
            .where(notes.tenant_id == owner, notes.patient_id == patient_id)
            .order_by(notes.body)
        )
        return [r[0] for r in rows]


def sharing_app(database: Database, extra: Sequence[Any] = ()) -> Litestar:
    """The kernel app plus the sharing and audit doors (unless the kernel mounts them)."""
    app = create_app(
        make_settings(),
        database.app_url,
        extra_routes=extra,
        extra_dependencies={"sharing_rules": Provide(lambda: RULES, sync_to_thread=False)},
    )
    mounted = {route.path for route in app.routes}
    for controller in (SharingGrantController, AuditController):
        if controller.path not in mounted:
            app.register(controller)
    return app


def member_headers(client: TestClient, org: TenantHandle, role: str) -> dict[str, str]:
    """A new member of ``org`` with ``role``, logged in."""
    email = f"{unique(role)}@{org.slug}.example.com"
    password = "member password " + unique()
    add_member(client, org, email, role=role, full_name=f"A {role}", password=password)
    return {"Authorization": f"Bearer {login(client, org.slug, email, password)}"}


def user_id_of(client: TestClient, headers: Mapping[str, str]) -> str:
    return client.get("/api/v1/me", headers=headers).json()["user"]["id"]
