"""The classic 11 RFM segments, read from the recency score R and the frequency/money score FM.

FM is the rounded-up mean of F and M. The grid (rows R 5→1, columns FM 1→5) is the common
"RFM segments" map, made non-overlapping so every score pair has exactly one segment.
The Odoo module ships the same codes as ``ai.segment`` records.
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
    Segment("loyal", "Loyal", "Buy regularly and spend well; respond to recognition."),
    Segment("potential_loyalist", "Potential loyalist",
            "Recent customers with a few purchases; could become loyal."),
    Segment("new", "New", "First purchase very recently; make the second one easy."),
    Segment("promising", "Promising", "Recent, low-spend buyers worth nurturing."),
    Segment("need_attention", "Need attention",
            "Average recency, frequency and spend; slipping without a nudge."),
    Segment("about_to_sleep", "About to sleep",
            "Below-average recency and frequency; will be lost without contact."),
    Segment("at_risk", "At risk", "Bought often and spent well, but not for a long time."),
    Segment("cant_lose", "Can't lose", "Were among the best customers and have gone quiet."),
    Segment("hibernating", "Hibernating", "Low spend, few orders, last one long ago."),
    Segment("lost", "Lost", "Lowest recency, frequency and spend."),
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


def segment_code(r: int, f: int, m: int) -> str:
    fm = (int(f) + int(m) + 1) // 2
    return _GRID[int(r)][fm - 1]


def assign_segments(rfm: pd.DataFrame) -> pd.DataFrame:
    """``segment_code`` and display ``segment`` from ``r_score, f_score, m_score`` columns."""
    codes = [segment_code(r, f, m)
             for r, f, m in zip(rfm["r_score"], rfm["f_score"], rfm["m_score"], strict=True)]
    out = pd.DataFrame({"segment_code": codes}, index=rfm.index)
    out["segment"] = out["segment_code"].map(lambda c: BY_CODE[c].name)
    return out
