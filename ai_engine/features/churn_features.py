"""Churn features at a cutoff and the matching labels. Pure functions on DataFrames.

Label: ``churned`` = no purchase in (cutoff, cutoff + horizon]. Features only use history on or
before the cutoff, so a model trained at a past cutoff never sees its own future.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ai_engine.features.rfm import purchases
from ai_engine.features.support import SUPPORT_FEATURES

FEATURES = [
    "recency_days", "frequency", "log_monetary", "log_avg_order_value", "age_days", "tenure_days",
    "mean_gap_days", "gap_std_days", "recency_ratio", "orders_90d", "orders_365d", "spend_trend",
    "refund_share", "bg_p_alive", "bg_p_no_purchase", "bg_expected",
]


def default_horizon(tx: pd.DataFrame) -> int:
    """2.5 × the typical customer's usual gap between orders, within [30, 365]; 90 if unknown."""
    bought = purchases(tx, tx["date"].max())
    days = bought[["customer_id", "date"]].drop_duplicates().sort_values(["customer_id", "date"])
    gap = days.groupby("customer_id")["date"].diff().dt.days
    usual = gap.groupby(days["customer_id"]).mean().dropna()
    if usual.empty:
        return 90
    return int(np.clip(round(2.5 * usual.median()), 30, 365))


def churn_features(summary: pd.DataFrame, bg, horizon_days: float, rule=None) -> pd.DataFrame:
    """Model inputs from a ``customer_summary`` table and a fitted ``BetaGeoModel``; support
    features too when the summary carries them (``features.support.with_support``).

    ``rule``: a fitted ``FallbackChurn`` over the same horizon; its log-odds become a feature, so
    the model sees what the rule that would serve instead of it sees (silence against the
    customer's own usual gap, a curve a linear model cannot draw from the ratio alone)."""
    f = pd.DataFrame(index=summary.index)
    for column in ("recency_days", "frequency", "age_days", "tenure_days", "mean_gap_days",
                   "gap_std_days", "orders_90d", "orders_365d", "spend_trend", "refund_share"):
        f[column] = summary[column].astype(float)
    f["log_monetary"] = np.log1p(summary["monetary"].clip(lower=0))
    f["log_avg_order_value"] = np.log1p(summary["avg_order_value"].clip(lower=0))
    f["recency_ratio"] = summary["recency_days"] / summary["mean_gap_days"].clip(lower=1)
    f["bg_p_alive"] = bg.p_alive(summary)
    f["bg_p_no_purchase"] = bg.p_no_purchase(summary, horizon_days)
    f["bg_expected"] = bg.expected_purchases(summary, horizon_days)
    extra = []
    if rule is not None:
        p = np.clip(rule.churn_probability(summary).to_numpy(float), 1e-4, 1 - 1e-4)
        f["rule_log_odds"] = np.log(p / (1 - p))
        extra.append("rule_log_odds")
    support = [c for c in SUPPORT_FEATURES if c in summary.columns]
    for column in support:
        f[column] = summary[column].astype(float)
    return f[FEATURES + extra + support]


def churn_labels(tx: pd.DataFrame, customers: pd.Index, cutoff, horizon_days: int) -> pd.Series:
    """True where the customer made no purchase in (cutoff, cutoff + horizon_days]."""
    cutoff = pd.Timestamp(cutoff).normalize()
    window = tx[(tx["date"] > cutoff) & (tx["date"] <= cutoff + pd.Timedelta(days=horizon_days))]
    buyers = purchases(window, cutoff + pd.Timedelta(days=horizon_days))["customer_id"].unique()
    return pd.Series(~customers.isin(buyers), index=customers, name="churned")
