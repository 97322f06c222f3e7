"""RFM features on a tiny history whose numbers are worked out by hand below."""

import math

import pandas as pd
import pytest

from ai_engine.features.churn_features import churn_labels, default_horizon
from ai_engine.features.rfm import customer_summary, quintile_score, rfm_scores
from ai_engine.features.segments import SEGMENTS, assign_segments, segment_code

AS_OF = "2024-03-01"


@pytest.fixture()
def tx():
    rows = [
        # A: three purchases (30, 50, 40) and a credit note of -10 after the last one.
        ("A", "o1", "2024-01-01", 10), ("A", "o1", "2024-01-01", 20),
        ("A", "o2", "2024-01-11", 50), ("A", "o3", "2024-01-31", 40),
        ("A", "o4", "2024-02-05", -10),
        # B: one purchase, and one after AS_OF that the summary must not see.
        ("B", "o5", "2024-02-20", 100), ("B", "o6", "2024-03-10", 70),
        # C: only a refund — never a purchase.
        ("C", "o7", "2024-02-01", -5),
    ]
    frame = pd.DataFrame(rows, columns=["customer_id", "order_id", "date", "amount"])
    frame["date"] = pd.to_datetime(frame["date"])
    return frame


def test_summary_by_hand(tx):
    s = customer_summary(tx, AS_OF)
    a = s.loc["A"]
    assert a["frequency"] == 3                      # o4 nets -10: not a purchase
    assert a["recency_days"] == 30                  # 31 Jan → 1 Mar 2024 (leap year)
    assert a["age_days"] == 60 and a["tenure_days"] == 30
    assert a["monetary"] == 110                     # 30 + 50 + 40 - 10
    assert a["avg_order_value"] == 40               # 120 / 3 purchases
    assert a["mean_gap_days"] == 15                 # gaps 10 and 20
    assert a["gap_std_days"] == 5
    assert a["refund_share"] == pytest.approx(10 / 120)
    # window = 60 / 2 = 30 days: nothing in the last 30, 50 + 40 in the 30 before → -100 %
    assert a["trend_window_days"] == 30 and a["spend_trend"] == -1.0
    b = s.loc["B"]
    assert (b["frequency"], b["recency_days"], b["monetary"]) == (1, 10, 100)
    assert math.isnan(b["mean_gap_days"]) and math.isnan(b["spend_trend"])
    c = s.loc["C"]
    assert c["frequency"] == 0 and math.isnan(c["recency_days"]) and c["monetary"] == -5


def test_labels_and_horizon(tx):
    churned = churn_labels(tx, pd.Index(["A", "B"]), AS_OF, 30)
    assert churned.to_dict() == {"A": True, "B": False}    # B buys on 10 March
    # usual gaps: A 15 days, B 19 (20 Feb → 10 Mar); 2.5 × median 17 = 42.5 → 42
    assert default_horizon(tx) == 42
    assert default_horizon(tx[tx["customer_id"] == "C"]) == 90


def test_quintiles_spread_ties_and_constants():
    assert quintile_score(pd.Series([1, 2, 3, 4, 5])).tolist() == [1, 2, 3, 4, 5]
    assert quintile_score(pd.Series([5, 4, 3, 2, 1]), higher_is_better=False).tolist() == \
        [1, 2, 3, 4, 5]
    assert quintile_score(pd.Series([1, 1, 1, 9])).tolist() == [1, 1, 1, 5]   # ties share
    assert quintile_score(pd.Series([7.0])).tolist() == [3]                   # one customer
    assert quintile_score(pd.Series([2, 2, 2])).tolist() == [3, 3, 3]        # all identical


def test_rfm_score_text():
    summary = pd.DataFrame({"recency_days": [1, 50, 400], "frequency": [9, 3, 1],
                            "monetary": [900.0, 90.0, 9.0]}, index=["x", "y", "z"])
    assert rfm_scores(summary)["rfm_score"].tolist() == ["555", "333", "111"]


def test_segments_cover_every_score_pair_with_known_codes():
    codes = {s.code for s in SEGMENTS}
    assert codes == {"champions", "loyal", "potential_loyalist", "new", "promising",
                     "need_attention", "about_to_sleep", "at_risk", "cant_lose", "hibernating",
                     "lost"}
    seen = {segment_code(r, f, m) for r in range(1, 6) for f in range(1, 6) for m in range(1, 6)}
    assert seen == codes
    assert segment_code(5, 5, 5) == "champions" and segment_code(1, 1, 1) == "lost"
    assert segment_code(5, 1, 1) == "new" and segment_code(1, 5, 5) == "cant_lose"
    named = assign_segments(pd.DataFrame({"r_score": [1], "f_score": [5], "m_score": [4]}))
    assert named.iloc[0].tolist() == ["cant_lose", "Can't lose"]


def test_active_segments_respect_each_customers_own_rhythm():
    # Three customers the quintile grid calls Champions or Loyal; one of them orders weekly and
    # has been silent for ten of its usual gaps, another for exactly three.
    rfm = pd.DataFrame({"r_score": [5, 3, 3], "f_score": [5, 5, 5], "m_score": [5, 4, 4]},
                       index=["steady", "weekly_gone_quiet", "on_the_edge"])
    summary = pd.DataFrame({"recency_days": [10, 70, 90], "mean_gap_days": [20.0, 7.0, 30.0]},
                           index=rfm.index)
    assert assign_segments(rfm)["segment_code"].tolist() == ["champions", "loyal", "loyal"]
    codes = assign_segments(rfm, summary)["segment_code"]
    assert codes.tolist() == ["champions", "at_risk", "loyal"]
    # One-time buyers have no rhythm of their own: the grid alone decides.
    once = pd.DataFrame({"recency_days": [400], "mean_gap_days": [float("nan")]}, index=["x"])
    assert assign_segments(rfm.iloc[:1].set_axis(["x"]), once)["segment_code"].tolist() == \
        ["champions"]
