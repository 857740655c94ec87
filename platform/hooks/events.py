"""Domain events as plugins receive them, and the contexts hooks are called with."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

# The kernel's event names; plugins may emit their own as "<plugin>.<what>".
CONTACT_CREATED = "contact.created"
CONTACT_UPDATED = "contact.updated"
CONTACT_DELETED = "contact.deleted"
CONTACT_MERGED = "contact.merged"
INTERACTION_LOGGED = "interaction.logged"
TRANSACTION_RECORDED = "transaction.recorded"
MODULE_ENABLED = "module.enabled"
MODULE_DISABLED = "module.disabled"
# A task's reminder time came (emitted once per armed reminder by the worker, actor None).
TASK_REMINDER_DUE = "task.reminder_due"


@dataclass(frozen=True)
class DomainEvent:
    """Something that happened in one tenant.

    ``session`` is the request's open transaction: a handler's writes commit or roll
    back with the change that caused the event. ``actor`` is the Principal (or None for
    system work).
    """

    name: str
    tenant_id: uuid.UUID
    record_type: str
    record_id: uuid.UUID | None
    payload: dict[str, Any]
    session: Any
    actor: Any = None
    id: uuid.UUID | None = None
    occurred_at: datetime | None = None


@dataclass(frozen=True)
class TimelineQuery:
    """Asks each enabled plugin for its entries on one contact's timeline."""

    tenant_id: uuid.UUID
    contact_id: uuid.UUID
    session: Any
    actor: Any
    before: datetime | None = None
    limit: int = 50


@dataclass(frozen=True)
class ContactSummaryQuery:
    """Asks each area and enabled plugin for its section of one contact's view."""

    tenant_id: uuid.UUID
    contact_id: uuid.UUID
    session: Any
    actor: Any


@dataclass(frozen=True)
class TimelineEntry:
    """One line on a person's timeline, whatever record it comes from."""

    at: datetime
    kind: str
    title: str
    record_type: str
    record_id: uuid.UUID
    summary: str = ""
    source: str = ""
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class TenantContext:
    """The tenant a hook works for: its id, its open transaction, who asked, its settings."""

    tenant_id: uuid.UUID
    session: Any
    actor: Any = None
    settings: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Permission:
    key: str
    description: str


@dataclass(frozen=True)
class RoleDefinition:
    """A role a plugin adds to the tenant's role list (e.g. medical's ``clinician``)."""

    name: str
    label: str
    permissions: tuple[str, ...] = ()
    # Which kernel role's rights on kernel records it carries: member (write) or viewer.
    kernel_role: str = "member"
