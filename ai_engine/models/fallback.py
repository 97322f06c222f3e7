"""The transparent rule used when too few customers have bought twice to learn from.

A customer's usual gap is the mean of their days between orders (one-timers: the median usual
gap of repeat customers). The customer is taken to be still active while the silence is short
against that gap: P(active) = 1 / (1 + exp(3 · (recency / gap − 2))), i.e. 50 % after twice the
usual gap. An active customer ordering every ``gap`` days (Poisson) orders within the horizon with
probability 1 − exp(−horizon / gap). So P(no order) = 1 − P(active) · (1 − exp(−horizon / gap)).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import expit
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from ai_engine.models import reasons

DEFAULT_GAP_DAYS = 90.0


def reference_customer(summary: pd.DataFrame) -> pd.Series:
    """Median of repeat customers (everyone if nobody bought twice): the occlusion baseline."""
    repeat = summary[summary["frequency"] >= 2]
    return (repeat if len(repeat) else summary).median(numeric_only=True)


class FallbackChurn(BaseEstimator):
    def __init__(self, horizon_days: int = 90, steepness: float = 3.0):
        self.horizon_days = horizon_days
        self.steepness = steepness

    def fit(self, summary: pd.DataFrame, y=None):
        gaps = summary.loc[summary["frequency"] >= 2, "mean_gap_days"].dropna()
        self.population_gap_days_ = float(gaps.median()) if len(gaps) else DEFAULT_GAP_DAYS
        self.reference_ = reference_customer(summary)
        self.reference_["mean_gap_days"] = self.population_gap_days_
        return self

    def usual_gap(self, summary: pd.DataFrame) -> pd.Series:
        check_is_fitted(self, "population_gap_days_")
        return summary["mean_gap_days"].fillna(self.population_gap_days_).clip(lower=1)

    def p_active(self, summary: pd.DataFrame) -> pd.Series:
        ratio = summary["recency_days"] / self.usual_gap(summary)
        # expit: the same logistic curve, without overflow for a silence of many usual gaps.
        return expit(-self.steepness * (ratio - 2))

    def churn_probability(self, summary: pd.DataFrame) -> pd.Series:
        buys_if_active = 1 - np.exp(-self.horizon_days / self.usual_gap(summary))
        p = 1 - self.p_active(summary) * buys_if_active
        return p.clip(0, 1).rename("churn_probability")

    def expected_purchases(self, summary: pd.DataFrame, days: float) -> pd.Series:
        return self.p_active(summary) * days / self.usual_gap(summary)

    def reasons(self, summary: pd.DataFrame, top: int = 3) -> list[list[str]]:
        late = summary["recency_days"] > self.usual_gap(summary)
        ranked = [(["recency"] if is_late else []) + ["frequency", "trend", "refunds"]
                  for is_late in late]
        return reasons.sentences(summary, self.reference_, ranked, top)
