"""Helpdesk tickets as churn features: hand-checked counts, no peeking, reported in the run."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from ai_engine.datasets.synthetic import generate_history
from ai_engine.datasets.synthetic_tickets import support_history
from ai_engine.features.support import support_features, with_support
from ai_engine.insights.job import score_customers
from ai_engine.models import reasons

SUPPORT = pd.DataFrame({
    "customer_id": ["a", "a", "a", "b", "b"],
    "date": pd.to_datetime(["2026-01-10", "2026-03-01", "2026-03-20", "2025-06-01",
                            "2026-04-02"]),
    "sentiment": [-0.8, 0.1, np.nan, 0.6, -0.9],
})


def test_support_features_count_recent_tickets_and_mood_before_the_cutoff():
    features = support_features(SUPPORT, pd.Index(["a", "b", "c"]), "2026-03-31")
    # Jan 10 is 80 days before: counted; the unscored ticket counts but has no mood.
    assert features.loc["a"].tolist() == pytest.approx([3.0, 1.0, -0.35])
    assert features.loc["b"].tolist() == [0.0, 0.0, 0.6]      # the April ticket is the future
    assert features.loc["c"].tolist() == [0.0, 0.0, 0.0]      # no ticket reads as neutral


def test_with_support_leaves_a_summary_alone_without_tickets():
    summary = pd.DataFrame({"frequency": [3]}, index=["a"])
    assert with_support(summary, None, "2026-03-31") is summary
    assert "tickets_90d" in with_support(summary, SUPPORT, "2026-03-31")


def test_support_reason_only_when_true():
    row = {"tickets_90d": 3, "negative_tickets_90d": 2, "ticket_sentiment_365d": -0.4}
    assert reasons.support(row, {}) == {"code": "support_negative", "tickets": 3, "negative": 2}
    calm = {"tickets_90d": 1, "negative_tickets_90d": 0, "ticket_sentiment_365d": 0.5}
    assert reasons.support(calm, {}) is None


def test_run_reports_whether_ticket_features_improved_the_backtest():
    end = dt.date(2026, 6, 30)
    tx = generate_history(n_customers=800, start=end - dt.timedelta(days=900), end=end, seed=2)
    support = support_history(tx, end, seed=2)
    result = score_customers(tx, as_of=end, support=support)
    report = result.metrics["helpdesk_features"]
    assert report["tickets"] == len(support)
    assert report["used"] == (report["auc_with"] > report["auc_without"])
    assert any("helpdesk ticket features" in note for note in result.metrics["notes"])
    without = score_customers(tx, as_of=end)
    assert "helpdesk_features" not in without.metrics
    assert without.metrics["backtest"]["model"]["auc"] == report["auc_without"]
