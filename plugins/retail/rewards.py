"""Redeeming rewards for vouchers, and using a voucher at the till.

A voucher's code is 12 characters from ``secrets`` (60 bits: unguessable, short enough to
type). Using it is one ``UPDATE … WHERE state = 'issued' AND expires_at > now()``: of two
tills redeeming the same code at the same moment exactly one gets the row back.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.sdk import Principal, TenantHooks, audit, conflict, invalid, not_found
from rapport_plugins.retail import events, schemas
from rapport_plugins.retail.ledger import Source, by_external_id, debit, lock_member, now
from rapport_plugins.retail.models import Member, Reward, Voucher
from rapport_plugins.retail.roles import require_till

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud at the till


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(12))


def voucher_out(v: Voucher, reward: str) -> schemas.VoucherOut:
    return schemas.VoucherOut(id=v.id, code=v.code, reward_id=v.reward_id, reward=reward,
                              state=v.state, expires_at=v.expires_at, used_at=v.used_at)


async def redeem_reward(db: AsyncSession, principal: Principal, hooks: TenantHooks,
                        member_id: uuid.UUID, data: schemas.RedemptionIn
                        ) -> schemas.VoucherOut:
    require_till(principal)
    member = await lock_member(db, principal.tenant_id, member_id)
    if data.external_id is not None:
        earlier = await by_external_id(db, member, data.external_id)
        if earlier is not None:
            voucher = (await db.execute(select(Voucher).where(
                Voucher.tenant_id == member.tenant_id, Voucher.member_id == member.id,
                Voucher.code == earlier.reason)
            )).scalar_one_or_none()
            if voucher is not None:
                name = await db.scalar(select(Reward.name).where(
                    Reward.tenant_id == member.tenant_id, Reward.id == voucher.reward_id))
                return voucher_out(voucher, name or "")
    reward = (await db.execute(select(Reward).where(
        Reward.tenant_id == principal.tenant_id, Reward.id == data.reward_id,
        Reward.program_id == member.program_id))).scalar_one_or_none()
    if reward is None:
        raise invalid("reward_id", "no such reward in the member's program")
    if not reward.active:
        raise conflict("reward_id: this reward is no longer offered", field="reward_id")
    if reward.stock is not None:
        left = await db.scalar(update(Reward).where(
            Reward.tenant_id == reward.tenant_id, Reward.id == reward.id, Reward.stock > 0)
            .values(stock=Reward.stock - 1).returning(Reward.stock))
        if left is None:
            raise conflict("reward_id: out of stock", field="reward_id")
    code = new_code()
    await debit(db, member, "redeem", reward.points_cost, field="reward_id",
                source=Source(external_id=data.external_id, reason=code,
                              recorded_by=principal.user_id))
    voucher = Voucher(tenant_id=member.tenant_id, member_id=member.id, reward_id=reward.id,
                      code=code, state="issued",
                      expires_at=now().replace(microsecond=0) + timedelta(days=reward.valid_days))
    db.add(voucher)
    await db.flush()
    await audit.record(db, principal, audit.CREATE, events.RECORD_TYPE, member.id,
                       audit.diff({}, {"voucher": voucher.id, "reward": reward.name,
                                       "points": reward.points_cost}))
    await events.publish(db, principal, hooks, events.VOUCHER_ISSUED, member.tenant_id,
                         member.id, {"member_id": str(member.id), "reward_id": str(reward.id),
                                     "voucher_id": str(voucher.id),
                                     "points": reward.points_cost})
    return voucher_out(voucher, reward.name)


async def use_voucher(db: AsyncSession, principal: Principal, hooks: TenantHooks,
                      member: Member, code: str, external_id: str) -> schemas.VoucherOut:
    """Mark the member's voucher used (one winner under concurrency); 409 saying why not."""
    code = code.upper()
    used = (await db.execute(
        update(Voucher).where(Voucher.tenant_id == member.tenant_id,
                              Voucher.member_id == member.id, Voucher.code == code,
                              Voucher.state == "issued", Voucher.expires_at > now())
        .values(state="used", used_at=now(), used_external_id=external_id)
        .returning(Voucher))).scalar_one_or_none()
    if used is None:
        found = (await db.execute(select(Voucher).where(
            Voucher.tenant_id == member.tenant_id, Voucher.member_id == member.id,
            Voucher.code == code))).scalar_one_or_none()
        if found is None:
            raise not_found("Voucher")
        why = "was already used" if found.state == "used" else "has expired"
        raise conflict(f"voucher_code: this voucher {why}", field="voucher_code")
    name = await db.scalar(select(Reward.name).where(Reward.tenant_id == member.tenant_id,
                                                     Reward.id == used.reward_id))
    await events.publish(db, principal, hooks, events.VOUCHER_USED, member.tenant_id,
                         member.id, {"member_id": str(member.id), "voucher_id": str(used.id),
                                     "external_id": external_id})
    return voucher_out(used, name or "")


async def active_vouchers(db: AsyncSession, member: Member) -> list[schemas.VoucherOut]:
    rows = await db.execute(
        select(Voucher, Reward.name).join(Reward, (Reward.tenant_id == Voucher.tenant_id)
                                          & (Reward.id == Voucher.reward_id))
        .where(Voucher.tenant_id == member.tenant_id, Voucher.member_id == member.id,
               Voucher.state == "issued", Voucher.expires_at > now())
        .order_by(Voucher.expires_at))
    return [voucher_out(v, name) for v, name in rows.tuples()]
