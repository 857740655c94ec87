"""The variables a template reads: the contact (and the salutation declined for the
template's language), the sending member (name, signature), the organization, the
unsubscribe link, and what enabled plugins offer under their own names."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core.communication.models import MemberSignature
from rapport.core.communication.rendering import KERNEL_VARIABLES
from rapport.core.communication.salutation import address
from rapport.core.contacts.models import Contact
from rapport.errors import invalid
from rapport.hooks import TemplateQuery, TenantHooks
from rapport.tenancy.models import Membership, Tenant, User

CONTACT_KEYS = ("given_name", "patronymic", "family_name", "preferred_name", "honorific",
                "display_name", "email", "language", "birthday")
EXAMPLE_UNSUBSCRIBE = "https://example.invalid/unsubscribe"


@dataclass(frozen=True)
class Sender:
    membership_id: uuid.UUID
    user_id: uuid.UUID
    name: str
    email: str
    signature: str

    def variables(self) -> dict[str, str]:
        return {"name": self.name, "email": self.email, "signature": self.signature}


async def sender_of(session: AsyncSession, tenant_id: uuid.UUID,
                    membership_id: uuid.UUID) -> Sender | None:
    row = (await session.execute(
        select(Membership.id, User.id, User.full_name, User.email, MemberSignature.signature)
        .join(User, User.id == Membership.user_id)
        .outerjoin(MemberSignature, (MemberSignature.tenant_id == Membership.tenant_id)
                   & (MemberSignature.membership_id == Membership.id))
        .where(Membership.tenant_id == tenant_id, Membership.id == membership_id)
    )).first()
    if row is None:
        return None
    return Sender(row[0], row[1], row[2], row[3], row[4] or row[2])


async def contact_values(session: AsyncSession, tenant_id: uuid.UUID,
                         contact_id: uuid.UUID) -> dict[str, Any]:
    """A live contact's names, address and custom fields; 422 on ``contact_id`` when it is
    no live contact of the tenant (another tenant's looks exactly like an unknown one)."""
    contact = (await session.execute(select(Contact).where(
        Contact.tenant_id == tenant_id, Contact.id == contact_id, Contact.deleted_at.is_(None)
    ))).scalar_one_or_none()
    if contact is None:
        raise invalid("contact_id", "no such contact")
    values = {k: getattr(contact, k) for k in CONTACT_KEYS}
    values["fields"] = dict(contact.fields or {})
    values["id"] = contact.id
    return values


async def plugin_variables(session: AsyncSession, hooks: TenantHooks, tenant_id: uuid.UUID,
                           contact_id: uuid.UUID | None, language: str) -> dict[str, Any]:
    query = TemplateQuery(tenant_id, session, contact_id, language)
    answers = await hooks.call_each("rapport_template_variables", query=query)
    return {plugin: dict(found) for plugin, found in answers if found}


async def organization_name(session: AsyncSession, tenant_id: uuid.UUID) -> str:
    return str(await session.scalar(select(Tenant.name).where(Tenant.id == tenant_id)) or "")


async def known_names(session: AsyncSession, hooks: TenantHooks, tenant_id: uuid.UUID,
                      language: str) -> set[str]:
    """Every variable a template of this tenant may name."""
    plugins = await plugin_variables(session, hooks, tenant_id, None, language)
    return set(KERNEL_VARIABLES) | set(plugins)


async def variables_for(
    session: AsyncSession,
    hooks: TenantHooks,
    tenant_id: uuid.UUID,
    contact: dict[str, Any],
    sender: Sender | None,
    language: str,
    unsubscribe_url: str = EXAMPLE_UNSUBSCRIBE,
) -> dict[str, Any]:
    greeting = address(contact, language)
    shown = {k: v for k, v in contact.items() if k != "fields"}
    shown["fields"] = {k.removeprefix("custom."): v for k, v in contact["fields"].items()}
    return {
        **await plugin_variables(session, hooks, tenant_id, contact["id"], language),
        "salutation": greeting.greeting,
        "envelope_name": greeting.envelope,
        "contact": shown,
        "member": sender.variables() if sender else {"name": "", "email": "", "signature": ""},
        "organization": {"name": await organization_name(session, tenant_id)},
        "unsubscribe_url": unsubscribe_url,
    }
