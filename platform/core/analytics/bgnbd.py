"""BG/NBD (purchase counts) and Gamma-Gamma (spend per purchase) by maximum likelihood.

The models of Fader, Hardie and Lee ("Counting your customers the easy way", 2005, and
"RFM and CLV: using iso-value curves", 2005), written here on scipy because the libraries
that package them do not fit: ``lifetimes`` is unmaintained since 2020, ``btyd`` (its fork)
is a 2022 beta, and ``pymc-marketing`` brings PyMC and PyTensor — a Bayesian stack far
heavier than two four-parameter likelihoods (docs/analytics.md). Time is in days.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import optimize, special

Floats = NDArray[np.float64]


# The parameters are fitted on their logarithms, kept within e^±12: a likelihood that is
# flat towards 0 or infinity (a small tenant's history) stops at the edge instead of
# running away, and the prediction is checked before use.
BOUNDS = [(-12.0, 12.0)] * 4
# A light ridge on the log-parameters (as lifetimes' ``penalizer_coef`` does on the
# parameters) keeps thin histories from pushing one parameter to an edge.
PENALTY = 1e-3


class FitFailed(Exception):
    """The optimiser did not converge or the parameters leave the model's domain."""


@dataclass(frozen=True)
class BgNbd:
    r: float
    alpha: float
    a: float
    b: float

    def expected(self, t: float, x: Floats, t_x: Floats, big_t: Floats) -> Floats:
        """Expected repeat purchases in the next ``t`` days of customers with ``x`` repeat
        purchases, the last at ``t_x`` days after the first, observed for ``big_t`` days."""
        r, alpha, a, b = self.r, self.alpha, self.a, self.b
        hyper = special.hyp2f1(r + x, b + x, a + b + x - 1, t / (alpha + big_t + t))
        first = (a + b + x - 1) / (a - 1)
        second = 1 - ((alpha + big_t) / (alpha + big_t + t)) ** (r + x) * hyper
        alive = 1 + (x > 0) * (a / np.maximum(b + x - 1, 1e-12)) * (
            (alpha + big_t) / (alpha + t_x)) ** (r + x)
        result: Floats = first * second / alive
        return result


def _bgnbd_loss(log_params: Floats, x: Floats, t_x: Floats, big_t: Floats) -> float:
    r, alpha, a, b = np.exp(log_params)
    a1 = special.gammaln(r + x) - special.gammaln(r) + r * np.log(alpha)
    a2 = (special.gammaln(a + b) + special.gammaln(b + x)
          - special.gammaln(b) - special.gammaln(a + b + x))
    a3 = -(r + x) * np.log(alpha + big_t)
    repeat = x > 0
    a4 = np.where(
        repeat,
        np.log(a) - np.log(np.maximum(b + x - 1, 1e-12)) - (r + x) * np.log(alpha + t_x),
        -np.inf,
    )
    total = a1 + a2 + np.logaddexp(a3, a4)
    return float(-np.sum(total) / len(x) + PENALTY * np.sum(log_params ** 2))


def fit_bgnbd(x: Floats, t_x: Floats, big_t: Floats) -> BgNbd:
    found = optimize.minimize(_bgnbd_loss, np.zeros(4), args=(x, t_x, big_t),
                              method="L-BFGS-B", bounds=BOUNDS[:4])
    r, alpha, a, b = (float(v) for v in np.exp(found.x))
    if not found.success or not np.all(np.isfinite(found.x)):
        raise FitFailed(f"BG/NBD did not converge ({found.message})")
    model = BgNbd(r, alpha, a, b)
    check = model.expected(30.0, x, t_x, big_t)
    if not np.all(np.isfinite(check)) or np.any(check < 0):
        raise FitFailed("BG/NBD's fitted parameters give no usable prediction "
                        f"(a = {a:.3g})")
    return model


@dataclass(frozen=True)
class GammaGamma:
    p: float
    q: float
    v: float

    def expected(self, x: Floats, mean_value: Floats) -> Floats:
        """Expected spend per purchase of customers with ``x`` repeat purchases averaging
        ``mean_value``; with no repeat purchase, the population's mean."""
        p, q, v = self.p, self.q, self.v
        result: Floats = (p * (v + x * mean_value)) / (p * x + q - 1)
        return result


def _gg_loss(log_params: Floats, x: Floats, m: Floats) -> float:
    p, q, v = np.exp(log_params)
    total = (special.gammaln(p * x + q) - special.gammaln(p * x) - special.gammaln(q)
             + q * np.log(v) + (p * x - 1) * np.log(m) + p * x * np.log(x)
             - (p * x + q) * np.log(x * m + v))
    return float(-np.sum(total) / len(x) + PENALTY * np.sum(log_params ** 2))


def fit_gamma_gamma(x: Floats, mean_value: Floats) -> GammaGamma:
    """Fitted on repeat customers only (``x`` > 0, ``mean_value`` > 0)."""
    start = np.array([0.0, 0.0, float(np.log(max(float(np.mean(mean_value)), 1e-6)))])
    found = optimize.minimize(_gg_loss, start, args=(x, mean_value), method="L-BFGS-B",
                              bounds=BOUNDS[:3])
    p, q, v = (float(v) for v in np.exp(found.x))
    if not found.success or not np.all(np.isfinite(found.x)) or q <= 1:
        raise FitFailed(f"Gamma-Gamma did not converge ({found.message})")
    return GammaGamma(p, q, v)
