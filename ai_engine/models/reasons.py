"""Churn reasons with the customer's own numbers, as codes (``ai_engine.explanations``).

Each template gets one row of ``customer_summary`` plus the reference (typical repeat customer)
and returns an explanation, or None when it would not be true for this customer.
"""

from __future__ import annotations

import pandas as pd

from ai_engine.explanations import CHURN_REASONS, explain, render

SEPARATOR = " | "


def recency(row, ref) -> dict | None:
    """Only an overdue customer's silence is a reason; 3 quiet days of a monthly buyer is not."""
    days, own_gap = row["recency_days"], row["mean_gap_days"]
    usual = own_gap if own_gap > 0 else ref["mean_gap_days"]
    if not days > 0 or not days >= usual:
        return None
    if own_gap > 0:
        return explain("silence_vs_own_gap", days=round(days), gap=round(own_gap))
    return explain("silence_vs_typical_gap", days=round(days), gap=round(usual))


def frequency(row, ref) -> dict | None:
    if row["frequency"] <= 1:
        return explain("one_order")
    if row["frequency"] >= ref["frequency"]:
        return None
    return explain("few_orders", orders=int(row["frequency"]),
                   months=max(1, round(row["age_days"] / 30.4)))


def trend(row, ref) -> dict | None:
    change = row["spend_trend"]
    if not change < -0.05 or row["frequency"] < 2:
        return None
    window = int(row["trend_window_days"])
    if window >= 365:
        return explain("spend_fell_year", percent=round(-100 * change))
    return explain("spend_fell", percent=round(-100 * change), days=window)


def value(row, ref) -> dict | None:
    if not row["avg_order_value"] < ref["avg_order_value"]:
        return None
    return explain("small_orders", value=round(row["avg_order_value"], 2),
                   typical=round(ref["avg_order_value"], 2))


def rhythm(row, ref) -> dict | None:
    if not row["mean_gap_days"] > ref["mean_gap_days"]:
        return None
    return explain("rare_orders", gap=round(row["mean_gap_days"]))


def cadence(row, ref) -> dict | None:
    """Last-resort fact for a risky customer: how long this customer usually stays quiet."""
    if not row["mean_gap_days"] > 0:
        return None
    return explain("usual_gap", gap=round(row["mean_gap_days"]))


def refunds(row, ref) -> dict | None:
    if not row["refund_share"] >= 0.01:
        return None
    return explain("refunds", percent=round(100 * row["refund_share"]))


def age(row, ref) -> dict | None:
    if not row["age_days"] < 0.5 * ref["age_days"]:
        return None
    return explain("new_customer", days=round(row["age_days"]))


def support(row, ref) -> dict | None:
    tickets, negative = int(row["tickets_90d"]), int(row["negative_tickets_90d"])
    if tickets < 1 or not (negative or row["ticket_sentiment_365d"] < 0):
        return None
    if negative:
        return explain("support_negative", tickets=tickets, negative=negative)
    return explain("support_mood", tickets=tickets)


TEMPLATES = {"recency": recency, "frequency": frequency, "trend": trend, "value": value,
             "rhythm": rhythm, "refunds": refunds, "age": age, "support": support}


def sentences(summary: pd.DataFrame, ref: pd.Series, ranked: list[list[str]], top: int = 3,
              risky=None) -> list[list[dict]]:
    """For each customer, the first ``top`` true reasons of its ranked reason groups.

    A ``risky`` customer left without a sentence gets the plain facts: silence, few orders.
    """
    risky = [False] * len(summary) if risky is None else list(risky)
    out = []
    # Rows as dicts of the columns' own scalars (a float32 rounds as before): a Series per
    # row (iterrows) cost more than the templates themselves.
    names = list(summary.columns)
    rows = (dict(zip(names, values, strict=True))
            for values in zip(*(summary[name].to_numpy() for name in names), strict=True))
    for row, groups, is_risky in zip(rows, ranked, risky, strict=True):
        said = [s for s in (TEMPLATES[g](row, ref) for g in groups) if s]
        if not said and is_risky:
            silence = recency(row, ref) or cadence(row, ref)
            said = [s for s in (silence, frequency(row, ref)) if s]
        out.append(said[:top])
    return out


def join(reasons: list[dict]) -> str:
    """The reasons in English, as the scores CSV has them."""
    return SEPARATOR.join(render(reason, CHURN_REASONS) for reason in reasons)

