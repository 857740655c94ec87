"""CLV's two models fitted on a sample of a big tenant's buyers (``clv.FIT_SAMPLE``): which
rows are drawn, and that the sampled fit predicts what the full fit predicts, on buyers
simulated from the BG/NBD story itself (no database: ``predict`` is pure)."""

from __future__ import annotations

import numpy as np
import pytest

from rapport.core.analytics import clv
from rapport.core.analytics.parameters import resolve

HOLDOUT = 90.0


def simulate(n: int, seed: int = 7) -> clv.History:
    """``n`` buyers: a purchase rate from a gamma, a drop-out chance after each purchase from
    a beta, observed from their first purchase for 120-730 days; spend per purchase from a
    gamma around a buyer's own mean."""
    rng = np.random.default_rng(seed)
    rate = rng.gamma(2.0, 1 / 40.0, n)
    drop = rng.beta(0.7, 4.0, n)
    observed = rng.uniform(120.0, 730.0, n)
    mean_spend = rng.gamma(4.0, 15.0, n)
    cols: dict[str, list[float]] = {k: [] for k in (
        "x", "t_x", "total", "first", "x_cal", "t_x_cal", "holdout")}
    for i in range(n):
        times, t = [0.0], 0.0
        while rng.random() >= drop[i]:
            t += rng.exponential(1 / rate[i])
            if t >= observed[i]:
                break
            times.append(t)
        cut = observed[i] - HOLDOUT
        before = [s for s in times if s < cut]
        spent = rng.gamma(5.0, mean_spend[i] / 5.0, len(times))
        cols["x"].append(len(times) - 1)
        cols["t_x"].append(times[-1])
        cols["total"].append(float(np.sum(spent)))
        cols["first"].append(float(spent[0]))
        cols["x_cal"].append(len(before) - 1)
        cols["t_x_cal"].append(before[-1])
        cols["holdout"].append(len(times) - len(before))
    arrays = {k: np.array(v, dtype=float) for k, v in cols.items()}
    return clv.History(
        ids=list(range(n)), x=arrays["x"], t_x=arrays["t_x"], big_t=observed,
        total=arrays["total"], first=arrays["first"], x_cal=arrays["x_cal"],
        t_x_cal=arrays["t_x_cal"], big_t_cal=observed - HOLDOUT, holdout=arrays["holdout"],
    )


def test_fit_rows_are_all_up_to_the_sample_size_then_a_seeded_sample():
    assert np.array_equal(clv.fit_rows(500), np.arange(500))
    drawn = clv.fit_rows(clv.FIT_SAMPLE * 3)
    assert len(drawn) == clv.FIT_SAMPLE == len(np.unique(drawn))
    assert np.all(np.diff(drawn) > 0) and drawn[-1] < clv.FIT_SAMPLE * 3
    assert np.array_equal(drawn, clv.fit_rows(clv.FIT_SAMPLE * 3))


def test_a_fit_on_a_sample_predicts_what_the_full_fit_predicts(monkeypatch: pytest.MonkeyPatch):
    history = simulate(6000)
    parameters = resolve({"currency": "EUR"}, None)
    full_value, full_expected, full = clv.predict(history, parameters)
    monkeypatch.setattr(clv, "FIT_SAMPLE", 1500)
    value, expected, sampled = clv.predict(history, parameters)

    assert full["method"] == sampled["method"] == clv.BGNBD
    assert full["fitted_on"]["bgnbd"] == 6000
    assert sampled["fitted_on"]["bgnbd"] == 1500
    assert sampled["fitted_on"]["gamma_gamma"] == 1500
    assert sampled["holdout"]["fitted_on"] == 1500
    # Every buyer is still predicted and checked, not only the sample.
    assert len(value) == len(expected) == 6000
    assert sampled["holdout"]["customers"] == full["holdout"]["customers"]
    # The totals agree within 2 %; so does the holdout check's error (within 2 points).
    assert abs(np.sum(expected) / np.sum(full_expected) - 1) < 0.02
    assert abs(np.sum(value) / np.sum(full_value) - 1) < 0.02
    assert abs(sampled["holdout"]["relative_error"] - full["holdout"]["relative_error"]) < 0.02
