"""Customer value for the insights run, pure: the model or its baseline (whichever the run's
back-test chose, ``evaluate.value_serving``) → the value columns of the scores, with their
explanations as codes (``fit_value``, then ``ValueScorer.score`` per customer) and a value band
for grouping (``value_bands``, over the whole company)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ai_engine.errors import DataError
from ai_engine.explanations import explain
from ai_engine.features.rfm import customer_summary
from ai_engine.insights.evaluate import next_order_serving, value_at, value_serving
from ai_engine.models.value import (
    MONTH_DAYS,
    BaselineValue,
    CustomerValue,
    has_rhythm,
    retention,
    rhythm_next_order_days,
    spend_per_day,
)

# Columns the scores gain (the CSV keeps the dates as ISO text, empty when no order expected).
VALUE_SCORE_COLUMNS = ["expected_orders", "expected_revenue", "next_order_date", "clv_12m",
                       "clv_low", "clv_high"]
VALUE_METHODS = ("model", "baseline")
# Value bands by 12-month value within the company: (share of customers from the top, code).
VALUE_BANDS = [(0.1, "top"), (0.3, "high"), (0.6, "medium"), (1.0, "low")]
MIN_BACKTEST_CUSTOMERS = 20


def value_bands(clv: pd.Series) -> pd.Series:
    """top 10 %, high (next 20 %), medium (next 30 %), low (the rest) by 12-month value."""
    share = clv.rank(ascending=False, method="max") / max(len(clv), 1)
    bands = pd.Series("low", index=clv.index)
    for limit, code in reversed(VALUE_BANDS):
        bands[share <= limit] = code
    return bands


def backtest(past: pd.DataFrame, as_of, horizon: int, notes: list, random_state: int = 0):
    """The value back-test one horizon before ``as_of`` (``evaluate.value_at``), or None."""
    cutoff = pd.Timestamp(as_of) - pd.Timedelta(days=horizon)
    earlier = customer_summary(past, cutoff)
    if int((earlier["frequency"] > 0).sum()) < MIN_BACKTEST_CUSTOMERS:
        notes.append(f"no value back-test: fewer than {MIN_BACKTEST_CUSTOMERS} customers "
                     f"before {cutoff:%Y-%m-%d}")
        return None
    try:
        return value_at(past, cutoff, horizon, random_state=random_state, history_end=as_of)
    except DataError as exc:
        notes.append(f"no value back-test: {exc}")
        return None


def _next_order_reason(next_days: float, p12: float, gap: float, recency: float,
                       by_rhythm: bool) -> dict:
    """``by_rhythm``: this customer's date comes from its own rhythm (``gap``: its mean days
    between orders, ``recency``: days since its last)."""
    if by_rhythm:
        code = "next_order_rhythm" if np.isfinite(next_days) else "no_next_order_rhythm"
        return explain(code, gap=round(float(gap)), days=int(recency))
    if np.isnan(next_days):
        return explain("no_next_order", percent=round(100 * p12))
    return explain("next_order", percent=round(100 * p12), days=int(next_days))


def _reasons(summary, values, method, horizon, population_spend, retained, by_rhythm):
    # Plain columns, one value per customer: a Series per row (iterrows, iloc) cost more
    # than the explanations themselves.
    months = np.maximum(np.round(summary["age_days"].to_numpy() / MONTH_DAYS), 1)
    dated_by_rhythm = has_rhythm(summary) & by_rhythm
    typical = round(population_spend, 2)
    rows = []
    for orders, spend, next_days, p12, past, month, gap, recency, rhythm in zip(
            values["expected_orders"].to_numpy(float), values["spend_per_order"].to_numpy(float),
            values["next_order_days"].to_numpy(float), values["p_order_12m"].to_numpy(float),
            summary["frequency"].to_numpy(), months, summary["mean_gap_days"].to_numpy(),
            summary["recency_days"].to_numpy(), dated_by_rhythm, strict=True):
        items = [explain("expected_orders", orders=round(float(orders), 1), days=horizon,
                         past=int(past), months=int(month)),
                 explain("spend_per_order", value=round(float(spend), 2), typical=typical),
                 explain("value_range", percent=80),
                 _next_order_reason(next_days, p12, gap, recency, rhythm)]
        if method == "baseline":
            items.append(explain("value_baseline", percent=round(100 * retained)))
        rows.append(items)
    return rows


@dataclass
class ValueScorer:
    """What the value columns of any customer need, fitted once on the whole company: the model
    that serves (or its baseline), whether the customer's own rhythm dates the next order, and
    the population's figures the reasons quote. ``score`` is per customer: a part of the
    customers gets what it would get among all (ranges: ``CustomerValue.spend_range``)."""

    model: CustomerValue | BaselineValue
    method: str
    grade: str | None
    by_rhythm: bool
    as_of: pd.Timestamp
    horizon: int
    population_spend: float
    retained: float

    def score(self, summary: pd.DataFrame) -> pd.DataFrame:
        """``VALUE_SCORE_COLUMNS`` plus ``value_method``, ``value_grade``, ``value_reasons``."""
        values = self.model.predict(summary, self.horizon)
        if self.by_rhythm:
            values["next_order_days"] = rhythm_next_order_days(summary,
                                                               values["next_order_days"])
        next_date = [(self.as_of + pd.Timedelta(days=int(d))).date().isoformat()
                     if np.isfinite(d) else "" for d in values["next_order_days"]]
        return pd.DataFrame({
            "expected_orders": values["expected_orders"].round(3),
            "expected_revenue": values["expected_revenue"].round(2),
            "next_order_date": next_date,
            "clv_12m": values["clv_12m"].round(2),
            "clv_low": values["clv_low"].round(2),
            "clv_high": values["clv_high"].round(2),
            "value_method": self.method,
            "value_grade": self.grade,
            "value_reasons": _reasons(summary, values, self.method, self.horizon,
                                      self.population_spend, self.retained, self.by_rhythm),
        }, index=summary.index)


def fit_value(past: pd.DataFrame, summary: pd.DataFrame, as_of, horizon: int, notes: list,
              backtest_metrics: dict | None, checked: bool, random_state: int = 0
              ) -> tuple[ValueScorer, dict]:
    """(the fitted ``ValueScorer`` of the customers of ``summary``, serving decisions by name:
    ``value`` and ``next_order``; empty when unchecked, where the model serves)."""
    serving = value_serving(backtest_metrics) if checked else None
    model = BaselineValue().fit(summary)
    method = "model" if serving is None or serving["served"] == "model" else "baseline"
    if method == "model":
        try:
            model = CustomerValue(random_state=random_state).fit(summary)
        except DataError as exc:
            notes.append(f"value model not possible ({exc}): used the baseline")
            method = "baseline"
            if serving is not None:
                serving = {**serving, "served": "baseline", "grade": None}
    dating = next_order_serving(backtest_metrics, method) if checked else None
    population = (model.gg_.population_mean_ if method == "model"
                  else float(np.median(spend_per_day(summary)[1])))
    scorer = ValueScorer(model, method, serving["grade"] if serving else None,
                         dating is not None and dating["served"] == "baseline",
                         pd.Timestamp(as_of).normalize(), horizon, population,
                         retention(summary, 365))
    decisions = {"value": serving, "next_order": dating} if checked else {}
    return scorer, decisions
