"""RFM, ABC and XYZ for every contact of a tenant, each in one set-based statement.

Each class is one ``WITH`` statement: ``purchases`` (the tenant's transactions in the
currency and period), the class per contact (window functions: ``percent_rank`` for RFM
scores, a running ``sum`` for the Pareto shares, per-period sums for the variation), then
in the same statement the history rows (a full join of the new classes with the stored
ones, where they differ), the stored rows of contacts who lost the class, and an upsert
that rewrites only rows whose values changed — so a recompute after a few new purchases
writes few rows. The tenant is named in every part; forced RLS is the second lock.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core.analytics.parameters import Parameters

# The usual RFM cells, on the 1-5 scale of recency (r5) and frequency (f5); other bin
# counts are mapped onto it first (docs/analytics.md has the table).
RFM_CELLS = (
    "champions", "loyal", "potential_loyalists", "new_customers", "promising",
    "need_attention", "about_to_sleep", "cannot_lose", "at_risk", "hibernating", "lost",
)
ABC = ("A", "B", "C")
XYZ = ("X", "Y", "Z")
CLASSES = {"rfm": RFM_CELLS, "abc": ABC, "xyz": XYZ}

PURCHASES = """
purchases AS (
    SELECT contact_id, occurred_at, amount FROM transactions
    WHERE tenant_id = :tenant AND currency = :currency AND contact_id IS NOT NULL
      AND occurred_at >= CAST(:since AS timestamptz) AND occurred_at < CAST(:until AS timestamptz)
)"""

RFM = """
totals AS (
    SELECT contact_id, max(occurred_at) AS last_at, count(*) AS frequency,
           sum(amount) AS monetary
    FROM purchases GROUP BY contact_id
),
scored AS (
    SELECT contact_id, frequency, monetary,
           floor(extract(epoch FROM CAST(:until AS timestamptz) - last_at) / 86400)::int
               AS recency_days,
           least(:bins, 1 + floor(percent_rank() OVER (ORDER BY last_at) * :bins))::smallint
               AS r,
           least(:bins, 1 + floor(percent_rank() OVER (ORDER BY frequency) * :bins))::smallint
               AS f,
           least(:bins, 1 + floor(percent_rank() OVER (ORDER BY monetary) * :bins))::smallint
               AS m
    FROM totals
),
fives AS (
    SELECT scored.*, ceil(r * 5.0 / :bins) AS r5, ceil(f * 5.0 / :bins) AS f5 FROM scored
),
fresh AS (
    SELECT contact_id, recency_days, frequency, monetary, r, f, m,
           CASE
               WHEN r5 = 5 AND f5 >= 4 THEN 'champions'
               WHEN r5 >= 3 AND f5 >= 4 THEN 'loyal'
               WHEN r5 >= 4 AND f5 >= 2 THEN 'potential_loyalists'
               WHEN r5 = 5 THEN 'new_customers'
               WHEN r5 = 4 THEN 'promising'
               WHEN r5 = 3 AND f5 = 3 THEN 'need_attention'
               WHEN r5 = 3 THEN 'about_to_sleep'
               WHEN f5 = 5 THEN 'cannot_lose'
               WHEN f5 >= 3 THEN 'at_risk'
               WHEN r5 = 2 THEN 'hibernating'
               ELSE 'lost'
           END AS class
    FROM fives
)"""

ABC_SQL = """
totals AS (
    SELECT contact_id, sum(amount) AS revenue FROM purchases
    GROUP BY contact_id HAVING sum(amount) > 0
),
ranked AS (
    SELECT contact_id, revenue / sum(revenue) OVER () AS share,
           (sum(revenue) OVER (ORDER BY revenue DESC, contact_id ROWS UNBOUNDED PRECEDING)
            - revenue) / sum(revenue) OVER () AS share_before
    FROM totals
),
fresh AS (
    SELECT contact_id, round(share, 6) AS share,
           CASE WHEN share_before < :a THEN 'A' WHEN share_before < :b THEN 'B' ELSE 'C' END
               AS class
    FROM ranked
)"""

XYZ_SQL = """
spans AS (
    SELECT count(*)::numeric AS k FROM generate_series(
        date_trunc(:unit, CAST(:since AS timestamptz)),
        CAST(:until AS timestamptz) - interval '1 microsecond',
        CAST('1 ' || :unit AS interval))
),
per_span AS (
    SELECT contact_id, date_trunc(:unit, occurred_at) AS span, sum(amount) AS spent
    FROM purchases GROUP BY 1, 2
),
moments AS (
    SELECT contact_id, sum(spent) / spans.k AS mean, sum(spent * spent) / spans.k AS square
    FROM per_span, spans GROUP BY contact_id, spans.k HAVING sum(spent) > 0
),
varied AS (
    SELECT contact_id,
           least(round(sqrt(greatest(square - mean * mean, 0)) / mean, 4), 99999999)
               AS variation
    FROM moments
),
fresh AS (
    SELECT contact_id, variation,
           CASE WHEN variation <= :x THEN 'X' WHEN variation <= :y THEN 'Y' ELSE 'Z' END
               AS class
    FROM varied
)"""


@dataclass(frozen=True)
class _Shape:
    """Where a class lives in ``contact_analytics``: its class column and value columns
    (``fresh`` column -> stored column)."""

    column: str
    values: dict[str, str]


SHAPES = {
    "rfm": _Shape("rfm", {"recency_days": "recency_days", "frequency": "frequency",
                          "monetary": "monetary", "r": "r", "f": "f", "m": "m"}),
    "abc": _Shape("abc", {"share": "revenue_share"}),
    "xyz": _Shape("xyz", {"variation": "variation"}),
}
_BODIES = {"rfm": RFM, "abc": ABC_SQL, "xyz": XYZ_SQL}


# A time-ordered id (UUIDv7 layout: milliseconds first), as the application's ids are, so
# the history pages by id like every list; PostgreSQL before 18 has no uuidv7().
UUID7 = ("encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid()) placing "
         "substring(int8send(floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint) "
         "FROM 3) FROM 1 FOR 6), 52, 1), 53, 1), 'hex')::uuid")


def statement(kind: str) -> str:
    """The one statement computing and storing class ``kind`` (names are constants)."""
    shape = SHAPES[kind]
    stored = [shape.column, *shape.values.values()]
    fresh = ["class", *shape.values]
    assignments = ", ".join(f"{c} = excluded.{c}" for c in stored)
    cleared = ", ".join(f"{c} = NULL" for c in stored)
    # Only this module's constants are formatted in; every value is a bound parameter.
    return f"""
WITH {PURCHASES}, {_BODIES[kind]},
stored AS (
    SELECT id AS contact_id, {shape.column} AS class FROM contact_analytics
    WHERE tenant_id = :tenant AND {shape.column} IS NOT NULL
),
moved AS (
    INSERT INTO analytics_class_changes (tenant_id, id, contact_id, kind, before, after, job_id)
    SELECT :tenant, {UUID7}, coalesce(fresh.contact_id, stored.contact_id),
           :kind, stored.class, fresh.class, :job
    FROM fresh FULL JOIN stored ON stored.contact_id = fresh.contact_id
    WHERE fresh.class IS DISTINCT FROM stored.class
    RETURNING 1
),
lost AS (
    UPDATE contact_analytics SET {cleared}, job_id = :job, updated_at = now()
    WHERE tenant_id = :tenant AND {shape.column} IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM fresh WHERE fresh.contact_id = contact_analytics.id)
    RETURNING 1
),
written AS (
    INSERT INTO contact_analytics AS ca (tenant_id, id, currency, job_id,
                                         {", ".join(stored)})
    SELECT :tenant, contact_id, :currency, :job, {", ".join(fresh)} FROM fresh
    ON CONFLICT (tenant_id, id) DO UPDATE
    SET {assignments}, currency = excluded.currency, job_id = excluded.job_id,
        updated_at = now()
    WHERE ({", ".join(f"ca.{c}" for c in stored)}, ca.currency)
          IS DISTINCT FROM ({", ".join(f"excluded.{c}" for c in stored)}, excluded.currency)
    RETURNING 1
)
SELECT (SELECT count(*) FROM fresh) AS classified, (SELECT count(*) FROM moved) AS moved,
       (SELECT count(*) FROM written) AS written, (SELECT count(*) FROM lost) AS cleared
"""  # noqa: S608


def bindings(kind: str, tenant_id: uuid.UUID, job_id: uuid.UUID, currency: str,
             parameters: Parameters) -> dict[str, Any]:
    values: dict[str, Any] = {
        "tenant": tenant_id, "job": job_id, "kind": kind, "currency": currency,
        "since": parameters.since_at, "until": parameters.until_at,
    }
    if kind == "rfm":
        values["bins"] = parameters.rfm_bins
    elif kind == "abc":
        values |= {"a": parameters.abc_a, "b": parameters.abc_b}
    else:
        values |= {"unit": parameters.xyz_period, "x": parameters.xyz_x, "y": parameters.xyz_y}
    return values


async def compute(session: AsyncSession, kind: str, tenant_id: uuid.UUID, job_id: uuid.UUID,
                  currency: str, parameters: Parameters) -> dict[str, int]:
    """Class ``kind`` for every contact with purchases in the period, stored with its
    history, in one statement; returns how many were classified, moved, written, cleared."""
    row = (await session.execute(
        text(statement(kind)), bindings(kind, tenant_id, job_id, currency, parameters)
    )).one()
    return dict(row._mapping)
