"""score_customers end to end: contract columns, methods, edge cases, report."""

import json

import pandas as pd
import pytest

from ai_engine.datasets.synthetic import generate_history
from ai_engine.errors import DataError
from ai_engine.insights.job import score_customers
from ai_engine.io import SCORE_COLUMNS
from ai_engine.reporting.report import write_report


@pytest.fixture(scope="module")
def history():
    return generate_history(n_customers=800, seed=5)


@pytest.fixture(scope="module")
def result(history):
    return score_customers(history, as_of="2024-12-31")


def frame(rows):
    df = pd.DataFrame(rows, columns=["customer_id", "order_id", "date", "amount"])
    df["date"] = pd.to_datetime(df["date"])
    return df


def test_contract_and_write_back_columns(result):
    scores = result.scores
    assert set(SCORE_COLUMNS) <= set(scores.columns)
    assert {"segment_code", "churn_risk", "churn_method", "clv", "churn_reasons_list"} <= \
        set(scores.columns)
    assert scores["customer_id"].is_unique
    assert scores["rfm_score"].str.fullmatch("[1-5]{3}").all()
    assert scores["churn_probability"].between(0, 1).all()
    assert set(scores["churn_risk"]) <= {"low", "medium", "high"}
    assert (scores["churn_method"] == "model").all() and (scores["clv"] >= 0).all()
    assert (scores["reasons"].str.count(r" \| ") <= 2).all()


def test_metrics_are_json_with_backtest(result):
    metrics = json.loads(json.dumps(result.metrics))
    assert metrics["method"] == "model" and metrics["horizon_days"] == result.horizon_days
    back = metrics["backtest"]
    assert back["model"]["auc"] > 0.8 and back["baseline"]["auc"] > 0.5


def test_report_is_self_contained(result, history, tmp_path):
    html = write_report(result, history, tmp_path, currency="CHF").read_text()
    assert "data:image/png;base64," in html and "still recoverable" in html
    assert "Lost, worth a win-back" in html and " CHF<" in html
    assert "http" not in html.split("<body>")[1].split("</body>")[0]


def test_recoverable_and_lost_customers_are_told_apart():
    from ai_engine.reporting.report import best_lift, retention_lists

    scores = pd.DataFrame({
        "customer_id": [1, 2, 3, 4], "segment": ["Loyal", "At risk", "Loyal", "New"],
        "churn_risk": ["high", "high", "low", "high"], "churn_probability": [0.7, 0.99, 0.1, 0.8],
        "recency_days": [50, 400, 5, 20], "usual_gap_days": [30.0, 20.0, 10.0, float("nan")],
        "monetary": [900.0, 5000.0, 100.0, 50.0], "clv": [700.0, 0.0, 300.0, 60.0],
        "reasons": ["", "", "", ""]})
    lists = retention_lists(scores, horizon_days=90)
    assert [c["customer_id"] for c in lists["recoverable"]] == [1, 4]  # by value still ahead
    assert [c["customer_id"] for c in lists["win_back"]] == [2]  # gone 20 gaps: win back
    assert best_lift(0.69) == pytest.approx(1 / 0.69) and best_lift(0.05) == pytest.approx(10)


def test_small_history_uses_fallback_with_note():
    tx = frame([(1, "a", "2024-01-01", 10), (1, "b", "2024-02-01", 10), (2, "c", "2024-01-15", 5)])
    result = score_customers(tx, as_of="2024-03-01")
    assert set(result.scores["churn_method"]) == {"fallback"}
    assert any("fallback" in note for note in result.metrics["notes"])
    assert result.metrics["backtest"] is None


def test_refund_only_customer_is_not_scored_and_noted():
    tx = frame([(1, "a", "2024-01-01", 10), (1, "r", "2024-01-05", -10),
                (2, "b", "2024-01-03", -4), (3, "c", "2024-02-01", 30)])
    result = score_customers(tx, as_of="2024-02-01")
    assert sorted(result.scores["customer_id"]) == [1, 3]
    assert result.scores.set_index("customer_id").loc[1, "monetary"] == 0
    assert any("only refunds" in note for note in result.metrics["notes"])


def test_nothing_before_as_of_is_a_clear_error():
    with pytest.raises(DataError, match="No transactions on or before 2023-01-01"):
        score_customers(frame([(1, "a", "2024-01-01", 10)]), as_of="2023-01-01")
