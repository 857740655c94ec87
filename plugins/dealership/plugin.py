"""The dealership plugin's hooks: vehicle orders with deposits, the promise ledger and
incentives for salespeople (docs/dealership.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rapport.sdk import (
    ConsoleUI,
    ContactSummaryQuery,
    MemberMeasure,
    PeriodicWork,
    Permission,
    PluginManifest,
    RoleDefinition,
    SharingRule,
    SubscriptionEvent,
    TimelineEntry,
    TimelineQuery,
    Workflow,
    hookimpl,
)
from rapport_plugins.dealership import alerts, summary, timeline
from rapport_plugins.dealership.cli import dealership_group
from rapport_plugins.dealership.console import UI
from rapport_plugins.dealership.measures import MEASURES
from rapport_plugins.dealership.models import MODELS
from rapport_plugins.dealership.roles import PERMISSIONS, ROLES, RULES
from rapport_plugins.dealership.routes.catalogue import StockController, VehicleController
from rapport_plugins.dealership.routes.finance import OrderFinanceController
from rapport_plugins.dealership.routes.floor import AppointmentController, VisitController
from rapport_plugins.dealership.routes.incentives import IncentiveController
from rapport_plugins.dealership.routes.marketing import MarketingController
from rapport_plugins.dealership.routes.orders import OrderController
from rapport_plugins.dealership.routes.promises import PromiseController
from rapport_plugins.dealership.routes.reports import ReportController
from rapport_plugins.dealership.routes.staff import StaffController
from rapport_plugins.dealership.settings import DealershipSettings
from rapport_plugins.dealership.workflow import ORDER


@hookimpl
def rapport_manifest() -> PluginManifest:
    return PluginManifest(
        name="dealership",
        title="Dealership",
        version="0.1.0",
        description="Vehicle orders with deposits, the ledger of what was promised to whom "
        "and how likely, and incentives for salespeople.",
        permissions=tuple(p.key for p in PERMISSIONS),
        price_key="price_dealership",
        tags=("vertical", "automotive"),
    )


@hookimpl
def rapport_models() -> list[type]:
    return list(MODELS)


@hookimpl
def rapport_migrations() -> Path:
    return Path(__file__).parent / "migrations" / "versions"


@hookimpl
def rapport_routes() -> list[Any]:
    return [VehicleController, StockController, OrderController, OrderFinanceController,
            PromiseController, ReportController, IncentiveController, StaffController,
            AppointmentController, VisitController, MarketingController]


@hookimpl
def rapport_workflows() -> list[Workflow]:
    return [ORDER]


@hookimpl
def rapport_sharing_rules() -> list[SharingRule]:
    return list(RULES)


@hookimpl
def rapport_permissions() -> list[Permission]:
    return list(PERMISSIONS)


@hookimpl
def rapport_roles() -> list[RoleDefinition]:
    return list(ROLES)


@hookimpl
def rapport_settings_schema() -> type:
    return DealershipSettings


@hookimpl
async def rapport_timeline(query: TimelineQuery) -> list[TimelineEntry]:
    return await timeline.entries(query)


@hookimpl
async def rapport_contact_summary(query: ContactSummaryQuery) -> dict[str, Any]:
    return await summary.for_contact(query)


@hookimpl
async def rapport_periodic_work(work: PeriodicWork) -> int:
    return await alerts.run(work.sessions, work.registry, work.batch, work.max_tenants)


@hookimpl
def rapport_cli_commands() -> list[Any]:
    return [dealership_group]


@hookimpl
def rapport_console() -> ConsoleUI:
    return UI


# Promises are the dealership's word to a customer; a broken or overdue one is what a
# manager follows (in the app or in the e-mail digest).
SUBSCRIPTION_EVENTS = [
    SubscriptionEvent("dealership.promise_broken", {
        "en": "A promise to a customer was broken", "uk": "Обіцянку клієнтові порушено",
        "ru": "Обещание клиенту нарушено"}),
    SubscriptionEvent("dealership.promise_overdue", {
        "en": "A promise to a customer is overdue", "uk": "Обіцянку клієнтові прострочено",
        "ru": "Обещание клиенту просрочено"}),
]


@hookimpl
def rapport_subscription_events() -> list[SubscriptionEvent]:
    return list(SUBSCRIPTION_EVENTS)


@hookimpl
def rapport_member_measures() -> list[MemberMeasure]:
    return MEASURES
