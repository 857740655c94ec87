"""Retail's events, named ``retail.<what>`` (docs/retail.md lists their payloads)."""

from __future__ import annotations

import uuid
from typing import Any, cast

from sqlalchemy.ext.asyncio import AsyncSession

from rapport.sdk import Principal, TenantHooks, emit

RECORD_TYPE = "retail.member"
MEMBER_JOINED = "retail.member_joined"
MEMBER_ERASED = "retail.member_erased"
POINTS_EARNED = "retail.points_earned"
POINTS_REDEEMED = "retail.points_redeemed"
POINTS_ADJUSTED = "retail.points_adjusted"
POINTS_EXPIRED = "retail.points_expired"
POINTS_REVERSED = "retail.points_reversed"
TIER_CHANGED = "retail.tier_changed"
VOUCHER_ISSUED = "retail.voucher_issued"
VOUCHER_USED = "retail.voucher_used"
CARD_BLOCKED = "retail.card_blocked"
CARD_REPLACED = "retail.card_replaced"
CARD_ISSUED = "retail.card_issued"
BIRTHDAY = "retail.birthday"
TIER_WARNING = "retail.tier_warning"
NAMES = (MEMBER_JOINED, MEMBER_ERASED, POINTS_EARNED, POINTS_REDEEMED, POINTS_ADJUSTED,
         POINTS_EXPIRED, POINTS_REVERSED, TIER_CHANGED, VOUCHER_ISSUED, VOUCHER_USED,
         CARD_BLOCKED, CARD_REPLACED, CARD_ISSUED, BIRTHDAY, TIER_WARNING)


class _OutboxOnly:
    """Hooks for work that has none at hand (inside another event's handler, the worker):
    the event is stored in the outbox — after-commit consumers get it — and no plugin is
    called inside the transaction."""

    async def call_each(self, hook: str, **kwargs: Any) -> list[tuple[str, Any]]:
        return []


OUTBOX_ONLY = cast(TenantHooks, _OutboxOnly())


async def publish(db: AsyncSession, actor: Principal | None, hooks: TenantHooks | None,
                  name: str, tenant_id: uuid.UUID, member_id: uuid.UUID,
                  payload: dict[str, Any]) -> None:
    await emit(db, actor, hooks or OUTBOX_ONLY, name, RECORD_TYPE, member_id, payload,
               tenant_id=tenant_id)
