"""Programs and what they are made of: earning rules, product categories, tiers, rewards.
Managers only; every lookup is scoped to the acting tenant."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import msgspec
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.sdk import Principal, audit, conflict, invalid, new_id, not_found
from rapport_plugins.retail import schemas
from rapport_plugins.retail.models import Member, Product, Program, Reward, Rule, Tier
from rapport_plugins.retail.numbers import decimal, text
from rapport_plugins.retail.roles import require_manager

RATE_LIMITS = {
    "points_per_unit": (Decimal(0), Decimal(100_000)),
    "min_purchase": (Decimal(0), Decimal(10) ** 12),
    "value_per_point": (Decimal(0), Decimal(1_000_000)),
    "expected_redemption_rate": (Decimal(0), Decimal(1)),
}


def _zone(field: str, name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise invalid(field, "not a known time zone (e.g. Europe/Kyiv)") from None
    return name


def program_out(p: Program) -> schemas.ProgramOut:
    return schemas.ProgramOut(
        id=p.id, name=p.name, currency=p.currency, points_per_unit=text(p.points_per_unit) or "0",
        min_purchase=text(p.min_purchase) or "0", rounding=p.rounding,
        expiry_months=p.expiry_months, tier_period=p.tier_period,
        value_per_point=text(p.value_per_point) or "0",
        expected_redemption_rate=text(p.expected_redemption_rate) or "0",
        birthday_bonus=p.birthday_bonus, time_zone=p.time_zone, card_prefix=p.card_prefix,
        signup_bonus=p.signup_bonus, referral_bonus=p.referral_bonus,
        profile_bonus=p.profile_bonus, newsletter_bonus=p.newsletter_bonus,
        pending_days=p.pending_days, daily_earn_cap=p.daily_earn_cap,
        daily_redeem_cap=p.daily_redeem_cap, return_rule=p.return_rule,
        downgrade=p.downgrade, tier_warning_days=p.tier_warning_days,
        created_at=p.created_at,
    )


def _settings(data: dict[str, Any]) -> dict[str, Any]:
    values = dict(data)
    for key, (low, high) in RATE_LIMITS.items():
        if values.get(key) is not None:
            values[key] = decimal(key, values[key], low=low, high=high)
    if values.get("time_zone") is not None:
        values["time_zone"] = _zone("time_zone", values["time_zone"])
    return values


async def create_program(db: AsyncSession, principal: Principal,
                         data: schemas.ProgramIn) -> Program:
    require_manager(principal)
    values = _settings({f: getattr(data, f) for f in data.__struct_fields__})
    values["currency"] = values["currency"].upper()
    program = Program(tenant_id=principal.tenant_id, **values)
    db.add(program)
    try:
        async with db.begin_nested():
            await db.flush()
    except IntegrityError:
        raise conflict("A program with this name exists") from None
    await audit.record(db, principal, audit.CREATE, "retail.program", program.id,
                       audit.diff({}, audit.jsonable(values)))
    return program


async def get_program(db: AsyncSession, principal: Principal, program_id: uuid.UUID,
                      *, lock: bool = False) -> Program:
    query = select(Program).where(Program.tenant_id == principal.tenant_id,
                                  Program.id == program_id)
    found = (await db.execute(query.with_for_update() if lock else query)).scalar_one_or_none()
    if found is None:
        raise not_found("Program")
    return found


async def list_programs(db: AsyncSession, principal: Principal) -> list[Program]:
    rows = await db.execute(select(Program).where(Program.tenant_id == principal.tenant_id)
                            .order_by(Program.created_at))
    return list(rows.scalars())


async def change_program(db: AsyncSession, principal: Principal, program_id: uuid.UUID,
                         data: schemas.ProgramPatch) -> Program:
    require_manager(principal)
    program = await get_program(db, principal, program_id, lock=True)
    given = {f: getattr(data, f) for f in data.__struct_fields__
             if getattr(data, f) is not None}
    values = _settings(given)
    before = {k: getattr(program, k) for k in values}
    for key, value in values.items():
        setattr(program, key, value)
    try:
        async with db.begin_nested():
            await db.flush()
    except IntegrityError:
        raise conflict("A program with this name exists") from None
    await audit.record(db, principal, audit.UPDATE, "retail.program", program.id,
                       audit.diff(audit.jsonable(before), audit.jsonable(values)))
    return program


# ------------------------------------------------------------------- rules and products

def rule_out(r: Rule) -> schemas.RuleOut:
    return schemas.RuleOut(id=r.id, program_id=r.program_id, name=r.name,
                           multiplier=text(r.multiplier) or "0", sku=r.sku, category=r.category,
                           starts_at=r.starts_at, ends_at=r.ends_at)


async def add_rule(db: AsyncSession, principal: Principal, program_id: uuid.UUID,
                   data: schemas.RuleIn) -> Rule:
    require_manager(principal)
    await get_program(db, principal, program_id)
    multiplier = decimal("multiplier", data.multiplier, high=Decimal(100), positive=True)
    if data.sku is not None and data.category is not None:
        raise invalid("category", "a rule applies to a SKU or a category, not both")
    if data.starts_at and data.ends_at and data.ends_at <= data.starts_at:
        raise invalid("ends_at", "must be after starts_at")
    rule = Rule(tenant_id=principal.tenant_id, program_id=program_id, name=data.name,
                multiplier=multiplier, sku=data.sku, category=data.category,
                starts_at=data.starts_at, ends_at=data.ends_at)
    db.add(rule)
    await db.flush()
    await audit.record(db, principal, audit.CREATE, "retail.rule", rule.id,
                       audit.diff({}, msgspec.to_builtins(rule_out(rule))))
    return rule


async def list_rules(db: AsyncSession, principal: Principal, program_id: uuid.UUID
                     ) -> list[Rule]:
    await get_program(db, principal, program_id)
    rows = await db.execute(select(Rule).where(Rule.tenant_id == principal.tenant_id,
                                               Rule.program_id == program_id)
                            .order_by(Rule.id))
    return list(rows.scalars())


async def delete_rule(db: AsyncSession, principal: Principal, program_id: uuid.UUID,
                      rule_id: uuid.UUID) -> None:
    require_manager(principal)
    rule = (await db.execute(select(Rule).where(
        Rule.tenant_id == principal.tenant_id, Rule.program_id == program_id,
        Rule.id == rule_id))).scalar_one_or_none()
    if rule is None:
        raise not_found("Rule")
    await db.delete(rule)
    await audit.record(db, principal, audit.DELETE, "retail.rule", rule_id)


async def change_rule(db: AsyncSession, principal: Principal, program_id: uuid.UUID,
                      rule_id: uuid.UUID, data: schemas.RulePatch) -> Rule:
    """An earning rule's name, multiplier, SKU or category and campaign dates (what ``data``
    holds), the result checked as on creation (422 naming the field, nothing written)."""
    require_manager(principal)
    await get_program(db, principal, program_id)
    rule = (await db.execute(select(Rule).where(
        Rule.tenant_id == principal.tenant_id, Rule.program_id == program_id,
        Rule.id == rule_id).with_for_update())).scalar_one_or_none()
    if rule is None:
        raise not_found("Rule")
    before = msgspec.to_builtins(rule_out(rule))
    values = data.changes()
    if "multiplier" in values:
        values["multiplier"] = decimal("multiplier", values["multiplier"], high=Decimal(100),
                                       positive=True)
    merged = {k: values.get(k, getattr(rule, k))
              for k in ("sku", "category", "starts_at", "ends_at")}
    if merged["sku"] is not None and merged["category"] is not None:
        raise invalid("category" if "category" in values else "sku",
                      "a rule applies to a SKU or a category, not both")
    if merged["starts_at"] and merged["ends_at"] and merged["ends_at"] <= merged["starts_at"]:
        raise invalid("ends_at" if "ends_at" in values else "starts_at",
                      "ends_at must be after starts_at")
    for key, value in values.items():
        setattr(rule, key, value)
    await db.flush()
    await audit.record(db, principal, audit.UPDATE, "retail.rule", rule.id,
                       audit.diff(before, msgspec.to_builtins(rule_out(rule))))
    return rule


async def list_products(db: AsyncSession, principal: Principal, search: str | None = None,
                        limit: int = 200) -> list[Product]:
    """The SKU → category map in SKU order, at most ``limit``; ``search`` keeps the SKUs or
    categories containing it (any case)."""
    require_manager(principal)
    query = select(Product).where(Product.tenant_id == principal.tenant_id)
    if search:
        query = query.where(Product.sku.icontains(search, autoescape=True)
                            | Product.category.icontains(search, autoescape=True))
    return list((await db.execute(query.order_by(Product.sku).limit(limit))).scalars())


async def set_product(db: AsyncSession, principal: Principal, sku: str, category: str
                      ) -> schemas.ProductOut:
    require_manager(principal)
    await db.execute(
        pg_insert(Product).values(tenant_id=principal.tenant_id, id=new_id(), sku=sku,
                                  category=category)
        .on_conflict_do_update(constraint="uq_retail_products_sku",
                               set_={"category": category}))
    return schemas.ProductOut(sku=sku, category=category)


# ------------------------------------------------------------------- tiers and rewards

def tier_out(t: Tier) -> schemas.TierOut:
    return schemas.TierOut(id=t.id, program_id=t.program_id, name=t.name, threshold=t.threshold,
                           multiplier=text(t.multiplier) or "0", perks=list(t.perks))


async def add_tier(db: AsyncSession, principal: Principal, program_id: uuid.UUID,
                   data: schemas.TierIn) -> Tier:
    require_manager(principal)
    await get_program(db, principal, program_id)
    tier = Tier(tenant_id=principal.tenant_id, program_id=program_id, name=data.name,
                threshold=data.threshold,
                multiplier=decimal("multiplier", data.multiplier, high=Decimal(100),
                                   positive=True),
                perks=list(data.perks))
    db.add(tier)
    try:
        async with db.begin_nested():
            await db.flush()
    except IntegrityError:
        raise conflict("The program has a tier with this name") from None
    await audit.record(db, principal, audit.CREATE, "retail.tier", tier.id,
                       audit.diff({}, msgspec.to_builtins(tier_out(tier))))
    return tier


async def tiers_of(db: AsyncSession, tenant_id: uuid.UUID, program_id: uuid.UUID
                   ) -> list[Tier]:
    """The program's tiers, lowest threshold first."""
    rows = await db.execute(select(Tier).where(Tier.tenant_id == tenant_id,
                                               Tier.program_id == program_id)
                            .order_by(Tier.threshold, Tier.name))
    return list(rows.scalars())


def reward_out(r: Reward) -> schemas.RewardOut:
    return schemas.RewardOut(id=r.id, program_id=r.program_id, name=r.name,
                             points_cost=r.points_cost, stock=r.stock, valid_days=r.valid_days,
                             active=r.active)


async def add_reward(db: AsyncSession, principal: Principal, program_id: uuid.UUID,
                     data: schemas.RewardIn) -> Reward:
    require_manager(principal)
    await get_program(db, principal, program_id)
    reward = Reward(tenant_id=principal.tenant_id, program_id=program_id, name=data.name,
                    points_cost=data.points_cost, stock=data.stock, valid_days=data.valid_days,
                    active=True)
    db.add(reward)
    await db.flush()
    await audit.record(db, principal, audit.CREATE, "retail.reward", reward.id,
                       audit.diff({}, msgspec.to_builtins(reward_out(reward))))
    return reward


async def list_rewards(db: AsyncSession, principal: Principal, program_id: uuid.UUID
                       ) -> list[Reward]:
    await get_program(db, principal, program_id)
    rows = await db.execute(select(Reward).where(Reward.tenant_id == principal.tenant_id,
                                                 Reward.program_id == program_id)
                            .order_by(Reward.points_cost, Reward.id))
    return list(rows.scalars())


Child = TypeVar("Child", Tier, Reward)


async def _child(db: AsyncSession, principal: Principal, model: type[Child],
                 program_id: uuid.UUID, child_id: uuid.UUID) -> Child:
    """A tier or reward of the acting tenant's program, locked; 404 (naming it) otherwise."""
    await get_program(db, principal, program_id)
    found = (await db.execute(select(model).where(
        model.tenant_id == principal.tenant_id, model.program_id == program_id,
        model.id == child_id).with_for_update())).scalar_one_or_none()
    if found is None:
        raise not_found(model.__name__)
    return found


async def change_tier(db: AsyncSession, principal: Principal, program_id: uuid.UUID,
                      tier_id: uuid.UUID, data: schemas.TierPatch) -> Tier:
    """A tier's name, threshold, multiplier and perks (what ``data`` holds), checked as on
    creation. Members keep the tier they hold: a new threshold applies from their next
    earning or the period's end."""
    require_manager(principal)
    tier = await _child(db, principal, Tier, program_id, tier_id)
    before = msgspec.to_builtins(tier_out(tier))
    values = data.changes()
    if "multiplier" in values:
        values["multiplier"] = decimal("multiplier", values["multiplier"], high=Decimal(100),
                                       positive=True)
    for key, value in values.items():
        setattr(tier, key, list(value) if key == "perks" else value)
    try:
        async with db.begin_nested():
            await db.flush()
    except IntegrityError:
        raise conflict("The program has a tier with this name") from None
    await audit.record(db, principal, audit.UPDATE, "retail.tier", tier.id,
                       audit.diff(before, msgspec.to_builtins(tier_out(tier))))
    return tier


async def remove_tier(db: AsyncSession, principal: Principal, program_id: uuid.UUID,
                      tier_id: uuid.UUID) -> None:
    """Remove a tier nobody holds; a tier members hold is refused (409) — they would lose
    it silently."""
    require_manager(principal)
    tier = await _child(db, principal, Tier, program_id, tier_id)
    held = (await db.execute(select(Member.id).where(
        Member.tenant_id == principal.tenant_id, Member.tier_id == tier_id).limit(1))
            ).scalar_one_or_none()
    if held is not None:
        raise conflict("Members hold this tier; it cannot be removed")
    await db.delete(tier)
    await db.flush()
    await audit.record(db, principal, audit.DELETE, "retail.tier", tier_id)


async def change_reward(db: AsyncSession, principal: Principal, program_id: uuid.UUID,
                        reward_id: uuid.UUID, data: schemas.RewardPatch) -> Reward:
    """A reward's name, cost, stock and validity (what ``data`` holds); vouchers already
    issued keep theirs."""
    require_manager(principal)
    reward = await _child(db, principal, Reward, program_id, reward_id)
    before = msgspec.to_builtins(reward_out(reward))
    for key, value in data.changes().items():
        setattr(reward, key, value)
    await db.flush()
    await audit.record(db, principal, audit.UPDATE, "retail.reward", reward.id,
                       audit.diff(before, msgspec.to_builtins(reward_out(reward))))
    return reward


async def retire_reward(db: AsyncSession, principal: Principal, program_id: uuid.UUID,
                        reward_id: uuid.UUID) -> Reward:
    """Take a reward out of the catalogue (no new redemptions); issued vouchers stay valid."""
    require_manager(principal)
    reward = await _child(db, principal, Reward, program_id, reward_id)
    if reward.active:
        reward.active = False
        await db.flush()
        await audit.record(db, principal, audit.UPDATE, "retail.reward", reward.id,
                           audit.diff({"active": True}, {"active": False}))
    return reward
