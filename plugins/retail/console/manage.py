"""The loyalty manager's program screens: create and edit a program (the same structs and
service as ``/api/v1/retail/programs``, so a form refuses what the API refuses, beside the
field), and its tiers (add, edit, remove) and rewards (add, edit, retire). Every action runs
in a savepoint: a refusal writes nothing. Managers only — others get 403 and see no forms."""

from __future__ import annotations

import re
import uuid
from collections.abc import Awaitable, Callable, Mapping
from datetime import date, datetime, time, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import msgspec
from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.sdk import FieldError, Principal, RapportError, Screen, invalid_many
from rapport_plugins.retail import programs, schemas
from rapport_plugins.retail.console.words import N_
from rapport_plugins.retail.roles import require_manager

Db = NamedDependency[AsyncSession]
Who = NamedDependency[Principal]
T = TypeVar("T")
P = TypeVar("P", schemas.TierPatch, schemas.RewardPatch, schemas.RulePatch)
_AT = re.compile(r"at `\$\.?([\w.\[\]]*)`|missing required field `(\w+)`")

PROGRAM_FIELDS = ("name", "currency", "points_per_unit", "min_purchase", "rounding",
                  "expiry_months", "tier_period", "pending_days", "daily_earn_cap",
                  "daily_redeem_cap", "return_rule", "downgrade", "value_per_point",
                  "expected_redemption_rate", "time_zone")
TIER_FIELDS = ("name", "threshold", "multiplier", "perks")
REWARD_FIELDS = ("name", "points_cost", "stock", "valid_days")
RULE_FIELDS = ("name", "multiplier", "sku", "category", "starts_at", "ends_at")
EDIT, NEW = N_("Loyalty program"), N_("New loyalty program")
CHOICES = {
    "rounding": ("down", "nearest", "up"),
    "tier_period": ("calendar_year", "rolling_12_months", "anniversary"),
    "return_rule": ("claw_back", "negative", "refuse"),
    "downgrade": ("supported", "one_step"),
}


async def _posted(request: Request, fields: tuple[str, ...]) -> dict[str, Any]:
    form = await request.form()
    return {k: str(form.get(k) or "").strip() for k in fields}


def _parse(data: Mapping[str, Any], into: type[T]) -> T:
    """``data`` as ``into`` (blank fields left to the struct's defaults), or a 422 naming
    the field."""
    blank = {k: v for k, v in data.items() if v not in ("", None, [])}
    if "perks" in data:
        blank["perks"] = [p.strip() for p in str(data["perks"]).splitlines() if p.strip()]
    try:
        return msgspec.convert(blank, into, strict=False)
    except msgspec.ValidationError as exc:
        message = str(exc)
        found = _AT.search(message)
        field = ((found.group(1) or found.group(2)) if found else "form").split("[")[0]
        raise invalid_many([FieldError(field, message.split(" - at ")[0])]) from exc


def _whole(data: Mapping[str, Any], form: type[msgspec.Struct], into: type[P]) -> P:
    """A whole form (checked as on creation: blank required fields refused, blank optional
    ones to their defaults) as the patch that sets every field of it."""
    return into(**msgspec.structs.asdict(_parse(data, form)))


def _errors(exc: RapportError) -> dict[str, str]:
    errors = {e.field.split("[")[0].split(".")[-1]: e.message for e in exc.errors}
    if not errors and exc.status == 409 and "name" in exc.detail:
        return {"name": exc.detail}  # the only clash of a program, tier or reward is its name
    return errors or {"form": exc.detail}


def _go(request: Request, target: str) -> Response[str]:
    if request.headers.get("hx-request") == "true":
        return Response("", status_code=200, headers={"HX-Redirect": target})
    return Response("", status_code=303, headers={"Location": target})


async def _attempt(db: AsyncSession, action: Callable[[], Awaitable[Any]]) -> Any:
    async with db.begin_nested():  # refused: nothing of it stays
        return await action()


def _values(program: schemas.ProgramOut | None) -> dict[str, Any]:
    if program is None:
        return {"currency": "UAH", "points_per_unit": "1", "min_purchase": "0",
                "rounding": "down", "expiry_months": "12", "tier_period": "calendar_year",
                "pending_days": "0", "return_rule": "claw_back", "downgrade": "supported",
                "value_per_point": "0.01", "expected_redemption_rate": "0.8",
                "time_zone": "UTC"}
    out = msgspec.to_builtins(program)
    return {k: "" if out.get(k) is None else str(out[k]) for k in PROGRAM_FIELDS}


async def _screen(db: AsyncSession, principal: Principal, program_id: uuid.UUID | None, *,
                  status: int = 200, failed: str | None = None,
                  values: dict[str, Any] | None = None,
                  errors: dict[str, str] | None = None) -> Screen:
    require_manager(principal)
    program, tiers, rewards, rules = None, [], [], []
    if program_id is not None:
        found = await programs.get_program(db, principal, program_id)
        program = programs.program_out(found)
        tiers = [programs.tier_out(t) for t in await programs.tiers_of(
            db, principal.tenant_id, program_id)]
        rewards = [programs.reward_out(r) for r in await programs.list_rewards(
            db, principal, program_id)]
        zone = ZoneInfo(found.time_zone)
        rules = [(programs.rule_out(r), r.starts_at and r.starts_at.astimezone(zone).date(),
                  r.ends_at and (r.ends_at - timedelta(seconds=1)).astimezone(zone).date())
                 for r in await programs.list_rules(db, principal, program_id)]
    return Screen("retail/program.html", EDIT if program else NEW,
                  {"program": program, "tiers": tiers, "rewards": rewards, "rules": rules,
                   "current": _values(program), "choices": CHOICES, "failed": failed,
                   "values": values or {}, "errors": errors or {}},
                  status=status)


def _refused(exc: RapportError) -> bool:
    return exc.status in (404, 409, 422)


@get("/programs/new")
async def new_program(principal: Who, db: Db) -> Screen:
    return await _screen(db, principal, None)


@post("/programs/new", status_code=200)
async def create_program(request: Request, principal: Who, db: Db) -> Screen | Response[Any]:
    require_manager(principal)
    values = await _posted(request, PROGRAM_FIELDS)
    try:
        created = await _attempt(db, lambda: programs.create_program(
            db, principal, _parse(values, schemas.ProgramIn)))
    except RapportError as exc:
        if not _refused(exc):
            raise
        return await _screen(db, principal, None, status=exc.status, failed="program",
                             values=values, errors=_errors(exc))
    return _go(request, f"/apps/retail/programs/{created.id}")


@get("/programs/{program_id:uuid}")
async def program_page(program_id: FromPath[uuid.UUID], principal: Who, db: Db) -> Screen:
    return await _screen(db, principal, program_id)


@post("/programs/{program_id:uuid}", status_code=200)
async def change_program(program_id: FromPath[uuid.UUID], request: Request, principal: Who,
                         db: Db) -> Screen | Response[Any]:
    require_manager(principal)
    values = await _posted(request, PROGRAM_FIELDS)
    given = {k: v for k, v in values.items() if k != "currency"}  # fixed once created
    try:
        await _attempt(db, lambda: programs.change_program(
            db, principal, program_id, _parse(given, schemas.ProgramPatch)))
    except RapportError as exc:
        if not _refused(exc):
            raise
        return await _screen(db, principal, program_id, status=exc.status, failed="program",
                             values=values, errors=_errors(exc))
    return _go(request, f"/apps/retail/programs/{program_id}")


async def _child(request: Request, principal: Principal, db: AsyncSession,
                 program_id: uuid.UUID, key: str, fields: tuple[str, ...],
                 action: Callable[[dict[str, Any]], Awaitable[Any]]) -> Screen | Response[Any]:
    require_manager(principal)
    values = await _posted(request, fields) if fields else {}
    try:
        await _attempt(db, lambda: action(values))
    except RapportError as exc:
        if not _refused(exc):
            raise
        return await _screen(db, principal, program_id, status=exc.status, failed=key,
                             values=values, errors=_errors(exc))
    return _go(request, f"/apps/retail/programs/{program_id}#{key.split('-')[0]}s")


@post("/programs/{program_id:uuid}/tiers", status_code=200)
async def add_tier(program_id: FromPath[uuid.UUID], request: Request, principal: Who,
                   db: Db) -> Screen | Response[Any]:
    return await _child(request, principal, db, program_id, "tier-new", TIER_FIELDS,
                        lambda v: programs.add_tier(db, principal, program_id,
                                                    _parse(v, schemas.TierIn)))


@post("/programs/{program_id:uuid}/tiers/{tier_id:uuid}", status_code=200)
async def change_tier(program_id: FromPath[uuid.UUID], tier_id: FromPath[uuid.UUID],
                      request: Request, principal: Who, db: Db) -> Screen | Response[Any]:
    return await _child(request, principal, db, program_id, f"tier-{tier_id}", TIER_FIELDS,
                        lambda v: programs.change_tier(db, principal, program_id, tier_id,
                                                       _whole(v, schemas.TierIn,
                                                              schemas.TierPatch)))


@post("/programs/{program_id:uuid}/tiers/{tier_id:uuid}/remove", status_code=200)
async def remove_tier(program_id: FromPath[uuid.UUID], tier_id: FromPath[uuid.UUID],
                      request: Request, principal: Who, db: Db) -> Screen | Response[Any]:
    return await _child(request, principal, db, program_id, f"tier-{tier_id}", (),
                        lambda _: programs.remove_tier(db, principal, program_id, tier_id))


@post("/programs/{program_id:uuid}/rewards", status_code=200)
async def add_reward(program_id: FromPath[uuid.UUID], request: Request, principal: Who,
                     db: Db) -> Screen | Response[Any]:
    return await _child(request, principal, db, program_id, "reward-new", REWARD_FIELDS,
                        lambda v: programs.add_reward(db, principal, program_id,
                                                      _parse(v, schemas.RewardIn)))


@post("/programs/{program_id:uuid}/rewards/{reward_id:uuid}", status_code=200)
async def change_reward(program_id: FromPath[uuid.UUID], reward_id: FromPath[uuid.UUID],
                        request: Request, principal: Who, db: Db) -> Screen | Response[Any]:
    return await _child(request, principal, db, program_id, f"reward-{reward_id}",
                        REWARD_FIELDS,
                        lambda v: programs.change_reward(db, principal, program_id, reward_id,
                                                         _whole(v, schemas.RewardIn,
                                                                schemas.RewardPatch)))


@post("/programs/{program_id:uuid}/rewards/{reward_id:uuid}/retire", status_code=200)
async def retire_reward(program_id: FromPath[uuid.UUID], reward_id: FromPath[uuid.UUID],
                        request: Request, principal: Who, db: Db) -> Screen | Response[Any]:
    return await _child(request, principal, db, program_id, f"reward-{reward_id}", (),
                        lambda _: programs.retire_reward(db, principal, program_id,
                                                         reward_id))


def _day(value: str, zone: str, *, after: bool) -> str:
    """A date field as the aware start of that day in the program's time zone (of the next
    day for an end: a campaign runs through its last day); anything else is left for the
    struct to refuse, naming the field."""
    try:
        day = date.fromisoformat(value) + timedelta(days=1 if after else 0)
    except ValueError:
        return value
    return datetime.combine(day, time(0), ZoneInfo(zone)).isoformat()


@post("/programs/{program_id:uuid}/rules", status_code=200)
async def add_rule(program_id: FromPath[uuid.UUID], request: Request, principal: Who,
                   db: Db) -> Screen | Response[Any]:
    """An earning rule: a multiplier for a SKU or a category, optionally time-boxed."""
    require_manager(principal)
    zone = (await programs.get_program(db, principal, program_id)).time_zone

    def rule(v: dict[str, Any]) -> schemas.RuleIn:
        days = {k: _day(v[k], zone, after=k == "ends_at") for k in ("starts_at", "ends_at")
                if v.get(k)}
        return _parse({**v, **days}, schemas.RuleIn)

    return await _child(request, principal, db, program_id, "rule-new", RULE_FIELDS,
                        lambda v: programs.add_rule(db, principal, program_id, rule(v)))


@post("/programs/{program_id:uuid}/rules/{rule_id:uuid}", status_code=200)
async def change_rule(program_id: FromPath[uuid.UUID], rule_id: FromPath[uuid.UUID],
                      request: Request, principal: Who, db: Db) -> Screen | Response[Any]:
    """A rule's form posts the whole rule (``RuleIn``'s checks), set as the ``RulePatch``
    the API takes: an emptied SKU, category or date clears it."""
    require_manager(principal)
    zone = (await programs.get_program(db, principal, program_id)).time_zone

    def rule(v: dict[str, Any]) -> schemas.RulePatch:
        days = {k: _day(v[k], zone, after=k == "ends_at") for k in ("starts_at", "ends_at")
                if v.get(k)}
        return _whole({**v, **days}, schemas.RuleIn, schemas.RulePatch)

    return await _child(request, principal, db, program_id, f"rule-{rule_id}", RULE_FIELDS,
                        lambda v: programs.change_rule(db, principal, program_id, rule_id,
                                                       rule(v)))


@post("/programs/{program_id:uuid}/rules/{rule_id:uuid}/remove", status_code=200)
async def remove_rule(program_id: FromPath[uuid.UUID], rule_id: FromPath[uuid.UUID],
                      request: Request, principal: Who, db: Db) -> Screen | Response[Any]:
    return await _child(request, principal, db, program_id, f"rule-{rule_id}", (),
                        lambda _: programs.delete_rule(db, principal, program_id, rule_id))


PAGES = [new_program, create_program, program_page, change_program, add_rule, change_rule,
         remove_rule,
         add_tier, change_tier, remove_tier, add_reward, change_reward, retire_reward]
