"""The public plugin API: the only part of ``rapport`` a plugin imports.

``from rapport.sdk import hookimpl, PluginManifest, Workflow, audit, emit, …`` — like
``import pytest`` against ``_pytest``, everything else under ``rapport.*`` is the kernel's
private business and may change in any release; the names here change only with notice
(docs/plugins.md, "What a plugin may import"). ``make lint`` (import-linter) refuses a
bundled plugin or the example vendor plugin that imports anything else from ``rapport``.

It sits above the core areas (it re-exports their services) and below ``app``/``cli``/
``web``; no kernel module imports it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from rapport.core.audit.service import CREATE as _CREATE
from rapport.core.audit.service import DELETE as _DELETE
from rapport.core.audit.service import MERGE as _MERGE
from rapport.core.audit.service import READ as _READ
from rapport.core.audit.service import REVOKE as _REVOKE
from rapport.core.audit.service import SHARE as _SHARE
from rapport.core.audit.service import UPDATE as _UPDATE
from rapport.core.audit.service import diff as _diff
from rapport.core.audit.service import history_statement as _history_statement
from rapport.core.audit.service import jsonable as _jsonable
from rapport.core.audit.service import record as _record
from rapport.core.consent.decision import may_contact
from rapport.core.contacts.models import Contact
from rapport.core.contacts.names import salutation
from rapport.core.contacts.preferences import defaults as contact_defaults
from rapport.core.contacts.relationships.models import RelationshipMember
from rapport.core.contacts.service import get_contact
from rapport.core.events.emit import emit, emit_many
from rapport.core.interactions.service import log_interaction
from rapport.core.modules.enabled import enabled_array, enabled_modules, is_enabled
from rapport.core.modules.models import TenantModule
from rapport.core.modules.service import load_settings
from rapport.core.notifications.service import notify
from rapport.core.pagination import (
    MAX_LIMIT,
    Page,
    bad_cursor,
    by_id,
    check_limit,
    cut,
    decode_id,
    decode_position,
    newest_first,
)
from rapport.core.pagination import decode as decode_cursor
from rapport.core.pagination import encode as encode_cursor
from rapport.core.sharing import (
    SharingGrant,
    create_grant,
    open_shared_record,
    require_read,
    require_write,
    revoke_grant,
)
from rapport.core.transactions.service import find_transaction, record_transaction
from rapport.core.workflows import fire, get_instance, start
from rapport.db.base import Base, TenantScoped, new_id
from rapport.db.bulk import insert_many
from rapport.db.direct import DriverTransaction, fetch_all, fetch_one
from rapport.db.migration_helpers import SharedRows, enable_tenant_rls, tenant_key_columns
from rapport.db.session import tenant_session
from rapport.errors import (
    FieldError,
    RapportError,
    conflict,
    forbidden,
    invalid,
    invalid_many,
    not_found,
    unauthorized,
)
from rapport.fieldtypes import Email, LongText, Name, Patch, ShortText, Slug
from rapport.hooks import (
    ANY_STATE,
    CONSENT_CHANGED,
    CONTACT_CREATED,
    CONTACT_DELETED,
    CONTACT_MERGED,
    CONTACT_POLICY_CHANGED,
    CONTACT_PURGED,
    CONTACT_RESTORED,
    CONTACT_UPDATED,
    CONTACTS_IMPORTED,
    DEAL_CREATED,
    DEAL_DELETED,
    DEAL_PURGED,
    DEAL_RESTORED,
    DEAL_STAGE_CHANGED,
    DEAL_UPDATED,
    EVENT_PAYLOADS,
    INTERACTION_LOGGED,
    MODULE_DISABLED,
    MODULE_ENABLED,
    ORGANIZATION_PURGED,
    ORGANIZATION_RESTORED,
    TASK_COMPLETED,
    TASK_CREATED,
    TASK_DELETED,
    TASK_REMINDER_DUE,
    TASK_UPDATED,
    TRANSACTION_RECORDED,
    ChangesPayload,
    CommittedEvents,
    ComputeContext,
    Condition,
    ConditionQuery,
    ConsentChangedPayload,
    ConsoleUI,
    ContactFilter,
    ContactMergedPayload,
    ContactPolicyChangedPayload,
    ContactsImportedPayload,
    ContactSummaryQuery,
    CustomerPanel,
    DealStageChangedPayload,
    DomainEvent,
    FieldDefinition,
    FieldType,
    Fragment,
    MeasureQuery,
    MemberMeasure,
    ModulePayload,
    NavEntry,
    Outgoing,
    PanelQuery,
    PeriodicWork,
    Permission,
    PluginManifest,
    RecordSnapshot,
    RecordView,
    RoleDefinition,
    Screen,
    SegmentCondition,
    Sender,
    SenderDeclaration,
    SenderSettings,
    SendFailed,
    SharingRule,
    State,
    SubscriptionEvent,
    TaskReminderDuePayload,
    TemplateQuery,
    TenantContext,
    TenantHooks,
    TimelineEntry,
    TimelineQuery,
    Transition,
    TransitionContext,
    TrashPayload,
    Workflow,
    formula,
    hookimpl,
    rollup,
)
from rapport.settings import Settings
from rapport.tenancy.models import Membership, Tenant, User
from rapport.tenancy.principal import Principal


class audit:  # lower case on purpose: used like a module, ``audit.record(...)``
    """The tenant's append-only audit log. Call ``await audit.record(session, principal,
    action, record_type, record_id, changes=audit.diff(before, after))`` inside the
    transaction of the change; every read of sensitive data is recorded with ``READ``."""

    CREATE = _CREATE
    UPDATE = _UPDATE
    DELETE = _DELETE
    MERGE = _MERGE
    READ = _READ
    SHARE = _SHARE
    REVOKE = _REVOKE
    record = staticmethod(_record)
    diff = staticmethod(_diff)
    jsonable = staticmethod(_jsonable)
    history_statement = staticmethod(_history_statement)


@asynccontextmanager
async def cli_tenant(slug: str, as_email: str | None = None) -> AsyncIterator[CliTenant]:
    """For a plugin's CLI commands (``rapport_cli_commands``): the environment's database
    (``RAPPORT_DATABASE_URL``, else the embedded server) as the application role, the tenant
    ``slug``'s member ``as_email`` (default: its first owner) acting, and that tenant's hooks.
    Open transactions with ``tenant_session(ctx.sessions, ctx.actor.tenant_id,
    ctx.actor.user_id)``; a missing tenant or member raises ``click.ClickException``."""
    from rapport.core.imports.cli import _actor_and_hooks
    from rapport.db.session import make_engine, make_sessionmaker
    from rapport.runtime import resolve_database

    settings = Settings.from_env()
    settings.check()
    engine = make_engine(resolve_database(settings).app_url, pool_size=2, max_overflow=0)
    try:
        sessions = make_sessionmaker(engine)
        actor, _, hooks = await _actor_and_hooks(sessions, slug, as_email)
        yield CliTenant(sessions, actor, hooks)
    finally:
        await engine.dispose()


@dataclass(frozen=True)
class CliTenant:
    """What :func:`cli_tenant` opens: a session factory, the acting member, their hooks."""

    sessions: async_sessionmaker[AsyncSession]
    actor: Principal
    hooks: TenantHooks


# The request's transaction as the ``reads`` dependency hands it over: for handlers that
# only read, through ``fetch_one`` and ``fetch_all`` (no ORM session is made).
ReadTransaction = DriverTransaction

# Request dependencies: a route handler takes them by name, typed with Litestar's
# ``NamedDependency[...]`` — ``principal: Principal``, ``db: AsyncSession`` (the tenant's
# transaction for this request), ``reads: ReadTransaction`` (the same transaction, for a
# handler that only reads), ``hooks: TenantHooks``, ``settings: Settings``.
REQUEST_DEPENDENCIES = ("principal", "db", "reads", "hooks", "settings")

__all__ = [
    "ANY_STATE",
    "CONSENT_CHANGED",
    "CONTACTS_IMPORTED",
    "CONTACT_CREATED",
    "CONTACT_DELETED",
    "CONTACT_MERGED",
    "CONTACT_POLICY_CHANGED",
    "CONTACT_PURGED",
    "CONTACT_RESTORED",
    "CONTACT_UPDATED",
    "DEAL_CREATED",
    "DEAL_DELETED",
    "DEAL_PURGED",
    "DEAL_RESTORED",
    "DEAL_STAGE_CHANGED",
    "DEAL_UPDATED",
    "EVENT_PAYLOADS",
    "INTERACTION_LOGGED",
    "MAX_LIMIT",
    "MODULE_DISABLED",
    "MODULE_ENABLED",
    "ORGANIZATION_PURGED",
    "ORGANIZATION_RESTORED",
    "REQUEST_DEPENDENCIES",
    "TASK_COMPLETED",
    "TASK_CREATED",
    "TASK_DELETED",
    "TASK_REMINDER_DUE",
    "TASK_UPDATED",
    "TRANSACTION_RECORDED",
    "Base",
    "ChangesPayload",
    "CliTenant",
    "CommittedEvents",
    "ComputeContext",
    "Condition",
    "ConditionQuery",
    "ConsentChangedPayload",
    "ConsoleUI",
    "Contact",
    "ContactFilter",
    "ContactMergedPayload",
    "ContactPolicyChangedPayload",
    "ContactSummaryQuery",
    "ContactsImportedPayload",
    "CustomerPanel",
    "DealStageChangedPayload",
    "DomainEvent",
    "Email",
    "FieldDefinition",
    "FieldError",
    "FieldType",
    "Fragment",
    "LongText",
    "MeasureQuery",
    "MemberMeasure",
    "Membership",
    "ModulePayload",
    "Name",
    "NavEntry",
    "Outgoing",
    "Page",
    "PanelQuery",
    "Patch",
    "PeriodicWork",
    "Permission",
    "PluginManifest",
    "Principal",
    "RapportError",
    "ReadTransaction",
    "RecordSnapshot",
    "RecordView",
    "RelationshipMember",
    "RoleDefinition",
    "Screen",
    "SegmentCondition",
    "SendFailed",
    "Sender",
    "SenderDeclaration",
    "SenderSettings",
    "Settings",
    "SharedRows",
    "SharingGrant",
    "SharingRule",
    "ShortText",
    "Slug",
    "State",
    "SubscriptionEvent",
    "TaskReminderDuePayload",
    "TemplateQuery",
    "Tenant",
    "TenantContext",
    "TenantHooks",
    "TenantModule",
    "TenantScoped",
    "TimelineEntry",
    "TimelineQuery",
    "Transition",
    "TransitionContext",
    "TrashPayload",
    "User",
    "Workflow",
    "audit",
    "bad_cursor",
    "by_id",
    "check_limit",
    "cli_tenant",
    "conflict",
    "contact_defaults",
    "create_grant",
    "cut",
    "decode_cursor",
    "decode_id",
    "decode_position",
    "emit",
    "emit_many",
    "enable_tenant_rls",
    "enabled_array",
    "enabled_modules",
    "encode_cursor",
    "fetch_all",
    "fetch_one",
    "find_transaction",
    "fire",
    "forbidden",
    "formula",
    "get_contact",
    "get_instance",
    "hookimpl",
    "insert_many",
    "invalid",
    "invalid_many",
    "is_enabled",
    "load_settings",
    "log_interaction",
    "may_contact",
    "new_id",
    "newest_first",
    "not_found",
    "notify",
    "open_shared_record",
    "record_transaction",
    "require_read",
    "require_write",
    "revoke_grant",
    "rollup",
    "salutation",
    "start",
    "tenant_key_columns",
    "tenant_session",
    "unauthorized",
]

