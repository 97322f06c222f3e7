"""BG/NBD buy-till-you-die model (Fader, Hardie & Lee 2005) fitted by maximum likelihood.

Why: it turns (repeat purchases x, time of last purchase t_x, age T) into the probability that a
customer is still active and buys again within *any* horizon, even a horizon longer than the
history we learned from. Times are in days. ``x`` counts repeat purchase *days*.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.optimize import minimize
from scipy.special import betaln, gammaln, hyp2f1
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted


def rft(summary: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(x, t_x, T) in days from a ``customer_summary`` table."""
    x = (summary["purchase_days"] - 1).clip(lower=0).to_numpy(float)
    T = summary["age_days"].to_numpy(float)
    t_x = (summary["age_days"] - summary["recency_days"]).to_numpy(float)
    return x, t_x, T


def _log_likelihood(log_params, x, t_x, T, weight, penalty):
    r, alpha, a, b = np.exp(log_params)
    a1 = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
    a2 = betaln(a, b + x) - betaln(a, b) - (r + x) * np.log(alpha + T)
    with np.errstate(divide="ignore", invalid="ignore"):
        a3 = np.where(x > 0, betaln(a + 1, np.maximum(b + x - 1, 1e-12)) - betaln(a, b)
                      - (r + x) * np.log(alpha + t_x), -np.inf)
    ll = a1 + np.logaddexp(a2, a3)
    return -(weight * ll).sum() / weight.sum() + penalty * (log_params ** 2).sum()


class BetaGeoModel(BaseEstimator):
    """``fit(summary)`` learns r, alpha, a, b; the methods give per-customer quantities."""

    def __init__(self, penalty: float = 1e-4):
        self.penalty = penalty

    def fit(self, summary: pd.DataFrame, y=None):
        x, t_x, T = rft(summary)
        keep = T > 0  # a customer seen today for the first time says nothing about rates yet
        grid = pd.DataFrame({"x": x[keep], "t": t_x[keep], "T": T[keep]})
        grid = grid.groupby(["x", "t", "T"]).size().reset_index(name="w")
        if grid.empty:
            grid = pd.DataFrame({"x": [0.0], "t": [0.0], "T": [1.0], "w": [1]})
        scale = max(float(np.average(grid["T"], weights=grid["w"])), 1.0)
        args = (grid["x"].to_numpy(), grid["t"].to_numpy() / scale, grid["T"].to_numpy() / scale,
                grid["w"].to_numpy(float), self.penalty)
        best = minimize(_log_likelihood, np.zeros(4), args=args, method="L-BFGS-B",
                        bounds=[(-8, 8)] * 4)
        r, alpha, a, b = np.exp(best.x)
        self.params_ = {"r": r, "alpha": alpha * scale, "a": a, "b": b}
        self.converged_ = bool(best.success)
        return self

    def _parts(self, summary):
        check_is_fitted(self, "params_")
        p = self.params_
        x, t_x, T = rft(summary)
        return p["r"], p["alpha"], p["a"], p["b"], x, t_x, T

    def p_alive(self, summary: pd.DataFrame) -> np.ndarray:
        r, alpha, a, b, x, t_x, T = self._parts(summary)
        with np.errstate(divide="ignore", invalid="ignore"):
            log_odds = (np.log(a) - np.log(np.maximum(b + x - 1, 1e-12))
                        + (r + x) * (np.log(alpha + T) - np.log(alpha + t_x)))
        return np.where(x > 0, 1 / (1 + np.exp(np.minimum(log_odds, 700))), 1.0)

    def p_no_purchase(self, summary: pd.DataFrame, horizon_days: float) -> np.ndarray:
        """P(no purchase in the next ``horizon_days``) = 1 − P(alive)·P(buys | alive)."""
        r, alpha, a, b, x, t_x, T = self._parts(summary)
        buys_if_alive = 1 - ((alpha + T) / (alpha + T + horizon_days)) ** (r + x)
        return 1 - self.p_alive(summary) * buys_if_alive

    def expected_purchases(self, summary: pd.DataFrame, horizon_days: float) -> np.ndarray:
        """Expected number of purchase days in the next ``horizon_days`` (eq. 10 of the paper)."""
        r, alpha, a, b, x, t_x, T = self._parts(summary)
        t = float(horizon_days)
        alive = self.p_alive(summary)
        # The closed form holds for any a ≠ 1 (for a < 1 both factors change sign).
        with np.errstate(all="ignore"):
            exact = ((a + b + x - 1) / (a - 1)
                     * (1 - hyp2f1(r + x, b + x, a + b + x - 1, t / (alpha + T + t))
                        * ((alpha + T) / (alpha + T + t)) ** (r + x))
                     * alive) if a != 1 else np.full_like(x, np.nan)
        # Where the closed form is unusable (a = 1, or hyp2f1 overflows): alive × expected
        # rate × t, damped by dropout risk.
        rate_t = (r + x) / (alpha + T) * t
        rough = alive * rate_t * (1 - a / (a + b + x)) ** (rate_t / 2)
        return np.where(np.isfinite(exact) & (exact >= 0), exact, rough)
