"""Plain-words churn reasons, filled with the customer's own numbers.

Each template gets one row of ``customer_summary`` plus the reference (typical repeat customer)
and returns a sentence, or None when the sentence would not be true for this customer.
"""

from __future__ import annotations

import pandas as pd

SEPARATOR = " | "


def _n(value: float) -> str:
    return f"{value:,.0f}"


def _days(value: float) -> str:
    return "1 day" if round(value) == 1 else f"{_n(value)} days"


def recency(row, ref) -> str | None:
    """Only an overdue customer's silence is a reason; 3 quiet days of a monthly buyer is not."""
    days, own_gap = row["recency_days"], row["mean_gap_days"]
    usual = own_gap if own_gap > 0 else ref["mean_gap_days"]
    if not days > 0 or not days >= usual:
        return None
    if own_gap > 0:
        return f"No order for {_days(days)}; this customer usually orders every {_days(own_gap)}"
    return f"No order for {_days(days)}; repeat customers usually reorder within {_days(usual)}"


def frequency(row, ref) -> str | None:
    if row["frequency"] <= 1:
        return "Only one order so far"
    if row["frequency"] >= ref["frequency"]:
        return None
    months = max(1, round(row["age_days"] / 30.4))
    return f"Only {int(row['frequency'])} orders in {months} months"


def trend(row, ref) -> str | None:
    change = row["spend_trend"]
    if not change < -0.05 or row["frequency"] < 2:
        return None
    window = int(row["trend_window_days"])
    period = "the previous year" if window >= 365 else f"the {window} days before"
    return f"Spending fell {_n(-100 * change)} % versus {period}"


def value(row, ref) -> str | None:
    if not row["avg_order_value"] < ref["avg_order_value"]:
        return None
    return f"Small orders: {_n(row['avg_order_value'])} on average against " \
           f"{_n(ref['avg_order_value'])} for a typical repeat customer"


def rhythm(row, ref) -> str | None:
    if not row["mean_gap_days"] > ref["mean_gap_days"]:
        return None
    return f"Orders rarely: {_days(row['mean_gap_days'])} between orders on average"


def cadence(row, ref) -> str | None:
    """Last-resort fact for a risky customer: how long this customer usually stays quiet."""
    if not row["mean_gap_days"] > 0:
        return None
    return f"Usually orders every {_days(row['mean_gap_days'])}"


def refunds(row, ref) -> str | None:
    if not row["refund_share"] >= 0.01:
        return None
    return f"{_n(100 * row['refund_share'])} % of what this customer bought was refunded"


def age(row, ref) -> str | None:
    if not row["age_days"] < 0.5 * ref["age_days"]:
        return None
    return f"New customer: first order {_days(row['age_days'])} ago"


def support(row, ref) -> str | None:
    tickets, negative = int(row["tickets_90d"]), int(row["negative_tickets_90d"])
    if tickets < 1 or not (negative or row["ticket_sentiment_365d"] < 0):
        return None
    plural = "ticket" if tickets == 1 else "tickets"
    mood = f", {negative} of them negative" if negative else ", in a negative mood"
    return f"Opened {tickets} support {plural} in the last 90 days{mood}"


TEMPLATES = {"recency": recency, "frequency": frequency, "trend": trend, "value": value,
             "rhythm": rhythm, "refunds": refunds, "age": age, "support": support}


def sentences(summary: pd.DataFrame, ref: pd.Series, ranked: list[list[str]], top: int = 3,
              risky=None) -> list[list[str]]:
    """For each customer, the first ``top`` true sentences of its ranked reason groups.

    A ``risky`` customer left without a sentence gets the plain facts: silence, few orders.
    """
    risky = [False] * len(summary) if risky is None else list(risky)
    out = []
    for (_, row), groups, is_risky in zip(summary.iterrows(), ranked, risky, strict=True):
        said = [s for s in (TEMPLATES[g](row, ref) for g in groups) if s]
        if not said and is_risky:
            silence = recency(row, ref) or cadence(row, ref)
            said = [s for s in (silence, frequency(row, ref)) if s]
        out.append(said[:top])
    return out


def join(reasons: list[str]) -> str:
    return SEPARATOR.join(reasons)

