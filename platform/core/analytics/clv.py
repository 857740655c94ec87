"""Customer lifetime value: BG/NBD with Gamma-Gamma over the tenant's own history, checked on
a holdout, or the simple average model when the history is too thin.

The per-contact summary (purchase days, first and last, spend) is one aggregate statement;
only the fit runs in Python (the one exception to set-based SQL); the values go back in
one statement over arrays.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core.analytics.bgnbd import FitFailed, Floats, fit_bgnbd, fit_gamma_gamma
from rapport.core.analytics.parameters import Parameters

DAYS_PER_MONTH = 30.4375
BGNBD = "bgnbd"
AVERAGE = "average"
# With more buyers than this, each model is fitted on a random sample of this many of them
# (a fixed seed: the same history gives the same parameters); every buyer is still
# predicted, and the holdout check still compares every buyer. Four and three parameters
# are well determined by 100,000 customers; the fit's time grows with the rows it reads
# (docs/analytics.md, "CLV on a sample").
FIT_SAMPLE = 100_000

# One row per buyer: purchase days (a day with several purchases counts once, as BG/NBD
# counts repeat purchase occasions) before ``until``, and the same before the holdout cut.
HISTORY = """
WITH days AS (
    SELECT contact_id, date_trunc('day', occurred_at) AS day, sum(amount) AS spent
    FROM transactions
    WHERE tenant_id = :tenant AND currency = :currency AND contact_id IS NOT NULL
      AND occurred_at < CAST(:until AS timestamptz)
    GROUP BY 1, 2
)
SELECT contact_id,
       count(*) - 1 AS x,
       extract(epoch FROM max(day) - min(day)) / 86400 AS t_x,
       extract(epoch FROM CAST(:until AS timestamptz) - min(day)) / 86400 AS big_t,
       sum(spent) AS total,
       (array_agg(spent ORDER BY day))[1] AS first_spent,
       count(*) FILTER (WHERE day < CAST(:cut AS timestamptz)) - 1 AS x_cal,
       extract(epoch FROM max(day) FILTER (WHERE day < CAST(:cut AS timestamptz)) - min(day))
           / 86400 AS t_x_cal,
       extract(epoch FROM CAST(:cut AS timestamptz) - min(day)) / 86400 AS big_t_cal,
       count(*) FILTER (WHERE day >= CAST(:cut AS timestamptz)) AS holdout
FROM days GROUP BY contact_id
"""

STORE = """
WITH fresh AS (
    SELECT * FROM unnest(CAST(:ids AS uuid[]), CAST(:clv AS float8[]),
                         CAST(:expected AS float8[])) AS f(contact_id, clv, expected)
),
lost AS (
    UPDATE contact_analytics SET clv = NULL, expected_purchases = NULL, clv_method = NULL,
                                 job_id = :job, updated_at = now()
    WHERE tenant_id = :tenant AND clv IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM fresh WHERE fresh.contact_id = contact_analytics.id)
    RETURNING 1
),
written AS (
    INSERT INTO contact_analytics AS ca (tenant_id, id, currency, job_id, clv,
                                         expected_purchases, clv_method)
    SELECT :tenant, contact_id, :currency, :job, round(CAST(clv AS numeric), 2),
           round(CAST(expected AS numeric), 4), :method
    FROM fresh
    ON CONFLICT (tenant_id, id) DO UPDATE
    SET clv = excluded.clv, expected_purchases = excluded.expected_purchases,
        clv_method = excluded.clv_method, currency = excluded.currency,
        job_id = excluded.job_id, updated_at = now()
    WHERE (ca.clv, ca.expected_purchases, ca.clv_method, ca.currency)
          IS DISTINCT FROM (excluded.clv, excluded.expected_purchases, excluded.clv_method,
                            excluded.currency)
    RETURNING 1
)
SELECT (SELECT count(*) FROM fresh) AS classified, (SELECT count(*) FROM written) AS written,
       (SELECT count(*) FROM lost) AS cleared
"""


@dataclass(frozen=True)
class History:
    ids: list[uuid.UUID]
    x: Floats
    t_x: Floats
    big_t: Floats
    total: Floats
    first: Floats
    x_cal: Floats
    t_x_cal: Floats
    big_t_cal: Floats
    holdout: Floats


async def history(session: AsyncSession, tenant_id: uuid.UUID, currency: str,
                  parameters: Parameters) -> History:
    cut = parameters.until_at - timedelta(days=parameters.clv_holdout_days)
    rows = (await session.execute(text(HISTORY), {
        "tenant": tenant_id, "currency": currency, "until": parameters.until_at, "cut": cut,
    })).all()
    columns: list[Any] = list(zip(*rows, strict=True)) if rows else [() for _ in range(10)]

    def floats(i: int) -> Floats:
        return np.array([np.nan if v is None else float(v) for v in columns[i]], dtype=float)

    return History(list(columns[0]), floats(1), floats(2), floats(3), floats(4), floats(5),
                   floats(6), floats(7), floats(8), floats(9))


def average_model(h: History, horizon: float) -> tuple[Floats, Floats]:
    """Average order value times purchase rate times horizon: each buyer's own purchase days per
    day since their first (at least a month of age, so a new buyer is not extrapolated from
    one day) over the horizon, valued at their average purchase day."""
    days = h.x + 1
    rate = days / np.maximum(h.big_t, DAYS_PER_MONTH)
    expected: Floats = rate * horizon
    return expected * (h.total / days), expected


def fit_rows(n: int) -> NDArray[np.intp]:
    """The rows a model is fitted on: all ``n``, or ``FIT_SAMPLE`` of them drawn at random
    (seeded), in order."""
    if n <= FIT_SAMPLE:
        return np.arange(n)
    return np.sort(np.random.default_rng(0).choice(n, FIT_SAMPLE, replace=False))


def holdout_check(h: History, parameters: Parameters) -> dict[str, Any]:
    """Fit on the history before the holdout cut, predict each buyer's purchase days after
    it, and compare with what they did: the error on the tenant's own data."""
    known = h.x_cal >= 0  # bought before the cut
    if int(np.sum(h.x_cal[known] > 0)) < parameters.clv_min_repeaters:
        return {"checked": False, "reason": "too few repeat customers before the holdout"}
    x, t_x, big_t = h.x_cal[known], np.nan_to_num(h.t_x_cal[known]), h.big_t_cal[known]
    rows = fit_rows(len(x))
    model = fit_bgnbd(x[rows], t_x[rows], big_t[rows])
    predicted = model.expected(float(parameters.clv_holdout_days), x, t_x, big_t)
    actual = h.holdout[known]
    total = float(np.sum(actual))
    return {
        "checked": True,
        "days": parameters.clv_holdout_days,
        "customers": int(np.sum(known)),
        "fitted_on": len(rows),
        "actual_purchases": round(total, 2),
        "predicted_purchases": round(float(np.sum(predicted)), 2),
        "relative_error": None if total == 0 else round(
            float((np.sum(predicted) - total) / total), 4),
        "mean_absolute_error": round(float(np.mean(np.abs(predicted - actual))), 4),
    }


def predict(h: History, parameters: Parameters) -> tuple[Floats, Floats, dict[str, Any]]:
    """CLV and expected purchases per buyer, and what was done (method, parameters,
    holdout check, or why the fallback was used)."""
    horizon = parameters.clv_horizon_months * DAYS_PER_MONTH
    repeaters = int(np.sum(h.x > 0))
    if repeaters < parameters.clv_min_repeaters:
        clv, expected = average_model(h, horizon)
        return clv, expected, {"method": AVERAGE, "repeat_customers": repeaters,
                               "reason": f"fewer than {parameters.clv_min_repeaters} "
                                         "repeat customers"}
    try:
        check = holdout_check(h, parameters)
    except (FitFailed, ArithmeticError, ValueError) as failure:
        check = {"checked": False, "reason": f"the calibration fit failed: {failure}"}
    try:
        rows = fit_rows(len(h.x))
        model = fit_bgnbd(h.x[rows], h.t_x[rows], h.big_t[rows])
        value = (h.total - h.first) / np.maximum(h.x, 1)
        repeat = np.flatnonzero(h.x > 0)
        repeat = repeat[fit_rows(len(repeat))]
        spend = fit_gamma_gamma(h.x[repeat], np.maximum(value[repeat], 1e-6))
    except (FitFailed, ArithmeticError, ValueError) as failure:
        clv, expected = average_model(h, horizon)
        return clv, expected, {"method": AVERAGE, "repeat_customers": repeaters,
                               "reason": str(failure)}
    expected = model.expected(horizon, h.x, h.t_x, h.big_t)
    clv = expected * spend.expected(h.x, np.where(h.x > 0, value, 0.0))
    return clv, expected, {
        "method": BGNBD, "repeat_customers": repeaters, "holdout": check,
        "fitted_on": {"bgnbd": len(rows), "gamma_gamma": len(repeat)},
        "bgnbd": {"r": model.r, "alpha": model.alpha, "a": model.a, "b": model.b},
        "gamma_gamma": {"p": spend.p, "q": spend.q, "v": spend.v},
    }


async def compute(session: AsyncSession, tenant_id: uuid.UUID, job_id: uuid.UUID,
                  currency: str, parameters: Parameters) -> dict[str, Any]:
    h = await history(session, tenant_id, currency, parameters)
    if not h.ids:
        clv, expected, outcome = np.zeros(0), np.zeros(0), {"method": AVERAGE,
                                                             "repeat_customers": 0}
    else:
        clv, expected, outcome = predict(h, parameters)
    row = (await session.execute(text(STORE), {
        "tenant": tenant_id, "job": job_id, "currency": currency, "method": outcome["method"],
        "ids": h.ids, "clv": np.maximum(np.nan_to_num(clv), 0).tolist(),
        "expected": np.maximum(np.nan_to_num(expected), 0).tolist(),
    })).one()
    return {**dict(row._mapping), **outcome}
