"""``/api/v1/retail``: programs (rules, tiers, rewards), products, members and cards, the
ledger, redemptions, the till and reports."""

from __future__ import annotations

import uuid
from typing import Annotated

from litestar import Controller, delete, get, patch, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.sdk import MAX_LIMIT, Principal, ReadTransaction, TenantHooks
from rapport_plugins.retail import (
    accounts,
    members,
    programs,
    reports,
    returns,
    rewards,
    schemas,
    stock,
    till,
)
from rapport_plugins.retail.roles import require_manager

Cursor = Annotated[str | None, QueryParameter(max_length=200)]
Limit = Annotated[int, QueryParameter(ge=1, le=MAX_LIMIT)]
Db = NamedDependency[AsyncSession]
Reads = NamedDependency[ReadTransaction]
Who = NamedDependency[Principal]
Hooks = NamedDependency[TenantHooks]


class ProgramController(Controller):
    path = "/programs"
    tags = ["retail"]

    @post("/", status_code=201)
    async def create(self, data: JSONBody[schemas.ProgramIn], principal: Who,
                     db: Db) -> schemas.ProgramOut:
        """A loyalty program: currency, points per currency unit, rounding, expiry, tiers'
        qualifying period."""
        return programs.program_out(await programs.create_program(db, principal, data))

    @get("/")
    async def list_all(self, principal: Who, db: Db) -> list[schemas.ProgramOut]:
        require_manager(principal)
        return [programs.program_out(p) for p in await programs.list_programs(db, principal)]

    @get("/{program_id:uuid}")
    async def read(self, program_id: FromPath[uuid.UUID], principal: Who,
                   db: Db) -> schemas.ProgramOut:
        require_manager(principal)
        return programs.program_out(await programs.get_program(db, principal, program_id))

    @patch("/{program_id:uuid}")
    async def change(self, program_id: FromPath[uuid.UUID],
                     data: JSONBody[schemas.ProgramPatch], principal: Who,
                     db: Db) -> schemas.ProgramOut:
        return programs.program_out(
            await programs.change_program(db, principal, program_id, data))

    @post("/{program_id:uuid}/rules", status_code=201)
    async def add_rule(self, program_id: FromPath[uuid.UUID], data: JSONBody[schemas.RuleIn],
                       principal: Who, db: Db) -> schemas.RuleOut:
        """A multiplier for a SKU, a category or (neither) the whole basket, optionally
        time-boxed (a bonus campaign)."""
        return programs.rule_out(await programs.add_rule(db, principal, program_id, data))

    @get("/{program_id:uuid}/rules")
    async def rules(self, program_id: FromPath[uuid.UUID], principal: Who,
                    db: Db) -> list[schemas.RuleOut]:
        require_manager(principal)
        return [programs.rule_out(r)
                for r in await programs.list_rules(db, principal, program_id)]

    @patch("/{program_id:uuid}/rules/{rule_id:uuid}")
    async def change_rule(self, program_id: FromPath[uuid.UUID], rule_id: FromPath[uuid.UUID],
                          data: JSONBody[schemas.RulePatch], principal: Who,
                          db: Db) -> schemas.RuleOut:
        """Change an earning rule: fields left out stay, ``null`` clears the SKU, the
        category or a campaign date; checked as on creation (a SKU or a category, not both;
        the end after the start)."""
        return programs.rule_out(await programs.change_rule(db, principal, program_id,
                                                            rule_id, data))

    @delete("/{program_id:uuid}/rules/{rule_id:uuid}", status_code=204)
    async def delete_rule(self, program_id: FromPath[uuid.UUID], rule_id: FromPath[uuid.UUID],
                          principal: Who, db: Db) -> None:
        await programs.delete_rule(db, principal, program_id, rule_id)

    @post("/{program_id:uuid}/tiers", status_code=201)
    async def add_tier(self, program_id: FromPath[uuid.UUID], data: JSONBody[schemas.TierIn],
                       principal: Who, db: Db) -> schemas.TierOut:
        return programs.tier_out(await programs.add_tier(db, principal, program_id, data))

    @get("/{program_id:uuid}/tiers")
    async def tiers(self, program_id: FromPath[uuid.UUID], principal: Who,
                    db: Db) -> list[schemas.TierOut]:
        require_manager(principal)
        await programs.get_program(db, principal, program_id)
        return [programs.tier_out(t)
                for t in await programs.tiers_of(db, principal.tenant_id, program_id)]

    @patch("/{program_id:uuid}/tiers/{tier_id:uuid}")
    async def change_tier(self, program_id: FromPath[uuid.UUID], tier_id: FromPath[uuid.UUID],
                          data: JSONBody[schemas.TierPatch], principal: Who,
                          db: Db) -> schemas.TierOut:
        """Change a tier's name, threshold, multiplier or perks (fields left out stay).
        Members keep the tier they hold; 409 when another tier of the program has the
        name."""
        return programs.tier_out(
            await programs.change_tier(db, principal, program_id, tier_id, data))

    @delete("/{program_id:uuid}/tiers/{tier_id:uuid}", status_code=204)
    async def remove_tier(self, program_id: FromPath[uuid.UUID], tier_id: FromPath[uuid.UUID],
                          principal: Who, db: Db) -> None:
        """Remove a tier nobody holds; 409 while members hold it."""
        await programs.remove_tier(db, principal, program_id, tier_id)

    @post("/{program_id:uuid}/rewards", status_code=201)
    async def add_reward(self, program_id: FromPath[uuid.UUID],
                         data: JSONBody[schemas.RewardIn], principal: Who,
                         db: Db) -> schemas.RewardOut:
        return programs.reward_out(await programs.add_reward(db, principal, program_id, data))

    @get("/{program_id:uuid}/rewards")
    async def rewards(self, program_id: FromPath[uuid.UUID], principal: Who,
                      db: Db) -> list[schemas.RewardOut]:
        return [programs.reward_out(r)
                for r in await programs.list_rewards(db, principal, program_id)]

    @patch("/{program_id:uuid}/rewards/{reward_id:uuid}")
    async def change_reward(self, program_id: FromPath[uuid.UUID],
                            reward_id: FromPath[uuid.UUID], data: JSONBody[schemas.RewardPatch],
                            principal: Who, db: Db) -> schemas.RewardOut:
        """Change a reward's name, cost, stock (``null``: unlimited) or validity (fields
        left out stay); vouchers already issued keep theirs."""
        return programs.reward_out(
            await programs.change_reward(db, principal, program_id, reward_id, data))

    @delete("/{program_id:uuid}/rewards/{reward_id:uuid}", status_code=204)
    async def retire_reward(self, program_id: FromPath[uuid.UUID],
                            reward_id: FromPath[uuid.UUID], principal: Who, db: Db) -> None:
        """Retire a reward: out of the catalogue, no new redemptions; vouchers already
        issued stay valid and the reward stays listed (``active: false``)."""
        await programs.retire_reward(db, principal, program_id, reward_id)

    @post("/{program_id:uuid}/card-stock", status_code=201)
    async def add_stock(self, program_id: FromPath[uuid.UUID], data: JSONBody[schemas.StockIn],
                        principal: Who, db: Db) -> schemas.StockOut:
        """Register pre-printed plastic cards by range: ``count`` numbers from ``first``
        (Luhn-checked); ranges never overlap. Once a program has stock, plastic cards are
        issued only with numbers from it."""
        return await stock.stock_out(db, await stock.register(db, principal, program_id, data))

    @get("/{program_id:uuid}/card-stock")
    async def list_stock(self, program_id: FromPath[uuid.UUID], principal: Who,
                         db: Db) -> list[schemas.StockOut]:
        """The program's registered card stock, with how many cards of each range are
        issued."""
        return [await stock.stock_out(db, s)
                for s in await stock.list_stock(db, principal, program_id)]

    @get("/{program_id:uuid}/report")
    async def report(self, program_id: FromPath[uuid.UUID], principal: Who,
                     db: Db) -> schemas.ReportOut:
        """Members per tier, points issued/redeemed/expired per month, liability in money."""
        return await reports.program_report(db, principal, program_id)


class ProductController(Controller):
    path = "/products"
    tags = ["retail"]

    @put("/")
    async def put_category(self, data: JSONBody[schemas.ProductIn], principal: Who,
                           db: Db) -> schemas.ProductOut:
        """The category a SKU (a purchase line's ``product``) belongs to; category
        multipliers match it."""
        return await programs.set_product(db, principal, data.sku, data.category)


class MemberController(Controller):
    path = "/members"
    tags = ["retail"]

    @post("/", status_code=201)
    async def join(self, data: JSONBody[schemas.MemberIn], principal: Who, db: Db,
                   hooks: Hooks) -> schemas.MemberOut:
        """A contact joins a program and gets a card (virtual: numbered for you; plastic:
        the pre-printed number, Luhn-checked)."""
        return await members.member_out(db, await members.join(db, principal, hooks, data))

    @get("/{member_id:uuid}")
    async def read(self, member_id: FromPath[uuid.UUID], principal: Who,
                   db: Db) -> schemas.MemberOut:
        require_manager(principal)
        return await members.member_out(db, await members.get_member(db, principal, member_id))

    @get("/{member_id:uuid}/ledger")
    async def ledger(self, member_id: FromPath[uuid.UUID], principal: Who, db: Db,
                     cursor: Cursor = None, limit: Limit = 50) -> schemas.LedgerPage:
        return await accounts.ledger_page(db, principal, member_id, cursor, limit)

    @post("/{member_id:uuid}/adjustments", status_code=201)
    async def adjust(self, member_id: FromPath[uuid.UUID],
                     data: JSONBody[schemas.AdjustmentIn], principal: Who, db: Db,
                     hooks: Hooks) -> schemas.EntryOut:
        """Add or take points by hand, with a reason (audited)."""
        return await accounts.adjust(db, principal, hooks, member_id, data)

    @post("/{member_id:uuid}/redemptions", status_code=201)
    async def redeem(self, member_id: FromPath[uuid.UUID],
                     data: JSONBody[schemas.RedemptionIn], principal: Who, db: Db,
                     hooks: Hooks) -> schemas.VoucherOut:
        """Spend points on a reward: a voucher with an unguessable code."""
        return await rewards.redeem_reward(db, principal, hooks, member_id, data)

    @post("/{member_id:uuid}/cards", status_code=201)
    async def add_card(self, member_id: FromPath[uuid.UUID], data: JSONBody[schemas.CardIn],
                       principal: Who, db: Db, hooks: Hooks) -> schemas.CardOut:
        """Another card for the member (the balance stays the member's; each card has its
        own daily earn and redeem caps). 409 for an erased member or a number in use."""
        return members.card_out(await members.add_card(db, principal, hooks, member_id,
                                                       data))

    @post("/{member_id:uuid}/erasure", status_code=201)
    async def erase(self, member_id: FromPath[uuid.UUID], principal: Who, db: Db,
                    hooks: Hooks) -> schemas.MemberOut:
        """Erase the member's identity (GDPR): contact link, notes and cards go; the
        anonymised ledger stays for the accounts."""
        return await members.member_out(db, await members.erase(db, principal, hooks,
                                                                member_id))

    @get("/{member_id:uuid}/tier-history")
    async def tier_history(self, member_id: FromPath[uuid.UUID], principal: Who,
                           db: Db) -> list[schemas.TierChangeOut]:
        return await reports.tier_history(db, principal, member_id)


class CardController(Controller):
    path = "/cards"
    tags = ["retail"]

    @post("/{number:str}/block")
    async def block(self, number: FromPath[str], data: JSONBody[schemas.BlockIn],
                    principal: Who, db: Db, hooks: Hooks) -> schemas.CardOut:
        return members.card_out(await members.block(db, principal, hooks, number, data.state))

    @post("/{number:str}/replace", status_code=201)
    async def replace(self, number: FromPath[str], data: JSONBody[schemas.ReplaceIn],
                      principal: Who, db: Db, hooks: Hooks) -> schemas.CardOut:
        """A new card for the same member; balance and history carry over."""
        return members.card_out(await members.replace(db, principal, hooks, number, data))


class TillController(Controller):
    path = "/till"
    tags = ["retail"]

    @get("/cards/{number:str}")
    async def card(self, number: FromPath[str], principal: Who, reads: Reads
                   ) -> schemas.CardView:
        """Everything the cashier needs at a scan: name and salutation, birthday, tier and
        progress, balance, vouchers, offers, notes, last visits. 404 unknown card; 409
        blocked, lost or replaced (naming the replacement)."""
        return await till.card_view(reads, principal, number)

    @post("/purchases", status_code=201)
    async def purchase(self, data: JSONBody[schemas.PurchaseIn], principal: Who, db: Db,
                       hooks: Hooks) -> schemas.PurchaseOut:
        """Record a purchase (a kernel transaction; points follow its event), use a voucher
        and redeem points. The same ``external_id`` again returns the same answer."""
        return await till.purchase(db, principal, hooks, data)

    @post("/returns", status_code=201)
    async def give_back(self, data: JSONBody[schemas.ReturnIn], principal: Who, db: Db,
                        hooks: Hooks) -> schemas.ReturnOut:
        """A full or partial return of a purchase (at the till, or recorded through
        ``POST /api/v1/transactions``), by ``amount`` or by ``lines`` (SKU and quantity):
        the points it earned taken back — in proportion to the money, or what the lines
        earned — per the program's return rule (409 if it refuses or the balance cannot
        cover it), its redeemed points given back with a new expiry. 422 names a SKU not in
        the purchase or more than is left of it. Once per ``return_id``."""
        return await returns.refund(db, principal, hooks, data)


CONTROLLERS = [ProgramController, ProductController, MemberController, CardController,
               TillController]
