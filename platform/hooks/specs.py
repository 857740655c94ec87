"""The plugin contract: every hook a vertical may answer.

Conventions (pytest's): every hook is named ``rapport_…`` and takes keyword arguments
only; a plugin implements the hooks it needs with ``@hookimpl`` and the same argument
names (it may omit arguments it does not use). Declaration hooks (manifest, fields,
models, routes, …) are called once at start-up for each plugin and their answers are
attributed to that plugin. Runtime hooks (events, timeline, demo data, settings
validation) run only for the plugins the calling tenant has enabled; they may be
``async def``, in which case the kernel awaits them.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from rapport.hooks.markers import hookspec

if TYPE_CHECKING:
    import click
    from litestar.types import ControllerRouterHandler

    from rapport.errors import FieldError
    from rapport.hooks.communication import SenderDeclaration, SubscriptionEvent, TemplateQuery
    from rapport.hooks.console import ConsoleUI
    from rapport.hooks.events import (
        CommittedEvents,
        ContactSummaryQuery,
        DomainEvent,
        PeriodicWork,
        Permission,
        RoleDefinition,
        TenantContext,
        TimelineEntry,
        TimelineQuery,
    )
    from rapport.hooks.fields import FieldDefinition
    from rapport.hooks.filters import ContactFilter
    from rapport.hooks.manifest import PluginManifest
    from rapport.hooks.reports import MemberMeasure
    from rapport.hooks.segments import SegmentCondition
    from rapport.hooks.sharing import SharingRule
    from rapport.hooks.workflows import Workflow

# --------------------------------------------------------------------- identity


@hookspec(firstresult=True)
def rapport_manifest() -> PluginManifest:
    """Return the plugin's :class:`~rapport.hooks.manifest.PluginManifest`.

    Called once per plugin when it is loaded; required. The manifest is validated
    (name equal to the entry-point name, namespaced permissions, known requirements);
    a plugin with an invalid manifest is reported and not loaded.
    """
    raise AssertionError("hookspec")


# ------------------------------------------------------------------ declarations


@hookspec
def rapport_fields() -> list[FieldDefinition]:
    """Return the custom fields this plugin adds to core entities.

    Each item is a :class:`~rapport.hooks.fields.FieldDefinition` whose ``owner`` is the
    plugin name, so its full key is ``<plugin>.<key>`` and never collides with another's.
    Computed (read-only) fields carry a ``computed`` callable (``formula`` or ``rollup``).
    Called once at start-up; the fields are visible only to tenants that enabled the plugin.
    """
    raise AssertionError("hookspec")


@hookspec
def rapport_segment_conditions() -> list[SegmentCondition]:
    """Return the conditions this plugin adds to segment definitions, as data.

    Each item is a :class:`~rapport.hooks.segments.SegmentCondition`: its ``name`` becomes
    a node kind of the grammar (``{"retail.tier": {"tier": "Gold"}}``; a plugin's names are
    ``<plugin>.<name>``, a kernel area's may be its own plain name), ``value_type`` the type
    the node's value must convert to (its JSON schema is published to the console's
    builder), and ``build`` turns a checked value into one SQL condition over the outer
    statement's ``contacts.id`` for the tenant (``ConditionQuery``), which the segment
    compiler places in the segment's single statement. Name the tenant in every subquery
    and keep it to an indexed probe (``contact_id IN (SELECT …)``). Called once at
    start-up; a condition is usable only by tenants that enabled the plugin (a definition
    naming a disabled plugin's condition is a 422, and a saved one stops compiling until
    the plugin is enabled again).
    """
    raise AssertionError("hookspec")


@hookspec
def rapport_contact_filters() -> list[ContactFilter]:
    """Return the fields this plugin adds to the contact list's filter grammar, as data.

    Each item is a :class:`~rapport.hooks.filters.ContactFilter`: its ``name``
    (``<plugin>.<name>``, e.g. ``retail.tier``) becomes a field of
    ``GET /api/v1/contacts?filter=name:op:value`` — and so of segments' ``filter`` nodes,
    the console's saved views and the contact export —; ``labels`` name it per language for
    the console's filter picker; ``value_type`` (``choice`` with ``choices``, ``integer``,
    ``decimal``, ``text``, ``reference``) says how a value is read and ``ops`` which
    operators it takes; ``rows(tenant_id)`` is one ``SELECT`` of ``contact_id`` and
    ``value`` for the tenant, from which the kernel builds the condition over the list's
    ``contacts.id``. A value that does not read as the type, an operator not offered or an
    unknown field is refused naming it, like every list filter. Called once at start-up;
    a field is usable only by tenants that enabled the plugin.
    """
    raise AssertionError("hookspec")


@hookspec
def rapport_models() -> list[type]:
    """Return the SQLAlchemy model classes of the plugin's own tables.

    Every class must derive from ``TenantScoped`` (``rapport.sdk``) (``tenant_id`` + composite
    primary key); a plugin returning anything else is reported and not loaded. Called
    once at start-up.
    """
    raise AssertionError("hookspec")


@hookspec(firstresult=True)
def rapport_migrations() -> Path | None:
    """Return the folder of the plugin's Alembic revisions, or None if it has no tables.

    The revisions form their own branch (``branch_labels = ("<plugin>",)``) that
    ``depends_on`` a kernel revision; ``rapport db upgrade`` applies every plugin's
    branch. Each table's migration calls ``enable_tenant_rls`` (``rapport.sdk``).
    """
    raise AssertionError("hookspec")


@hookspec
def rapport_routes() -> list[ControllerRouterHandler]:
    """Return Litestar route handlers (controllers, routers or functions).

    For a plugin they are mounted under ``/api/v1/<plugin>/`` and answer 404 to tenants
    that have not enabled it; kernel areas mount theirs at their own paths. Handlers
    receive the usual dependencies (``principal``, ``db``, ``hooks``, …).
    """
    raise AssertionError("hookspec")


@hookspec
def rapport_workflows() -> list[Workflow]:
    """Return :class:`~rapport.hooks.workflows.Workflow` definitions (state machines).

    Names are namespaced ``<plugin>.<name>``. Transitions may carry actions, called
    inside the transaction that fires them. Called once at start-up.
    """
    raise AssertionError("hookspec")


@hookspec
def rapport_sharing_rules() -> list[SharingRule]:
    """Return :class:`~rapport.hooks.sharing.SharingRule` declarations: who may read and write
    the plugin's record types (by role, ownership or explicit — possibly cross-tenant —
    grant). Called once at start-up."""
    raise AssertionError("hookspec")


@hookspec
def rapport_permissions() -> list[Permission]:
    """Return the permissions the plugin checks (``<plugin>.<action>``), with a
    description for the admin console. Called once at start-up."""
    raise AssertionError("hookspec")


@hookspec
def rapport_roles() -> list[RoleDefinition]:
    """Return extra member roles (e.g. ``clinician``) the plugin adds.

    Tenant admins can give these roles once the plugin is enabled. Each carries the
    plugin permissions it grants and which kernel role's rights it has on kernel
    records. Called once at start-up.
    """
    raise AssertionError("hookspec")


@hookspec
def rapport_console() -> ConsoleUI | None:
    """Return a :class:`~rapport.hooks.console.ConsoleUI`: what the plugin adds to the console
    (the people's web application) — navigation entries, pages, and panels on the customer
    page — with the folders of its templates and translations.

    Called once at start-up. A plugin's pages are mounted under ``/apps/<plugin>/`` and,
    like its navigation entries and panels, are shown only to tenants that enabled the
    plugin and to the roles each item names. Pages are Litestar handlers returning
    ``Screen`` or ``Fragment``; they receive the usual dependencies (``principal``, ``db``,
    …). Panels' ``load`` runs inside the customer page's transaction. Guide:
    docs/plugins.md, "Adding console screens".
    """
    raise AssertionError("hookspec")


@hookspec(firstresult=True)
def rapport_settings_schema() -> type | None:
    """Return a ``msgspec.Struct`` class describing the plugin's per-tenant settings.

    Defaults of the struct are the settings of a tenant that never changed them.
    ``PUT /api/v1/modules/<plugin>/settings`` validates against it (422 naming the
    field) and then calls ``rapport_validate_settings`` for rules across fields.
    """
    raise AssertionError("hookspec")


# ---------------------------------------------------------------------- runtime


@hookspec
def rapport_validate_settings(
    settings: dict[str, Any], ctx: TenantContext
) -> list[FieldError]:
    """Check a tenant's new settings beyond their schema.

    :param settings: the decoded settings (already valid against the schema).
    :param ctx: the tenant, its transaction and the acting principal.
    :return: a list of ``rapport.errors.FieldError`` (empty when acceptable).
    """
    raise AssertionError("hookspec")


@hookspec
def rapport_event(event: DomainEvent) -> None:
    """React to a domain event of a tenant that enabled this plugin.

    Called inside the transaction of the change (``event.session``): writes made here
    commit with it, and raising aborts the whole request with a clear error naming the
    plugin — nothing is half-written. Kernel events: ``contact.created``,
    ``contact.updated``, ``contact.deleted``, ``contact.merged``,
    ``interaction.logged``, ``transaction.recorded``, ``module.enabled``,
    ``module.disabled``. Every event is also stored in the outbox for asynchronous
    consumers.
    """
    raise AssertionError("hookspec")


@hookspec
def rapport_event_committed(event: DomainEvent) -> None:
    """React to a domain event *after* its transaction committed (side effects outside the
    database: e-mail, webhooks, search indexers).

    Called by the outbox worker (``rapport worker``) in a new transaction of the event's
    tenant (``event.session``); delivery is at least once — make handlers idempotent
    (``event.id`` is stable). Raising leaves the event pending: it is retried with backoff
    and the error is recorded on the outbox row.
    """
    raise AssertionError("hookspec")


@hookspec
def rapport_events_committed(events: list[DomainEvent]) -> None:
    """React to a *batch* of committed domain events: all of one name, of one tenant, in
    outbox order (consecutive in the tenant's outbox). Implement it instead of
    ``rapport_event_committed`` to handle many events with set-based statements.

    Called by the outbox worker in a new transaction of the tenant (every event's
    ``session`` is that one transaction). A plugin that implements this hook gets every
    committed event through it (a batch may hold a single event) and is no longer called
    per event; plugins that do not are called per event as before. Delivery is at least
    once, so make the handling idempotent (``event.id`` is stable). Raising rolls back
    what the batch wrote and the worker delivers the same events again one by one (each
    in a batch of one), so only the event that fails stays pending, with the error
    recorded and a growing delay before the next attempt.
    """
    raise AssertionError("hookspec")


@hookspec
def rapport_event_rows_committed(batch: CommittedEvents) -> None:
    """React to a batch of committed events as *rows in SQL*: like
    ``rapport_events_committed`` (one name, one tenant, outbox order, one transaction), but
    the events are not decoded into ``DomainEvent``s — ``batch.relation`` (with
    ``batch.params``) selects them in a statement run in ``batch.session``, so a consumer
    can read, compute and write the whole batch in one statement without the payloads
    leaving PostgreSQL (``await batch.events()`` loads them as ``DomainEvent``s when
    wanted).

    A plugin that implements this hook gets every committed event through it and is not
    called through ``rapport_events_committed`` or ``rapport_event_committed``. Delivery,
    failure and retry are as for ``rapport_events_committed``: raising rolls back what the
    batch wrote, and the worker hands the same events over again one at a time (batches of
    one), so only the event that fails stays pending.
    """
    raise AssertionError("hookspec")


@hookspec
def rapport_timeline(query: TimelineQuery) -> list[TimelineEntry]:
    """Return this plugin's entries for one contact's timeline, newest first.

    :param query: tenant, contact, open session, acting principal, and the page window
        (entries strictly older than ``before``, at most ``limit``).
    The kernel merges all plugins' entries with its own interactions by time.
    """
    raise AssertionError("hookspec")


@hookspec
def rapport_contact_summary(query: ContactSummaryQuery) -> dict[str, Any]:
    """Contribute a section to the contact view ("has a colleague already worked with
    this customer?"): e.g. ``{"last_interactions": [...]}`` or ``{"open_deals": [...]}``.

    :param query: tenant, contact, open session and acting principal.
    :return: a dict merged into the view's ``activity`` object; keys are namespaced by
        the area or plugin that answers (kernel areas use plain names). Keep it to one or
        two indexed queries: it runs on every contact view. Better, return
        ``query.later(expression, shape)``: one SQL expression (built once, on
        ``summary_parameters()``) that the view selects together with every other
        area's, in the page's single statement, and a function turning its value into
        the dict.
    """
    raise AssertionError("hookspec")


@hookspec
def rapport_cli_commands() -> list[click.Command]:
    """Return ``click`` commands or groups to add to the ``rapport`` command line.

    Called once when the CLI starts; a plugin's commands are available whether or not a
    given tenant enabled it (commands take ``--tenant`` where they act on one).
    """
    raise AssertionError("hookspec")


@hookspec
def rapport_demo_data(ctx: TenantContext) -> int:
    """Create demonstration records for a tenant (``rapport demo --tenant SLUG``).

    :return: how many records were created. Runs inside one transaction.
    """
    raise AssertionError("hookspec")


@hookspec
def rapport_periodic_work(work: PeriodicWork) -> int | None:
    """Do a bounded slice of background work; called once per pass of ``rapport worker``,
    before the outbox is delivered (so events emitted here go out in the same pass).

    Called for every kernel area and every loaded plugin, whatever tenants enabled it: the
    implementation finds its due tenants itself and uses ``work.registry.for_tenant(…)``
    with that tenant's enabled set to call plugins (the tasks area delivers due reminders
    here). May be ``async def``.

    :param work: a session factory, the registry, and the pass's batch and tenant limits.
    :return: how many items were handled (None: nothing to report). A raising
        implementation is logged with its plugin's name; the others and the outbox carry on.
    """
    raise AssertionError("hookspec")


# --------------------------------------------------------------------- communication


@hookspec
def rapport_template_variables(query: TemplateQuery) -> dict[str, Any] | None:
    """Return variables for message templates (docs/communication.md), for one contact.

    :param query: tenant, open session (the tenant's RLS context), ``contact_id`` (None
        when the template editor asks which variables exist: return example values) and
        the template's ``language``.
    :return: a dict of plain values (str, numbers, dates, lists, dicts); a template reads
        them under the plugin's name — ``{{ retail.points }}`` — so plugins never clash.
        None or ``{}``: nothing for this contact. Runs only for tenants that enabled the
        plugin, once per rendered message (keep it to one indexed query). May be async.
    """
    raise AssertionError("hookspec")


@hookspec
def rapport_subscription_events() -> list[SubscriptionEvent]:
    """Return the event types members may subscribe to (``/api/v1/subscriptions``).

    Each :class:`~rapport.hooks.communication.SubscriptionEvent` names a domain event
    this plugin emits (``retail.tier_changed``) and its title per language. When such an
    event is emitted, each subscribed member of the tenant gets an in-app notification or
    a line in their next e-mail digest. Called once at start-up; a disabled plugin's types
    are hidden from the tenant.
    """
    raise AssertionError("hookspec")


@hookspec
def rapport_senders() -> list[SenderDeclaration]:
    """Return the senders this plugin provides: channel → sender, as data.

    Each :class:`~rapport.hooks.communication.SenderDeclaration` names a ``channel``
    (``email``, ``sms``, ``messenger``) and ``build(settings)``, which makes the sender
    (an object with ``async send(Outgoing) -> provider id`` raising ``SendFailed``, with
    ``temporary=True`` for a refusal worth retrying) or answers None when the deployment
    has not configured it. The kernel's own SMTP and gateway senders are declared the same
    way by the communication area. For a tenant that enabled the plugin, its sender
    replaces the kernel's for that channel (plugins in name order, the last one wins).
    Called once at start-up; ``build`` is called when the worker sends.
    """
    raise AssertionError("hookspec")


@hookspec
def rapport_member_measures() -> list[MemberMeasure]:
    """Return this plugin's measures for the members' report (``/api/v1/reports/members``),
    as data.

    Each :class:`~rapport.hooks.reports.MemberMeasure` has a ``name``
    (``<plugin>.<measure>``), a label per language, and ``build``: given the tenant and the
    period (``MeasureQuery``) it returns one SQL ``SELECT`` of ``member_id``
    (``memberships.id``) and ``value``, grouped by member. The report runs all enabled
    measures in one statement and shows each as a column beside the kernel's (a clinic's
    encounters, a dealership's kept promises). Called once at start-up; a measure appears
    only for tenants that enabled the plugin.
    """
    raise AssertionError("hookspec")
