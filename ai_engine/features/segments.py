"""The classic 11 RFM segments, read from the recency score R and the frequency/money score FM,
then checked against each customer's own rhythm.

FM is the rounded-up mean of F and M. The grid (rows R 5→1, columns FM 1→5) is the common
"RFM segments" map, made non-overlapping so every score pair has exactly one segment.

Where this departs from textbook RFM: R is a quintile of the population's recency, so in a
company whose customers mostly order once a year, 200 quiet days still score R = 3 or 4 and a
weekly buyer silent for ten of their usual gaps could be called "Loyal" beside a high churn
risk. A segment that promises an active customer (Champions, Loyal, Potential loyalist) is
therefore kept only while the customer's silence is under ``OVERDUE_GAPS`` of their own usual
gaps; past that, Champions become "Can't lose", Loyal "At risk" and Potential loyalists "Need
attention", the segments that say the customer has gone quiet.
The Odoo module ships the same codes, names and meanings as ``ai.segment`` records
(``data/ai_segment_data.xml``; the test command checks they agree).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class Segment:
    code: str
    name: str
    meaning: str


SEGMENTS: tuple[Segment, ...] = (
    Segment("champions", "Champions", "Bought recently, buy often and spend the most."),
    Segment("loyal", "Loyal", "Buy regularly and spend well; responsive to promotions."),
    Segment("potential_loyalist", "Potential loyalist",
            "Recent customers with average frequency who could become loyal."),
    Segment("new", "New", "Bought for the first time very recently."),
    Segment("promising", "Promising", "Recent buyers who have not spent much yet."),
    Segment("need_attention", "Need attention",
            "Above-average recency, frequency and spend, but slipping."),
    Segment("about_to_sleep", "About to sleep",
            "Below-average recency and frequency: will be lost without a nudge."),
    Segment("at_risk", "At risk", "Used to buy often and spend well, but not for a long time."),
    Segment("cant_lose", "Can't lose",
            "Once among the best customers, now gone quiet: win them back."),
    Segment("hibernating", "Hibernating", "Last order long ago, few orders, low spend."),
    Segment("lost", "Lost", "Lowest recency, frequency and spend: probably gone."),
)
BY_CODE = {s.code: s for s in SEGMENTS}

# _GRID[R][FM - 1] → segment code
_GRID = {
    5: ["new", "potential_loyalist", "potential_loyalist", "champions", "champions"],
    4: ["promising", "potential_loyalist", "potential_loyalist", "loyal", "champions"],
    3: ["about_to_sleep", "about_to_sleep", "need_attention", "loyal", "loyal"],
    2: ["hibernating", "hibernating", "at_risk", "at_risk", "cant_lose"],
    1: ["lost", "hibernating", "at_risk", "cant_lose", "cant_lose"],
}


# Silence, in the customer's own usual gaps, beyond which "active" segments no longer apply.
OVERDUE_GAPS = 3.0
_GONE_QUIET = {"champions": "cant_lose", "loyal": "at_risk", "potential_loyalist": "need_attention"}


def segment_code(r: int, f: int, m: int) -> str:
    fm = (int(f) + int(m) + 1) // 2
    return _GRID[int(r)][fm - 1]


def overdue(summary: pd.DataFrame) -> pd.Series:
    """Customers silent for more than ``OVERDUE_GAPS`` of their own usual gaps (``recency_days``
    over ``mean_gap_days``; never for a customer without a usual gap)."""
    return summary["recency_days"] / summary["mean_gap_days"] > OVERDUE_GAPS


def assign_segments(rfm: pd.DataFrame, summary: pd.DataFrame | None = None) -> pd.DataFrame:
    """``segment_code`` and display ``segment`` from ``r_score, f_score, m_score`` columns;
    with ``summary`` (``recency_days``, ``mean_gap_days``), customers overdue by more than
    ``OVERDUE_GAPS`` of their own gaps leave the segments of active customers."""
    codes = pd.Series([segment_code(r, f, m) for r, f, m in
                       zip(rfm["r_score"], rfm["f_score"], rfm["m_score"], strict=True)],
                      index=rfm.index)
    if summary is not None:
        late = overdue(summary).reindex(codes.index, fill_value=False)
        codes = codes.where(~late, codes.map(_GONE_QUIET).fillna(codes))
    out = pd.DataFrame({"segment_code": codes}, index=rfm.index)
    out["segment"] = out["segment_code"].map(lambda c: BY_CODE[c].name)
    return out


def gone_quiet(recency_days: pd.Series, usual_gap_days: pd.Series,
               horizon_days: float) -> pd.Series:
    """Customers silent for more than ``OVERDUE_GAPS`` of their usual gaps (the churn horizon
    for one-time buyers): gone, a win-back rather than a call that can still keep them. The
    report's "recoverable" and "win-back" lists and the retention waves use this one line."""
    usual = usual_gap_days.fillna(horizon_days / OVERDUE_GAPS)
    return recency_days > OVERDUE_GAPS * usual
