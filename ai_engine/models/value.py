"""What a customer is worth: expected orders and revenue over a horizon, the next 12 months'
spend with an 80 % range, and the expected date of the next order.

``CustomerValue``: BG/NBD (``bgnbd.BetaGeoModel``) for how many orders and whether the customer
is still there, Gamma-Gamma (Fader, Hardie & Lee 2005, "RFM and CLV") for what an order is worth:
each customer's own average spend per purchase day shrunk toward the population's by how many
purchase days it rests on. The range is the 10th–90th percentile of spend simulated from both
posteriors (alive or not, purchase rate, dropout, spend per order), so a one-order customer gets a
wide range and a steady one a narrow one. The next order is the date by which the customer has
ordered with probability one half; none when that is not within 12 months (most likely gone).

``BaselineValue``: average monthly spend × months × the share of customers still buying
(retention), the yardstick the back-test grades the model against and what serves at grade C.

``rhythm_next_order_days``: the customer's own rhythm (last order + usual gap), the yardstick of
the next-order date; it serves where it dated next orders better on the company's past.

Both take a ``features.rfm.customer_summary`` table (customers with at least one purchase).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.optimize import minimize
from scipy.special import gammaln
from scipy.stats import poisson
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from ai_engine.errors import DataError
from ai_engine.features.segments import overdue
from ai_engine.models.bgnbd import BetaGeoModel, rft

YEAR_DAYS = 365
MONTH_DAYS = 365.25 / 12
VALUE_COLUMNS = ["expected_orders", "expected_revenue", "next_order_days", "clv_12m", "clv_low",
                 "clv_high", "p_order_12m", "spend_per_order"]
REQUIRED = ["frequency", "purchase_days", "recency_days", "age_days", "avg_order_value"]
DRAW_BUCKETS = 512  # customers draw their simulated spend in buckets of a hash of their id
DRAW_BLOCK = 5000  # customers × draws held at once


def _check(summary: pd.DataFrame) -> None:
    missing = [column for column in REQUIRED if column not in summary.columns]
    if missing:
        raise ValueError(f"customer summary lacks the columns {missing}")


def spend_per_day(summary: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """(purchase days n, mean net spend per purchase day m) — BG/NBD counts purchase days."""
    n = summary["purchase_days"].fillna(0).to_numpy(float)
    total = (summary["avg_order_value"].fillna(0) * summary["frequency"]).clip(lower=0)
    m = np.where(n > 0, total.to_numpy(float) / np.maximum(n, 1), 0.0)
    return n, m


def _gg_negll(log_params, n, m, weight):
    p, q, gamma = np.exp(log_params)
    ll = (gammaln(p * n + q) - gammaln(p * n) - gammaln(q) + q * np.log(gamma)
          + (p * n - 1) * np.log(m) + p * n * np.log(n) - (p * n + q) * np.log(gamma + n * m))
    return -(weight * ll).sum() / weight.sum() + 1e-4 * (log_params ** 2).sum()


class GammaGamma(BaseEstimator):
    """Spend per purchase day: z ~ Gamma(p, ν), ν ~ Gamma(q, γ) across customers."""

    def fit(self, summary: pd.DataFrame, y=None):
        _check(summary)
        n, m = spend_per_day(summary)
        keep = (n > 0) & (m > 0)
        if keep.sum() < 2:
            raise DataError("too few customers with a positive order value to learn spend")
        n, m = n[keep], m[keep]
        scale = float(np.median(m))
        start = np.log([1.0, 2.0, 1.0])
        best = minimize(_gg_negll, start, args=(n, m / scale, np.ones_like(n)),
                        method="L-BFGS-B", bounds=[(-6, 6), (np.log(1.05), 8), (-8, 8)])
        p, q, gamma = np.exp(best.x)
        self.params_ = {"p": p, "q": q, "gamma": gamma * scale}
        self.population_mean_ = float(p * gamma * scale / (q - 1))
        return self

    def posterior(self, summary: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        """(shape, rate) of each customer's ν."""
        check_is_fitted(self, "params_")
        n, m = spend_per_day(summary)
        p, q, gamma = (self.params_[k] for k in ("p", "q", "gamma"))
        return p * n + q, gamma + n * m

    def expected_spend(self, summary: pd.DataFrame) -> np.ndarray:
        """E[spend per purchase day] given the customer's history (the shrunk mean)."""
        shape, rate = self.posterior(summary)
        return self.params_["p"] * rate / (shape - 1)


class CustomerValue(BaseEstimator):
    """``fit(summary)``; ``predict(summary, horizon_days)`` → a frame of ``VALUE_COLUMNS``.

    ``coverage``: the share of customers whose next 12 months' spend should fall in their range
    (the range is the central ``coverage`` of the simulated spend). ``n_draws`` draws per
    customer; ``random_state`` makes the ranges reproducible."""

    def __init__(self, coverage: float = 0.8, n_draws: int = 400, random_state: int = 0):
        self.coverage = coverage
        self.n_draws = n_draws
        self.random_state = random_state

    def fit(self, summary: pd.DataFrame, y=None):
        _check(summary)
        summary = summary[summary["frequency"] > 0]
        if summary.empty:
            raise DataError("no customer with a purchase: no value to learn")
        self.bg_ = BetaGeoModel().fit(summary)
        self.gg_ = GammaGamma().fit(summary)
        return self

    def next_order_days(self, summary: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        """(days until the next order is as likely as not — NaN when that is beyond 12 months,
        P(an order in the next 12 months))."""
        check_is_fitted(self, "bg_")
        p = self.bg_.params_
        x, _t_x, T = rft(summary)
        alive = self.bg_.p_alive(summary)
        p12 = 1 - self.bg_.p_no_purchase(summary, YEAR_DAYS)
        with np.errstate(divide="ignore", invalid="ignore"):
            base = np.clip(1 - 0.5 / alive, 0, 1)
            days = (p["alpha"] + T) * (base ** (-1 / (p["r"] + x)) - 1)
        days = np.where(p12 >= 0.5, np.maximum(np.ceil(days), 1), np.nan)
        return days, p12

    def _draw_inputs(self, summary: pd.DataFrame) -> dict[str, np.ndarray]:
        """What each customer's draws rest on, one array each, prepared once for all its
        buckets (per bucket, pandas' overhead cost as much as the draws at 20,000 customers)."""
        p = self.bg_.params_
        x, _t_x, T = rft(summary)
        shape, rate = self.gg_.posterior(summary)
        return {"rate_shape": p["r"] + x, "rate_scale": 1 / (p["alpha"] + T),
                "drop_b": p["b"] + x, "alive": self.bg_.p_alive(summary),
                "nu_shape": shape, "nu_scale": 1 / rate}

    def _draw(self, inputs: dict[str, np.ndarray], horizon_days: float,
              rng: np.random.Generator) -> np.ndarray:
        p = self.bg_.params_
        size = (len(inputs["alive"]), self.n_draws)
        lam = rng.gamma(inputs["rate_shape"][:, None], inputs["rate_scale"][:, None], size)
        # A tiny fitted ``a`` (customers who hardly ever drop out) draws dropout chances that
        # underflow to 0, which ``geometric`` refuses: 1e-12 is "never" within any horizon.
        drop = np.maximum(rng.beta(p["a"], inputs["drop_b"][:, None], size), 1e-12)
        # Orders until dropout: Poisson arrivals, dropout after each with probability ``drop``.
        orders = np.minimum(rng.poisson(lam * horizon_days), rng.geometric(drop))
        orders = np.where(rng.random(size) < inputs["alive"][:, None], orders, 0)
        nu = rng.gamma(inputs["nu_shape"][:, None], inputs["nu_scale"][:, None], size)
        return rng.gamma(self.gg_.params_["p"] * orders, 1 / nu)  # shape 0 gives 0

    def draw_spend(self, summary: pd.DataFrame, horizon_days: float,
                   rng: np.random.Generator | None = None) -> np.ndarray:
        """Simulated spend in the next ``horizon_days``: customers × draws (``rng``: default,
        one seeded by ``random_state``)."""
        rng = np.random.default_rng(self.random_state) if rng is None else rng
        return self._draw(self._draw_inputs(summary), horizon_days, rng)

    def spend_range(self, summary: pd.DataFrame, horizon_days: float) -> tuple[np.ndarray,
                                                                               np.ndarray]:
        """(low, high): the central ``coverage`` of the simulated spend over the horizon.

        The draws of a customer depend on its id and ``random_state`` and on the customers of
        its bucket (``draw_buckets``), not on the order of the rows or on the other buckets:
        the same ranges whether all customers are scored in one process or bucket-aligned
        partitions in many."""
        check_is_fitted(self, "bg_")
        tail = (1 - self.coverage) / 2
        low, high = np.zeros(len(summary)), np.zeros(len(summary))
        inputs = self._draw_inputs(summary)
        bucket = draw_buckets(summary.index)
        order = np.lexsort((summary.index.astype(str).to_numpy(), bucket))
        starts = np.flatnonzero(np.r_[True, np.diff(bucket[order]) != 0, True])
        for first, end in zip(starts[:-1], starts[1:], strict=True):
            rows = order[first:end]
            for k, block in enumerate(range(0, len(rows), DRAW_BLOCK)):  # bounded memory
                part = rows[block:block + DRAW_BLOCK]
                rng = np.random.default_rng([self.random_state, int(bucket[part[0]]), k])
                draws = self._draw({name: values[part] for name, values in inputs.items()},
                                   horizon_days, rng)
                low[part], high[part] = np.quantile(draws, [tail, 1 - tail], axis=1)
        return low, high

    def predict(self, summary: pd.DataFrame, horizon_days: float,
                ranges: bool = True) -> pd.DataFrame:
        """``ranges=False``: no 12-month range (``clv_low`` = ``clv_high`` = ``clv_12m``), for
        a caller that does not show it — simulating it is most of the prediction's time."""
        check_is_fitted(self, "bg_")
        _check(summary)
        spend = self.gg_.expected_spend(summary)
        orders = self.bg_.expected_purchases(summary, horizon_days)
        orders_12m = self.bg_.expected_purchases(summary, YEAR_DAYS)
        low, high = self.spend_range(summary, YEAR_DAYS) if ranges else (orders_12m * spend,) * 2
        days, p12 = self.next_order_days(summary)
        return _value_frame(summary.index, orders, orders_12m, spend, low, high, days, p12)


def draw_buckets(customer_ids) -> np.ndarray:
    """Each customer's bucket of random draws (0 … ``DRAW_BUCKETS`` − 1), from a stable hash of
    its id: a partition of whole buckets draws what the whole population would."""
    ids = pd.Index(customer_ids).astype(str).to_numpy(dtype=object)
    return (pd.util.hash_array(ids, categorize=False) % DRAW_BUCKETS).astype(np.int64)


def _value_frame(index, orders, orders_12m, spend, low, high, days, p12) -> pd.DataFrame:
    """Both value models' answer: the 12-month value always inside its own range."""
    clv = orders_12m * spend
    return pd.DataFrame({
        "expected_orders": orders, "expected_revenue": orders * spend,
        "next_order_days": days, "clv_12m": clv,
        "clv_low": np.minimum(low, clv), "clv_high": np.maximum(high, clv),
        "p_order_12m": p12, "spend_per_order": spend,
    }, index=index)[VALUE_COLUMNS]


def has_rhythm(summary: pd.DataFrame) -> np.ndarray:
    """Customers with a usual gap between orders (two purchase days or more)."""
    gap = summary["mean_gap_days"].to_numpy(float)
    return np.isfinite(gap) & (gap > 0)


def rhythm_next_order_days(summary: pd.DataFrame, model_days) -> np.ndarray:
    """Days until the last order + the customer's mean gap (at least 1) for customers with a
    rhythm — NaN for those overdue by more than three of their gaps (``segments.overdue``, the
    segments' line) — and ``model_days`` (the value model's dates) for one-order customers,
    whom a rhythm cannot date."""
    gap = summary["mean_gap_days"].to_numpy(float)
    recency = summary["recency_days"].to_numpy(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        due = np.where(overdue(summary).to_numpy(), np.nan, np.maximum(np.ceil(gap - recency), 1))
    return np.where(has_rhythm(summary), due, np.asarray(model_days, float))


def retention(summary: pd.DataFrame, window_days: float) -> float:
    """Share of the customers older than ``window_days`` who bought within the last window."""
    old = summary[summary["age_days"] >= window_days]
    if len(old) < 20:
        return float((summary["recency_days"] < window_days).mean()) if len(summary) else 0.0
    return float((old["recency_days"] < window_days).mean())


class BaselineValue(BaseEstimator):
    """Average monthly spend × months × retention; the range from Poisson orders at the
    customer's own order value."""

    def __init__(self, coverage: float = 0.8):
        self.coverage = coverage

    def fit(self, summary: pd.DataFrame, y=None):
        _check(summary)
        self.summary_ = summary  # retention is read per window at predict time
        return self

    def _orders(self, summary, days):
        months = np.maximum(summary["age_days"].to_numpy(float) / MONTH_DAYS, 1.0)
        per_month = summary["purchase_days"].fillna(0).to_numpy(float) / months
        return per_month * days / MONTH_DAYS * retention(self.summary_, days)

    def spend_range(self, summary: pd.DataFrame, horizon_days: float) -> tuple[np.ndarray,
                                                                               np.ndarray]:
        check_is_fitted(self, "summary_")
        _n, spend = spend_per_day(summary)
        orders = self._orders(summary, horizon_days)
        tail = (1 - self.coverage) / 2
        return poisson.ppf(tail, orders) * spend, poisson.ppf(1 - tail, orders) * spend

    def predict(self, summary: pd.DataFrame, horizon_days: float,
                ranges: bool = True) -> pd.DataFrame:
        check_is_fitted(self, "summary_")
        _n, spend = spend_per_day(summary)
        orders, orders_12m = self._orders(summary, horizon_days), self._orders(summary, YEAR_DAYS)
        low, high = self.spend_range(summary, YEAR_DAYS) if ranges else (orders_12m * spend,) * 2
        p12 = 1 - np.exp(-orders_12m)
        with np.errstate(divide="ignore"):
            days = np.where(p12 >= 0.5, np.maximum(np.ceil(np.log(2) * YEAR_DAYS / orders_12m),
                                                   1), np.nan)
        return _value_frame(summary.index, orders, orders_12m, spend, low, high, days, p12)
