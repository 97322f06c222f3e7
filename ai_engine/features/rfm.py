"""Per-customer purchase history at a date, and RFM quintile scores. Pure functions, no I/O.

A *purchase* is an order whose net amount is positive: a credit note or an order fully refunded
is not a purchase, but its amount still lowers the customer's net spend (``monetary``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

SUMMARY_COLUMNS = [
    "frequency", "recency_days", "monetary", "avg_order_value", "tenure_days", "age_days",
    "purchase_days", "mean_gap_days", "gap_std_days", "orders_90d", "orders_365d",
    "trend_window_days", "recent_spend", "earlier_spend", "spend_trend", "refund_share",
]


def purchases(tx: pd.DataFrame, as_of) -> pd.DataFrame:
    """Orders with a positive net amount up to ``as_of``: customer_id, order_id, date, net."""
    as_of = pd.Timestamp(as_of).normalize()
    past = tx[tx["date"] <= as_of]
    orders = (past.groupby(["customer_id", "order_id"], sort=False)
              .agg(date=("date", "min"), net=("amount", "sum")).reset_index())
    return orders[orders["net"] > 0]


def _gaps(bought: pd.DataFrame) -> pd.DataFrame:
    """Mean and spread of the days between distinct purchase days."""
    days = bought[["customer_id", "date"]].drop_duplicates().sort_values(["customer_id", "date"])
    gap = days["date"].diff().dt.days
    gap[days["customer_id"].ne(days["customer_id"].shift())] = np.nan
    grouped = gap.groupby(days["customer_id"])
    out = pd.DataFrame({"purchase_days": days.groupby("customer_id").size(),
                        "mean_gap_days": grouped.mean()})
    # Spread needs at least two gaps (three purchase days).
    out["gap_std_days"] = grouped.std(ddof=0).where(grouped.count() >= 2)
    return out


def _trend(bought: pd.DataFrame, age_days: pd.Series, as_of: pd.Timestamp) -> pd.DataFrame:
    """Spend in the last window vs the window before; window = half the age, 30–365 days."""
    window = (age_days / 2).clip(30, 365).round()
    back = (as_of - bought["date"]).dt.days.to_numpy()
    w = window.reindex(bought["customer_id"]).to_numpy()
    recent = pd.Series(np.where(back < w, bought["net"], 0.0)).groupby(
        bought["customer_id"].to_numpy()).sum()
    earlier = pd.Series(np.where((back >= w) & (back < 2 * w), bought["net"], 0.0)).groupby(
        bought["customer_id"].to_numpy()).sum()
    out = pd.DataFrame({"trend_window_days": window, "recent_spend": recent,
                        "earlier_spend": earlier})
    # Only when both windows lie inside the customer's history.
    full = age_days.reindex(out.index) >= 2 * window
    out["spend_trend"] = ((out["recent_spend"] - out["earlier_spend"])
                          / out["earlier_spend"].where((out["earlier_spend"] > 0) & full))
    return out


def customer_summary(tx: pd.DataFrame, as_of) -> pd.DataFrame:
    """One row per customer with any line on or before ``as_of`` (index ``customer_id``).

    Customers whose history holds no purchase (only refunds or zero orders) get
    ``frequency`` 0 and NaN recency/gaps.
    """
    as_of = pd.Timestamp(as_of).normalize()
    past = tx[tx["date"] <= as_of]
    lines = past.groupby("customer_id")["amount"]
    summary = pd.DataFrame({
        "monetary": lines.sum(),
        "gross": past["amount"].clip(lower=0).groupby(past["customer_id"]).sum(),
        "refunded": (-past["amount"]).clip(lower=0).groupby(past["customer_id"]).sum(),
    })
    bought = purchases(past, as_of)
    per = bought.groupby("customer_id")
    summary["frequency"] = per.size().reindex(summary.index).fillna(0).astype(int)
    first, last = per["date"].min(), per["date"].max()
    summary["recency_days"] = (as_of - last).dt.days
    summary["age_days"] = (as_of - first).dt.days
    summary["tenure_days"] = (last - first).dt.days
    summary["avg_order_value"] = per["net"].sum() / summary["frequency"].where(
        summary["frequency"] > 0)
    back = (as_of - bought["date"]).dt.days
    summary["orders_90d"] = (back < 90).groupby(bought["customer_id"]).sum()
    summary["orders_365d"] = (back < 365).groupby(bought["customer_id"]).sum()
    summary = summary.join(_gaps(bought)).join(_trend(bought, summary["age_days"].dropna(), as_of))
    summary["refund_share"] = (summary["refunded"] / summary["gross"].where(summary["gross"] > 0)
                               ).fillna(0.0).clip(0, 1)
    counts = ["orders_90d", "orders_365d", "purchase_days"]
    summary[counts] = summary[counts].fillna(0).astype(int)
    summary.index.name = "customer_id"
    return summary[SUMMARY_COLUMNS]


def quintile_score(values: pd.Series, higher_is_better: bool = True) -> pd.Series:
    """1–5 by rank; ties share the lower score, a constant column scores a neutral 3."""
    v = values if higher_is_better else -values
    if v.nunique(dropna=True) <= 1:
        return pd.Series(3, index=values.index, dtype=int)
    position = (v.rank(method="min") - 1) / (v.notna().sum() - 1)
    return (1 + np.minimum(4, np.floor(5 * position))).fillna(1).astype(int)


# With no spread in recency (everybody last bought on one day), a quintile says nothing; a
# purchase this many days old or newer is then "recent".
RECENT_DAYS = 30


def rfm_scores(summary: pd.DataFrame) -> pd.DataFrame:
    """``r_score, f_score, m_score`` (1–5, 5 best) and the text ``rfm_score`` such as '545'."""
    recency = summary["recency_days"]
    r_score = quintile_score(recency, higher_is_better=False)
    if recency.nunique(dropna=True) == 1:
        r_score[:] = 5 if recency.iloc[0] <= RECENT_DAYS else 3
    scores = pd.DataFrame({
        "r_score": r_score,
        "f_score": quintile_score(summary["frequency"]),
        "m_score": quintile_score(summary["monetary"]),
    }, index=summary.index)
    scores["rfm_score"] = (scores["r_score"].astype(str) + scores["f_score"].astype(str)
                           + scores["m_score"].astype(str))
    return scores
