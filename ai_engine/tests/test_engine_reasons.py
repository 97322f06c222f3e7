"""Reasons only state what is true and relevant for this customer; codes carry the numbers."""

import pandas as pd

from ai_engine.explanations import CHURN_REASONS, render
from ai_engine.models.reasons import TEMPLATES, join, sentences


def english(reason):
    return render(reason, CHURN_REASONS) if reason else reason


def words(per_customer):
    return [[english(r) for r in reasons] for reasons in per_customer]

REF = pd.Series({"mean_gap_days": 30.0, "frequency": 8, "avg_order_value": 100.0,
                 "age_days": 600})


def customer(**values):
    base = {"recency_days": 45, "mean_gap_days": 20.0, "frequency": 6, "age_days": 300,
            "spend_trend": 0.0, "trend_window_days": 365, "avg_order_value": 150.0,
            "refund_share": 0.0}
    return pd.Series({**base, **values})


def test_silence_is_a_reason_only_when_overdue():
    reason = TEMPLATES["recency"](customer(recency_days=45), REF)
    assert reason == {"code": "silence_vs_own_gap", "days": 45, "gap": 20}
    assert english(reason) == "No order for 45 days; this customer usually orders every 20 days"
    assert TEMPLATES["recency"](customer(recency_days=3, mean_gap_days=87.0), REF) is None


def test_one_time_buyers_are_compared_with_repeat_customers():
    once = customer(recency_days=40, mean_gap_days=float("nan"), frequency=1)
    assert english(TEMPLATES["recency"](once, REF)) == \
        "No order for 40 days; repeat customers usually reorder within 30 days"
    assert TEMPLATES["recency"](customer(recency_days=12, mean_gap_days=float("nan")), REF) is None


def test_singular_day():
    assert english(TEMPLATES["recency"](customer(recency_days=1, mean_gap_days=1.0), REF)) == \
        "No order for 1 day; this customer usually orders every 1 day"


def test_risky_customer_always_gets_a_fact():
    # Recent and frequent, yet risky (slow rhythm vs the horizon): the cadence is the fact left.
    slow = pd.DataFrame([customer(recency_days=3, mean_gap_days=87.0, frequency=9)])
    assert words(sentences(slow, REF, ranked=[["recency"]], risky=[True])) == \
        [["Usually orders every 87 days"]]
    assert sentences(slow, REF, ranked=[["recency"]], risky=[False]) == [[]]


def test_plain_facts_do_not_repeat_themselves():
    overdue = pd.DataFrame([customer(recency_days=134, mean_gap_days=29.0, frequency=9)])
    assert words(sentences(overdue, REF, ranked=[["value"]], risky=[True])) == \
        [["No order for 134 days; this customer usually orders every 29 days"]]


def test_money_and_months_are_numbers_odoo_words_itself():
    small = customer(avg_order_value=61.234, frequency=3, age_days=425)
    value = TEMPLATES["value"](small, REF)
    assert value == {"code": "small_orders", "value": 61.23, "typical": 100}
    few = TEMPLATES["frequency"](small, REF)
    assert few == {"code": "few_orders", "orders": 3, "months": 14}
    assert join([value, few]) == ("Small orders: 61 on average against 100 for a typical "
                                  "repeat customer | Only 3 orders in 14 months")
