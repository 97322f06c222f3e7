"""Support history as churn features: how often a customer opened tickets lately, and in what
mood. Pure functions on a ``support`` frame with columns ``customer_id, date, sentiment``
(one row per helpdesk ticket; sentiment in [-1, 1] or NaN when not scored yet)."""

from __future__ import annotations

import pandas as pd

SUPPORT_FEATURES = ["tickets_90d", "negative_tickets_90d", "ticket_sentiment_365d"]
NEGATIVE_BELOW = -0.25


def support_features(support: pd.DataFrame, customers: pd.Index, cutoff) -> pd.DataFrame:
    """Per customer, from tickets opened on or before ``cutoff`` only (no peeking)."""
    cutoff = pd.Timestamp(cutoff)
    known = support[support["date"] <= cutoff]
    last_90 = known[known["date"] > cutoff - pd.Timedelta(days=90)]
    last_365 = known[known["date"] > cutoff - pd.Timedelta(days=365)]
    negative = last_90[last_90["sentiment"] < NEGATIVE_BELOW]
    frame = pd.DataFrame(index=customers)
    frame["tickets_90d"] = last_90.groupby("customer_id").size()
    frame["negative_tickets_90d"] = negative.groupby("customer_id").size()
    # No ticket (or none scored) reads as a neutral mood.
    frame["ticket_sentiment_365d"] = last_365.groupby("customer_id")["sentiment"].mean()
    return frame.fillna(0.0).astype(float)


def with_support(summary: pd.DataFrame, support: pd.DataFrame | None, cutoff) -> pd.DataFrame:
    """``summary`` plus the support features at ``cutoff`` (unchanged when there is no
    support history or the columns are there already)."""
    if support is None or set(SUPPORT_FEATURES) <= set(summary.columns):
        return summary
    return summary.join(support_features(support, summary.index, cutoff))
