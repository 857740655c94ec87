"""A test app with the workflow doors mounted, two test workflows and a stand-in plugin
router: what the plugin manager and a vertical will provide once they land."""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import pytest
from litestar import Controller, delete, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, SkipValidation
from litestar.testing import TestClient
from sqlalchemy import delete as sql_delete
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.app import create_app
from rapport.core.contacts.models import Contact
from rapport.core.workflows import (
    ANY_STATE,
    Condition,
    State,
    Transition,
    TransitionContext,
    Workflow,
    discard,
    fire,
    start,
    workflow_registry,
)
from rapport.errors import conflict, not_found
from rapport.tenancy.principal import Principal
from tests.conftest import (
    Database,
    TenantHandle,
    add_member,
    login,
    make_settings,
    sign_up,
    unique,
)


async def contact_fields(
    session: AsyncSession, actor: Principal, contact_id: uuid.UUID
) -> Mapping[str, Any] | None:
    """The field snapshot conditions read: a contact's own columns."""
    contact = (
        await session.execute(
            select(Contact).where(Contact.tenant_id == actor.tenant_id, Contact.id == contact_id)
        )
    ).scalar_one_or_none()
    if contact is None:
        return None
    return {"given_name": contact.given_name, "family_name": contact.family_name,
            "email": contact.email}


async def stamp_family_name(ctx: TransitionContext) -> None:
    """An action that writes to the record, then fails when asked to (note "fail")."""
    await ctx.session.execute(
        update(Contact)
        .where(Contact.tenant_id == ctx.principal.tenant_id, Contact.id == ctx.instance.record_id)
        .values(family_name=f"{ctx.from_state}->{ctx.to_state} by {ctx.principal.role}")
    )
    if ctx.note == "fail":
        raise RuntimeError("the action failed")
    if ctx.note == "refuse":
        raise conflict("The action refused the transition")


DEAL = Workflow(
    name="test.deal",
    title="Test pipeline",
    entity="contact",
    states=(
        State("lead", "Lead"),
        State("qualified", "Qualified"),
        State("won", "Won", terminal=True),
        State("lost", "Lost", terminal=True),
    ),
    transitions=(
        Transition("qualify", "Qualify", ("lead",), "qualified",
                   conditions=(Condition("email", "present"),)),
        Transition("win", "Mark won", ("qualified",), "won",
                   roles=frozenset({"owner", "admin"}), actions=(stamp_family_name,)),
        Transition("lose", "Mark lost", (ANY_STATE,), "lost"),
    ),
    initial="lead",
    allow_tenant_stages=True,
    load_fields=contact_fields,
)

ACCESS = Workflow(
    name="test.access",
    title="Access request",
    entity="contact",
    states=(
        State("requested", "Requested"),
        State("approved", "Approved"),
        State("denied", "Denied", terminal=True),
        State("revoked", "Revoked", terminal=True),
    ),
    transitions=(
        Transition("approve", "Approve", ("requested",), "approved",
                   roles=frozenset({"owner", "admin"})),
        Transition("deny", "Deny", ("requested",), "denied", roles=frozenset({"owner", "admin"})),
        Transition("revoke", "Revoke", ("approved",), "revoked"),
    ),
    initial="requested",
)

DEFINITIONS = workflow_registry([DEAL, ACCESS])
Definitions = SkipValidation[Mapping[str, Workflow]]


class ContactPipelineRoutes(Controller):
    """Stands in for a plugin's own router: it starts instances and fires transitions
    through the service, with the field snapshot it computes itself."""

    path = "/api/v1/test-crm/contacts"

    @post("/{contact_id:uuid}/workflows/{workflow:str}", status_code=201)
    async def start_workflow(
        self,
        contact_id: FromPath[uuid.UUID],
        workflow: FromPath[str],
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
        workflow_definitions: NamedDependency[Definitions],
    ) -> dict[str, str]:
        if await contact_fields(db, principal, contact_id) is None:
            raise not_found("Contact")
        wf = workflow_definitions[workflow]
        instance = await start(db, principal, wf, "contact", contact_id)
        return {"state": instance.state}

    @post("/{contact_id:uuid}/transitions/{name:str}", status_code=200)
    async def fire_deal(
        self,
        contact_id: FromPath[uuid.UUID],
        name: FromPath[str],
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
        workflow_definitions: NamedDependency[Definitions],
    ) -> dict[str, str]:
        fields = await contact_fields(db, principal, contact_id)
        if fields is None:
            raise not_found("Contact")
        fired = await fire(db, principal, workflow_definitions, DEAL.name, contact_id, name,
                           note="from the plugin route", record_fields=fields)
        return {"state": fired.instance.state, "transition": fired.entry.transition or ""}

    @delete("/{contact_id:uuid}", status_code=204)
    async def delete_contact(
        self,
        contact_id: FromPath[uuid.UUID],
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
    ) -> None:
        """Deleting a record forgets its workflow instances in the same transaction."""
        await discard(db, principal, contact_id)
        await db.execute(sql_delete(Contact).where(Contact.tenant_id == principal.tenant_id,
                                                   Contact.id == contact_id))


@pytest.fixture(scope="package")
def wf_client(database: Database) -> Iterator[TestClient]:
    app = create_app(
        make_settings(),
        database.app_url,
        extra_routes=[ContactPipelineRoutes],
        extra_dependencies={
            "workflow_definitions": Provide(lambda: DEFINITIONS, sync_to_thread=False)
        },
    )
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
def org(wf_client: TestClient) -> TenantHandle:
    return sign_up(wf_client)


@pytest.fixture
def other_org(wf_client: TestClient) -> TenantHandle:
    return sign_up(wf_client)


def member_headers(client: TestClient, org: TenantHandle, role: str) -> dict[str, str]:
    """A new member of ``org`` with ``role``, logged in."""
    email = f"{unique(role)}@{org.slug}.example.com"
    password = "member password " + unique()
    add_member(client, org, email, role=role, full_name=f"A {role}", password=password)
    return {"Authorization": f"Bearer {login(client, org.slug, email, password)}"}


@dataclass(frozen=True)
class Record:
    """A contact in a workflow, with the URL of its generic workflow door."""

    id: str
    url: str


def new_record(
    client: TestClient, org: TenantHandle, workflow: str = DEAL.name, **contact: str
) -> Record:
    r = client.post("/api/v1/contacts", headers=org.headers,
                    json=contact or {"given_name": "Ada"})
    assert r.status_code == 201, r.text
    contact_id = r.json()["id"]
    r = client.post(f"/api/v1/test-crm/contacts/{contact_id}/workflows/{workflow}",
                    headers=org.headers)
    assert r.status_code == 201, r.text
    return Record(contact_id, f"/api/v1/workflows/{workflow}/records/{contact_id}")
