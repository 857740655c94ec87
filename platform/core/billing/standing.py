"""A tenant's standing as billing sees it now: plan, entitlements, limits and usage —
what ``GET /api/v1/billing``, the CLI and the gates all read."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core.billing import entitlements
from rapport.core.billing.accounts import account_of, member_count
from rapport.core.billing.catalogue import FREE, AddOn, Plan, addons, plan
from rapport.core.billing.config import BillingConfig
from rapport.core.billing.models import BillingAccount
from rapport.core.billing.storage import in_mb, storage_bytes
from rapport.core.contacts.models import Contact
from rapport.hooks import PluginRegistry


@dataclass(frozen=True)
class Standing:
    config: BillingConfig
    account: BillingAccount | None
    plan: Plan
    status: str
    purchased: frozenset[str]
    read_only: bool
    grace_ends_at: datetime | None
    addons: dict[str, AddOn]

    def paid(self, module: str) -> bool:
        """Whether ``module`` costs money on this installation and plan."""
        return self.config.enabled and module in self.addons and not self.plan.includes(module)

    def entitled(self, module: str) -> bool:
        if not self.config.enabled or module not in self.addons:
            return True
        return self.plan.includes(module) or module in self.purchased

    def writable(self, module: str) -> bool:
        if not self.config.enabled or module not in self.addons:
            return True
        return self.entitled(module) and not self.read_only


async def standing(session: AsyncSession, tenant_id: uuid.UUID, registry: PluginRegistry,
                   config: BillingConfig | None = None,
                   now: datetime | None = None) -> Standing:
    config = config or BillingConfig.from_env()
    now = now or datetime.now(UTC)
    account = await account_of(session, tenant_id) if config.enabled else None
    if account is None:
        return Standing(config, None, FREE if config.enabled else _self_hosted(), "none",
                        frozenset(), False, None, addons(registry))
    status = account.status
    grace_ends = (account.lapsed_at + timedelta(days=config.grace_days)
                  if account.lapsed_at and status in entitlements.GRACE else None)
    return Standing(
        config, account, plan(account.plan), status, frozenset(account.modules),
        entitlements.read_only(status, account.lapsed_at, now, config.grace_days),
        grace_ends, addons(registry))


def _self_hosted() -> Plan:
    """Self-hosted mode: no limits, every module."""
    return Plan("self_hosted", "Self-hosted", members=None, contacts=None, storage_mb=None,
                modules=("*",))


async def usage(session: AsyncSession, tenant_id: uuid.UUID,
                storage: bool = False) -> dict[str, int | None]:
    """Members, contacts and (with ``storage``: what people read, never the gates) the
    megabytes stored (``rapport.core.billing.storage``); ``None`` when not measured."""
    contacts = await session.scalar(
        select(func.count()).select_from(Contact)
        .where(Contact.tenant_id == tenant_id, Contact.deleted_at.is_(None)))
    stored = in_mb(await storage_bytes(session, tenant_id)) if storage else None
    return {"members": await member_count(session, tenant_id),
            "contacts": int(contacts or 0), "storage_mb": stored}
