"""The attribution report: for each purchase in ``[from, to)`` the contact's touches (every
interaction but purchases and notes: messages sent/opened/clicked, ad impressions, visits,
calls, meetings …) within the look-back window before it share one unit of credit by the
model; credit and the revenue it carries are summed per channel and per campaign, per
currency. One set-based statement whatever the number of purchases.

Models: ``last_touch`` (all to the latest touch), ``first_touch`` (all to the earliest),
``linear`` (equal shares), ``time_decay`` (shares halving every 7 days of age before the
purchase)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Literal

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.errors import invalid

Model = Literal["last_touch", "first_touch", "linear", "time_decay"]
HALF_LIFE_DAYS = 7
EXCLUDED_KINDS = ("purchase", "note")

SQL = text("""
WITH purchases AS (
    SELECT t.id, t.contact_id, t.occurred_at, t.amount, t.currency
    FROM transactions t
    WHERE t.tenant_id = :tenant AND t.kind = 'purchase' AND t.contact_id IS NOT NULL
      AND t.occurred_at >= :start AND t.occurred_at < :stop
),
touches AS (
    SELECT p.id AS purchase_id, p.amount, p.currency,
           coalesce(i.channel, i.kind) AS channel, i.campaign,
           row_number() OVER (PARTITION BY p.id ORDER BY i.occurred_at, i.id) AS n_first,
           row_number() OVER (PARTITION BY p.id ORDER BY i.occurred_at DESC, i.id DESC)
               AS n_last,
           count(*) OVER (PARTITION BY p.id) AS n_all,
           power(0.5, extract(epoch FROM p.occurred_at - i.occurred_at)
                      / (86400.0 * :half_life)) AS decay
    FROM purchases p
    JOIN interactions i
      ON i.tenant_id = :tenant AND i.contact_id = p.contact_id
     AND i.occurred_at <= p.occurred_at
     AND i.occurred_at > p.occurred_at - make_interval(days => :window)
     AND i.kind NOT IN ('purchase', 'note')
),
credited AS (
    SELECT channel, campaign, currency, amount,
           CASE :model
               WHEN 'last_touch' THEN (n_last = 1)::int::numeric
               WHEN 'first_touch' THEN (n_first = 1)::int::numeric
               WHEN 'linear' THEN 1.0 / n_all
               ELSE (decay / sum(decay) OVER (PARTITION BY purchase_id))::numeric
           END AS credit
    FROM touches
)
SELECT 'channel' AS dimension, channel AS key, currency,
       sum(credit) AS credit, sum(credit * amount) AS revenue
FROM credited GROUP BY channel, currency
UNION ALL
SELECT 'campaign', campaign, currency, sum(credit), sum(credit * amount)
FROM credited WHERE campaign IS NOT NULL GROUP BY campaign, currency
UNION ALL
SELECT 'purchases', NULL, NULL, count(*),
       (SELECT count(DISTINCT purchase_id) FROM touches)
FROM purchases
""")


@dataclass(frozen=True)
class Credit:
    key: str
    currency: str
    credit: Decimal
    revenue: Decimal


@dataclass(frozen=True)
class Attribution:
    purchases: int
    attributed: int
    channels: list[Credit]
    campaigns: list[Credit]


def _order(c: Credit) -> tuple[Decimal, str, str]:
    return (-c.credit, c.key, c.currency)


async def attribution(session: AsyncSession, tenant_id: uuid.UUID, start: datetime,
                      stop: datetime, model: Model, window_days: int) -> Attribution:
    if stop <= start:
        raise invalid("to", "must be after from")
    rows = (await session.execute(SQL, {
        "tenant": tenant_id, "start": start, "stop": stop, "model": model,
        "window": window_days, "half_life": HALF_LIFE_DAYS})).all()
    found: dict[str, list[Credit]] = {"channel": [], "campaign": []}
    purchases = attributed = 0
    for dimension, key, currency, credit, revenue in rows:
        if dimension == "purchases":
            purchases, attributed = int(credit), int(revenue)
        elif credit:
            found[dimension].append(Credit(key, currency, round(Decimal(credit), 4),
                                           round(Decimal(revenue), 2)))
    return Attribution(purchases, attributed, sorted(found["channel"], key=_order),
                       sorted(found["campaign"], key=_order))
