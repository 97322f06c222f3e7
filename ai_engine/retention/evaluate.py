"""What a retention wave brought: called against control customers, once its horizon has passed.

A plain two-sample comparison, reproducible from the stored waves: the share who ordered again
(difference of proportions with Newcombe's hybrid score interval, from the two Wilson intervals)
and the revenue per customer (Welch's interval, unequal variances). A wave is only said to have
worked when the whole 95 % interval is above 0; a wave with fewer than ``MIN_PER_GROUP``
customers in either group concludes nothing.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats

CONFIDENCE = 0.95
MIN_PER_GROUP = 10
# What a wave lets one conclude (the module's ai_contract.RETENTION_CONCLUSIONS).
CONCLUSIONS = ("effect", "harm", "inconclusive", "too_small")
OUTCOME_COLUMNS = ["member_id", "ordered_again", "orders_after", "revenue_after"]


def wilson(successes: int, n: int, confidence: float = CONFIDENCE) -> tuple[float, float]:
    """Wilson's score interval of a proportion."""
    if n == 0:
        return 0.0, 1.0
    z = stats.norm.ppf(0.5 + confidence / 2)
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def newcombe(k1: int, n1: int, k2: int, n2: int,
             confidence: float = CONFIDENCE) -> tuple[float, float, float]:
    """(p1 - p2, low, high): Newcombe's hybrid score interval (his method 10)."""
    p1, p2 = k1 / n1, k2 / n2
    l1, u1 = wilson(k1, n1, confidence)
    l2, u2 = wilson(k2, n2, confidence)
    diff = p1 - p2
    return (diff, diff - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2),
            diff + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2))


def welch(a: np.ndarray, b: np.ndarray,
          confidence: float = CONFIDENCE) -> tuple[float, float, float]:
    """(mean a - mean b, low, high): Welch's interval for two means with unequal variances."""
    diff = float(np.mean(a) - np.mean(b))
    va, vb = np.var(a, ddof=1) / len(a), np.var(b, ddof=1) / len(b)
    se = math.sqrt(va + vb)
    if se == 0:
        return diff, diff, diff
    df = (va + vb) ** 2 / (va ** 2 / (len(a) - 1) + vb ** 2 / (len(b) - 1))
    half = stats.t.ppf(0.5 + confidence / 2, df) * se
    return diff, float(diff - half), float(diff + half)


def member_outcomes(members: pd.DataFrame, waves: pd.DataFrame,
                    tx: pd.DataFrame) -> pd.DataFrame:
    """Per member (``member_id, wave_id, customer_id``): did the customer order within the
    wave's horizon (after the wave's day, up to ``date + horizon_days``), how many orders, what
    revenue. ``waves``: indexed by wave id, ``date`` and ``horizon_days``."""
    window = members.join(waves[["date", "horizon_days"]], on="wave_id")
    window["end"] = window["date"] + pd.to_timedelta(window["horizon_days"], unit="D")
    lines = window[["member_id", "customer_id", "date", "end"]].merge(
        tx[["customer_id", "order_id", "date", "amount"]].rename(columns={"date": "day"}),
        on="customer_id")
    lines = lines[(lines["day"] > lines["date"]) & (lines["day"] <= lines["end"])]
    orders = lines.groupby(["member_id", "order_id"])["amount"].sum()
    per = pd.DataFrame({
        "orders_after": (orders > 0).groupby(level="member_id").sum(),
        "revenue_after": lines.groupby("member_id")["amount"].sum(),
    }).reindex(members["member_id"]).fillna(0.0)
    per["orders_after"] = per["orders_after"].astype(int)
    per["ordered_again"] = per["orders_after"] > 0
    per["revenue_after"] = per["revenue_after"].round(2)
    return per.rename_axis("member_id").reset_index()[OUTCOME_COLUMNS]


def compare(outcomes: pd.DataFrame, min_per_group: int = MIN_PER_GROUP) -> dict:
    """Called against control customers of one wave: ``outcomes`` has ``assignment``
    (``treated``/``control``), ``ordered_again``, ``revenue_after`` and ``activity_done``.
    Shares and differences are 0..1; the keys are the wave's field names."""
    treated = outcomes[outcomes["assignment"] == "treated"]
    control = outcomes[outcomes["assignment"] == "control"]
    n1, n2 = len(treated), len(control)
    k1, k2 = int(treated["ordered_again"].sum()), int(control["ordered_again"].sum())
    row = {"treated_measured": n1, "control_measured": n2, "treated_ordered": k1,
           "control_ordered": k2,
           "activities_done": int(treated.get("activity_done", pd.Series(dtype=bool)).sum())}
    if n1 < 2 or n2 < 2:
        return {**row, "conclusion": "too_small"}
    diff, low, high = newcombe(k1, n1, k2, n2)
    r1, r2 = treated["revenue_after"].to_numpy(float), control["revenue_after"].to_numpy(float)
    rdiff, rlow, rhigh = welch(r1, r2)
    row.update(treated_reorder_rate=k1 / n1, control_reorder_rate=k2 / n2,
               reorder_diff=diff, reorder_diff_low=low, reorder_diff_high=high,
               treated_revenue=float(r1.mean()), control_revenue=float(r2.mean()),
               revenue_diff=rdiff, revenue_diff_low=rlow, revenue_diff_high=rhigh)
    row["conclusion"] = conclusion(low, high, n1, n2, min_per_group)
    return {key: round(value, 4) if isinstance(value, float) else value
            for key, value in row.items()}


def conclusion(low: float, high: float, n_treated: int, n_control: int,
               min_per_group: int = MIN_PER_GROUP) -> str:
    """``effect`` only when the whole interval is above 0: an interval that includes 0 (a
    null effect, or too little data to tell) never reads as a success."""
    if min(n_treated, n_control) < min_per_group:
        return "too_small"
    if low > 0:
        return "effect"
    if high < 0:
        return "harm"
    return "inconclusive"


def effect_sentence(effect: dict) -> str:
    """The comparison in plain words, as the Odoo wave shows it: "+9 points of customers
    ordering again, 95 % CI +2 to +16, 240 called / 60 control", then what it allows to
    conclude; a too small wave or an interval including 0 says so."""
    counts = f"{effect['treated_measured']} called / {effect['control_measured']} control"
    if effect["conclusion"] == "too_small":
        return f"Too few customers for a conclusion ({counts})."
    points = [100 * effect[key] for key in ("reorder_diff", "reorder_diff_low",
                                            "reorder_diff_high")]
    text = ("{:+.0f} points of customers ordering again, 95 % CI {:+.0f} to {:+.0f}, "
            .format(*points) + counts + ". ")
    return text + {
        "effect": "The calls brought customers back: the whole interval is above 0.",
        "harm": "Called customers ordered again less often: the whole interval is below 0.",
        "inconclusive": "No conclusion: the interval includes 0, the effect may be nil.",
    }[effect["conclusion"]]
