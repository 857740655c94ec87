"""Domain events as plugins receive them, and the contexts hooks are called with."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, ClassVar, Final, TypeAlias, TypedDict

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

    from rapport.hooks.registry import PluginRegistry
    from rapport.tenancy.principal import Principal

# ------------------------------------------------------------------ the catalogue
# The kernel's event names and what each payload holds; plugins may emit their own as
# "<plugin>.<what>". A "snapshot" is the record's JSON form, as in its audit entry.

RecordSnapshot: TypeAlias = dict[str, Any]
"""The record as JSON (ids and dates as strings), the same shape as its audit entry."""


class ChangesPayload(TypedDict):
    """``{"changes": {field: [before, after]}}`` for an update."""

    changes: dict[str, list[Any]]


class ContactMergedPayload(TypedDict):
    survivor_id: str
    merged_id: str
    moved: dict[str, int]


class ContactPolicyChangedPayload(TypedDict):
    do_not_contact: bool
    frequency_cap: Any
    changes: dict[str, list[Any]]


class ConsentChangedPayload(TypedDict):
    channel: str
    topic: str | None
    status: str
    current: Any
    source: str | None
    occurred_at: str | None


class ContactsImportedPayload(TypedDict):
    """One committed batch of a contact import (emitted per batch that wrote rows)."""

    import_id: str
    batch: int
    created: int
    updated: int


class DealStageChangedPayload(TypedDict):
    from_stage: str | None
    to_stage: str
    transition: str


class ModulePayload(TypedDict):
    module: str


class TaskReminderDuePayload(TypedDict):
    title: str
    remind_at: datetime | None
    due_at: datetime | None
    assignee_id: uuid.UUID | None
    recipient_id: uuid.UUID | None
    recipient_user_id: uuid.UUID | None
    notification_id: uuid.UUID | None
    contact_id: uuid.UUID | None
    deal_id: uuid.UUID | None


class TrashPayload(TypedDict):
    """A record restored from the trash or purged from it: when and by whom (a user id)
    it had been deleted, and for a purge whether the worker did it (``expired``)."""

    deleted_at: str | None
    deleted_by: str | None
    expired: bool


CONTACT_CREATED: Final = "contact.created"  # RecordSnapshot
CONTACT_UPDATED: Final = "contact.updated"  # ChangesPayload
CONTACT_DELETED: Final = "contact.deleted"  # RecordSnapshot (before deletion)
CONTACT_MERGED: Final = "contact.merged"  # ContactMergedPayload
CONTACT_POLICY_CHANGED: Final = "contact.policy_changed"  # ContactPolicyChangedPayload
CONTACTS_IMPORTED: Final = "contacts.imported"  # ContactsImportedPayload
CONSENT_CHANGED: Final = "consent.changed"  # ConsentChangedPayload
INTERACTION_LOGGED: Final = "interaction.logged"  # RecordSnapshot
TRANSACTION_RECORDED: Final = "transaction.recorded"  # RecordSnapshot
DEAL_CREATED: Final = "deal.created"  # RecordSnapshot
DEAL_UPDATED: Final = "deal.updated"  # ChangesPayload
DEAL_STAGE_CHANGED: Final = "deal.stage_changed"  # DealStageChangedPayload
DEAL_DELETED: Final = "deal.deleted"  # RecordSnapshot (before deletion)
TASK_CREATED: Final = "task.created"  # RecordSnapshot
TASK_UPDATED: Final = "task.updated"  # ChangesPayload
TASK_COMPLETED: Final = "task.completed"  # ChangesPayload
TASK_DELETED: Final = "task.deleted"  # RecordSnapshot (before deletion)
# A task's reminder time came (emitted once per armed reminder by the worker, actor None).
TASK_REMINDER_DUE: Final = "task.reminder_due"  # TaskReminderDuePayload
# Deleting moves a contact, deal or organization to the trash (``*.deleted`` as before);
# these follow when it comes back or is removed for good.
CONTACT_RESTORED: Final = "contact.restored"  # TrashPayload
CONTACT_PURGED: Final = "contact.purged"  # TrashPayload
DEAL_RESTORED: Final = "deal.restored"  # TrashPayload
DEAL_PURGED: Final = "deal.purged"  # TrashPayload
ORGANIZATION_RESTORED: Final = "organization.restored"  # TrashPayload
ORGANIZATION_PURGED: Final = "organization.purged"  # TrashPayload
MODULE_ENABLED: Final = "module.enabled"  # ModulePayload
MODULE_DISABLED: Final = "module.disabled"  # ModulePayload

EVENT_PAYLOADS: Mapping[str, object] = MappingProxyType({
    CONTACT_CREATED: RecordSnapshot,
    CONTACT_UPDATED: ChangesPayload,
    CONTACT_DELETED: RecordSnapshot,
    CONTACT_MERGED: ContactMergedPayload,
    CONTACT_POLICY_CHANGED: ContactPolicyChangedPayload,
    CONTACTS_IMPORTED: ContactsImportedPayload,
    CONSENT_CHANGED: ConsentChangedPayload,
    INTERACTION_LOGGED: RecordSnapshot,
    TRANSACTION_RECORDED: RecordSnapshot,
    DEAL_CREATED: RecordSnapshot,
    DEAL_UPDATED: ChangesPayload,
    DEAL_STAGE_CHANGED: DealStageChangedPayload,
    DEAL_DELETED: RecordSnapshot,
    TASK_CREATED: RecordSnapshot,
    TASK_UPDATED: ChangesPayload,
    TASK_COMPLETED: ChangesPayload,
    TASK_DELETED: RecordSnapshot,
    TASK_REMINDER_DUE: TaskReminderDuePayload,
    CONTACT_RESTORED: TrashPayload,
    CONTACT_PURGED: TrashPayload,
    DEAL_RESTORED: TrashPayload,
    DEAL_PURGED: TrashPayload,
    ORGANIZATION_RESTORED: TrashPayload,
    ORGANIZATION_PURGED: TrashPayload,
    MODULE_ENABLED: ModulePayload,
    MODULE_DISABLED: ModulePayload,
})
"""Every kernel event and the type of its ``payload`` (docs/plugins.md lists the same)."""


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
    session: AsyncSession
    actor: Principal | None = None
    id: uuid.UUID | None = None
    occurred_at: datetime | None = None


# The claimed events by their keys, in one walk of the primary key: a claim is a run of
# consecutive ids of one tenant, so the index scan over ``= ANY`` reads them leaf after
# leaf (one descent, ~220 buffers for 2,000 events) where a look-up per id descended the
# index 2,000 times (~10,000 buffers, three times the time). ``position`` is the outbox
# order, the ids' own.
EVENT_ROWS: Final = (
    "(SELECT row_number() OVER (ORDER BY o.id) AS position, o.id, o.record_type,"
    " o.record_id, o.payload, o.created_at AS occurred_at FROM event_outbox o"
    " WHERE o.tenant_id = CAST(:rapport_event_tenant AS uuid)"
    " AND o.id = ANY(CAST(:rapport_event_ids AS uuid[])))"
)


@dataclass(frozen=True)
class CommittedEvents:
    """A batch of committed events of one name and tenant, claimed by the outbox worker,
    handed over as rows in SQL rather than decoded objects (``rapport_event_rows_committed``).

    ``relation`` is a parenthesised SELECT to use in a FROM clause (with an alias) of a
    statement run in ``session``, with ``params`` among its bound parameters; its columns:
    ``position`` (bigint, 1 … ``count`` in outbox order), ``id``, ``record_type``,
    ``record_id``, ``payload`` (jsonb) and ``occurred_at``. The payloads stay in the database:
    one statement can read, price and write a whole batch. ``events()`` loads the same
    events as ``DomainEvent``s, in order, for a consumer that wants them in Python.
    """

    name: str
    tenant_id: uuid.UUID
    session: AsyncSession
    ids: str
    """The events' ids as a PostgreSQL array literal, in outbox order."""
    count: int
    load: Callable[[CommittedEvents], Awaitable[list[DomainEvent]]] = field(repr=False)

    relation: ClassVar[str] = EVENT_ROWS

    @property
    def params(self) -> dict[str, Any]:
        return {"rapport_event_ids": self.ids, "rapport_event_tenant": self.tenant_id}

    async def events(self) -> list[DomainEvent]:
        return await self.load(self)


@dataclass(frozen=True)
class TimelineQuery:
    """Asks each enabled plugin for its entries on one contact's timeline."""

    tenant_id: uuid.UUID
    contact_id: uuid.UUID
    session: AsyncSession
    actor: Principal | None
    before: datetime | None = None
    limit: int = 50


# Prebuilt section expressions take the contact through these two parameters (build them
# once, e.g. with functools.cache); the view binds their values for every section at once.
SUMMARY_TENANT = "summary_tenant_id"
SUMMARY_CONTACT = "summary_contact_id"


def summary_parameters() -> tuple[Any, Any]:
    """``(tenant_id, contact_id)`` bind parameters for a prebuilt section expression."""
    from sqlalchemy import Uuid, bindparam

    return bindparam(SUMMARY_TENANT, type_=Uuid()), bindparam(SUMMARY_CONTACT, type_=Uuid())


@dataclass(frozen=True)
class SummarySection:
    """A contact-view section answered as one SQL expression: ``expression`` (a scalar
    subquery, typically yielding JSON) is selected together with every other area's, and
    ``shape`` turns its value into the section's dict. See :meth:`ContactSummaryQuery.later`.
    """

    expression: Any
    shape: Callable[[Any], dict[str, Any]]


@dataclass(frozen=True)
class ContactSummaryQuery:
    """Asks each area and enabled plugin for its section of one contact's view."""

    tenant_id: uuid.UUID
    contact_id: uuid.UUID
    session: AsyncSession
    actor: Principal | None

    @property
    def parameters(self) -> dict[str, uuid.UUID]:
        """Values of :func:`summary_parameters` for this contact."""
        return {SUMMARY_TENANT: self.tenant_id, SUMMARY_CONTACT: self.contact_id}

    def later(self, expression: Any, shape: Callable[[Any], dict[str, Any]]) -> SummarySection:
        """Answer with one SQL expression instead of a query of one's own: the view asks
        every answer given this way in a single statement (one round trip for all areas,
        not one each) and calls ``shape`` with the expression's value. Return the result
        from the hook."""
        return SummarySection(expression, shape)


def summary_expressions(answers: list[tuple[str, Any]]) -> list[Any]:
    """The SQL expressions among ``rapport_contact_summary`` answers, in their order."""
    return [a.expression for _, a in answers if isinstance(a, SummarySection)]


def shape_summaries(
    answers: list[tuple[str, Any]], values: Sequence[Any]
) -> list[tuple[str, dict[str, Any]]]:
    """The answers as dicts, in their order: ``values`` are the selected values of
    :func:`summary_expressions`, each shaped by its plugin (a failure names it)."""
    from rapport.hooks.registry import PluginHookError

    selected = iter(values)
    shaped: list[tuple[str, dict[str, Any]]] = []
    for name, answer in answers:
        if not isinstance(answer, SummarySection):
            shaped.append((name, dict(answer)))
            continue
        value = next(selected)
        try:
            shaped.append((name, answer.shape(value)))
        except Exception as exc:
            raise PluginHookError(name, "rapport_contact_summary", exc) from exc
    return shaped


async def resolve_summaries(
    query: ContactSummaryQuery, answers: list[tuple[str, Any]]
) -> list[tuple[str, dict[str, Any]]]:
    """``rapport_contact_summary`` answers as dicts: those given as SQL expressions are
    selected in one statement."""
    from sqlalchemy import select

    expressions = summary_expressions(answers)
    values: Sequence[Any] = ()
    if expressions:
        values = (await query.session.execute(select(*expressions), query.parameters)).one()
    return shape_summaries(answers, values)


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
    session: AsyncSession
    actor: Principal | None = None
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


@dataclass(frozen=True)
class PeriodicWork:
    """One pass of ``rapport worker``, offered to every kernel area and loaded plugin.

    ``sessions`` opens tenant transactions (``tenant_session(sessions, tenant_id)``);
    ``registry`` gives a tenant's hooks (``registry.for_tenant(enabled)``) — a plugin acts
    only for tenants that enabled it. Do at most ``batch`` items for at most
    ``max_tenants`` tenants per pass: the worker calls again soon.
    """

    sessions: async_sessionmaker[AsyncSession]
    registry: PluginRegistry
    batch: int = 200
    max_tenants: int = 100
