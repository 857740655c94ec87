"""The card scan in one statement: the card, its member, program and contact, the tenant's
default language, the program's tiers, the member's active vouchers and last visits, and
the three kinds of offers read from the database (five visits, three offers of each kind:
rules on SKUs the member bought, what their relationship groups buy, affordable rewards;
the tier's perks are added in Python) — every list built as JSON text by
PostgreSQL and decoded by msgspec straight into the response's structs, no ORM objects.

Each part is an index walk by key (the card's number, the member's id, the program's id),
and the balance is a column, so the statement costs the same on a tenant of a thousand
members or a million. ``bench/retail.py`` runs this same text directly with psycopg as
the baseline.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import msgspec
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from rapport_plugins.retail import schemas

SQL = """
SELECT k.number, k.kind, k.state,
  (SELECT r.number FROM retail_cards r
    WHERE r.tenant_id = k.tenant_id AND r.id = k.replaced_by) AS replacement,
  m.id AS member_id, m.contact_id, m.balance, m.pending, m.qualifying_points, m.tier_id,
  m.staff, m.notes, p.name AS program, p.currency, p.time_zone,
  c.display_name, c.email, c.language, c.honorific, c.given_name, c.patronymic,
  c.family_name, c.preferred_name, c.birthday,
  (SELECT s.default_locale FROM contact_settings s
    WHERE s.tenant_id = k.tenant_id) AS default_locale,
  (SELECT json_agg(json_build_object('id', t.id, 'name', t.name, 'threshold', t.threshold,
                                     'perks', t.perks) ORDER BY t.threshold, t.name)
     FROM retail_tiers t
    WHERE t.tenant_id = m.tenant_id AND t.program_id = m.program_id)::text AS tiers,
  (SELECT json_agg(json_build_object('id', v.id, 'code', v.code, 'reward_id', v.reward_id,
                                     'reward', w.name, 'state', v.state,
                                     'expires_at', v.expires_at, 'used_at', v.used_at)
                   ORDER BY v.expires_at)
     FROM retail_vouchers v
     JOIN retail_rewards w ON w.tenant_id = v.tenant_id AND w.id = v.reward_id
    WHERE v.tenant_id = m.tenant_id AND v.member_id = m.id AND v.state = 'issued'
      AND v.expires_at > now())::text AS vouchers,
  (SELECT json_agg(json_build_object('at', e.created_at, 'amount', trim_scale(e.amount)::text,
                                     'points', e.points) ORDER BY e.created_at DESC)
     FROM (SELECT created_at, amount, points FROM retail_ledger
            WHERE tenant_id = m.tenant_id AND member_id = m.id AND kind = 'earn'
            ORDER BY created_at DESC LIMIT 5) e)::text AS visits,
  (SELECT json_agg(json_build_object(
            'kind', 'bonus',
            'title', x.name || ': ' || x.sku || ' x' || trim_scale(x.multiplier)::text))
     FROM (SELECT r.name, r.sku, r.multiplier FROM retail_rules r
             JOIN retail_bought b ON b.tenant_id = r.tenant_id AND b.sku = r.sku
                                 AND b.member_id = m.id
            WHERE r.tenant_id = m.tenant_id AND r.program_id = m.program_id
              AND (r.starts_at IS NULL OR r.starts_at <= now())
              AND (r.ends_at IS NULL OR r.ends_at > now())
            ORDER BY r.multiplier DESC, b.times DESC LIMIT 3) x)::text AS bonus,
  (SELECT json_agg(json_build_object('kind', 'group', 'title', g.sku))
     FROM (SELECT b.sku FROM retail_bought b
             JOIN retail_members o ON o.tenant_id = b.tenant_id AND o.id = b.member_id
             JOIN contact_relationship_members rm ON rm.tenant_id = o.tenant_id
                                                 AND rm.contact_id = o.contact_id
            WHERE b.tenant_id = m.tenant_id
              AND rm.relationship_id IN (
                  SELECT relationship_id FROM contact_relationship_members
                   WHERE tenant_id = m.tenant_id AND contact_id = m.contact_id)
              AND o.contact_id <> m.contact_id
              AND b.sku NOT IN (SELECT sku FROM retail_bought
                                 WHERE tenant_id = m.tenant_id AND member_id = m.id)
            GROUP BY b.sku ORDER BY sum(b.times) DESC, b.sku LIMIT 3) g)::text AS liked,
  (SELECT json_agg(json_build_object('kind', 'reward', 'title', a.name, 'reward_id', a.id,
                                     'points_cost', a.points_cost))
     FROM (SELECT name, id, points_cost FROM retail_rewards
            WHERE tenant_id = m.tenant_id AND program_id = m.program_id AND active
              AND points_cost <= m.balance
            ORDER BY points_cost DESC LIMIT 3) a)::text AS rewards
FROM retail_cards k
JOIN retail_members m ON m.tenant_id = k.tenant_id AND m.id = k.member_id
JOIN retail_programs p ON p.tenant_id = m.tenant_id AND p.id = m.program_id
JOIN contacts c ON c.tenant_id = m.tenant_id AND c.id = m.contact_id
WHERE k.tenant_id = :t AND k.number = :number
"""

STATEMENT = text(SQL)


class TierRow(msgspec.Struct):
    id: uuid.UUID
    name: str
    threshold: int
    perks: list[str]


_tiers = msgspec.json.Decoder(list[TierRow])
_vouchers = msgspec.json.Decoder(list[schemas.VoucherOut])
_visits = msgspec.json.Decoder(list[schemas.Visit])
_offers = msgspec.json.Decoder(list[schemas.Offer])


class Scan(msgspec.Struct):
    """One scanned card's row, the lists decoded."""

    number: str
    kind: str
    state: str
    replacement: str | None
    member_id: uuid.UUID
    contact_id: uuid.UUID
    balance: int
    pending: int
    qualifying_points: int
    tier_id: uuid.UUID | None
    staff: bool
    notes: str | None
    program: str
    currency: str
    time_zone: str
    display_name: str
    email: str | None
    language: str | None
    names: dict[str, Any]
    birthday: date | None
    default_locale: str | None
    tiers: list[TierRow]
    vouchers: list[schemas.VoucherOut]
    visits: list[schemas.Visit]
    offers: list[schemas.Offer]


def _list(decoder: msgspec.json.Decoder[Any], raw: str | None) -> list[Any]:
    return decoder.decode(raw) if raw else []


async def scan(db: AsyncSession, tenant_id: uuid.UUID, number: str) -> Scan | None:
    row = (await db.execute(STATEMENT, {"t": tenant_id, "number": number})).first()
    if row is None:
        return None
    r = row._mapping
    return Scan(
        number=r["number"], kind=r["kind"], state=r["state"], replacement=r["replacement"],
        member_id=r["member_id"], contact_id=r["contact_id"], balance=r["balance"],
        pending=r["pending"], qualifying_points=r["qualifying_points"], tier_id=r["tier_id"],
        staff=r["staff"], notes=r["notes"], program=r["program"], currency=r["currency"],
        time_zone=r["time_zone"], display_name=r["display_name"], email=r["email"],
        language=r["language"],
        names={k: r[k] for k in ("honorific", "given_name", "patronymic", "family_name",
                                 "preferred_name")},
        birthday=r["birthday"], default_locale=r["default_locale"],
        tiers=_list(_tiers, r["tiers"]), vouchers=_list(_vouchers, r["vouchers"]),
        visits=_list(_visits, r["visits"]),
        offers=_list(_offers, r["bonus"]) + _list(_offers, r["liked"])
        + _list(_offers, r["rewards"]))
