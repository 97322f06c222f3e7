"""The expected next order date: the customer's own rhythm as its yardstick, the back-test's
measure of days off, and which of the two dates the contacts."""

import numpy as np
import pandas as pd
import pytest

from ai_engine.datasets.synthetic import generate_history
from ai_engine.features.rfm import customer_summary
from ai_engine.insights.evaluate import next_order_mae, next_order_serving, value_at
from ai_engine.insights.value import fit_value
from ai_engine.models.value import rhythm_next_order_days

AS_OF = pd.Timestamp("2024-06-30")


def _summary(gap, recency):
    return pd.DataFrame({"mean_gap_days": gap, "recency_days": recency}, index=["a", "b", "c"])


def test_rhythm_dates_repeat_customers_and_leaves_one_order_customers_to_the_model():
    summary = _summary([30.0, 20.0, np.nan], [10.0, 70.0, 5.0])
    days = rhythm_next_order_days(summary, model_days=[99.0, 99.0, 42.0])
    assert days[0] == 20  # due 30 days after the last order, which was 10 days ago
    assert np.isnan(days[1])  # silent for more than three of its 20-day gaps: no date
    assert days[2] == 42  # one order: no rhythm, the model's date


def test_overdue_customer_is_due_tomorrow_not_in_the_past():
    days = rhythm_next_order_days(_summary([30.0, 30.0, 30.0], [45.0, 30.0, 0.0]), [1, 1, 1])
    assert list(days) == [1, 1, 30]


def test_days_off_count_a_date_for_a_customer_who_never_came_back():
    horizon = 100
    # Right date for a buyer, no date for a non-buyer: perfect.
    assert next_order_mae([10.0, np.nan], [10.0, np.nan], horizon) == 0
    # A date for a customer who did not order costs the days up to the horizon; no date for
    # one who did costs the days from the order to the horizon.
    assert next_order_mae([40.0, np.nan], [np.nan, 70.0], horizon) == pytest.approx((60 + 30) / 2)
    # Dates beyond the horizon count as the horizon.
    assert next_order_mae([500.0], [np.nan], horizon) == 0


def _backtest(model_days_off, rhythm_days_off):
    return {"model": {"next_order_mae_days": model_days_off,
                      "rhythm_next_order_mae_days": rhythm_days_off}}


@pytest.mark.parametrize("model, rhythm, grade, served", [
    (40.0, 60.0, "A", "model"),      # clearly fewer days off: the model dates
    (58.0, 60.0, "B", "baseline"),   # about as good: the simpler rhythm dates
    (70.0, 60.0, "C", "baseline"),   # worse: the rhythm dates
])
def test_the_rhythm_serves_unless_the_model_is_clearly_better(model, rhythm, grade, served):
    decision = next_order_serving(_backtest(model, rhythm), "model")
    assert (decision["grade"], decision["served"]) == (grade, served)
    assert decision["measure"] == "next_order_mae_days" and decision["dated_by"] == "model"


def test_without_a_backtest_the_rhythm_dates_ungraded():
    decision = next_order_serving(None, "model")
    assert decision["served"] == "baseline" and decision["grade"] is None


@pytest.fixture(scope="module")
def history():
    return generate_history(400, seed=3)


def test_backtest_measures_both_dates(history):
    backtest = value_at(history, AS_OF - pd.Timedelta(days=180), 180)
    for name in ("model", "baseline"):
        assert 0 <= backtest[name]["next_order_mae_days"] <= 180
        assert 0 <= backtest[name]["rhythm_next_order_mae_days"] <= 180


def test_contacts_dated_by_their_rhythm_say_so(history):
    past = history[history["date"] <= AS_OF]
    summary = customer_summary(past, AS_OF)
    summary = summary[summary["frequency"] > 0]
    backtest = value_at(past, AS_OF - pd.Timedelta(days=180), 180, history_end=AS_OF)
    # The rhythm made clearly fewer mistakes than whichever value model serves: it dates.
    for name in ("model", "baseline"):
        backtest[name]["next_order_mae_days"] = 100.0
        backtest[name]["rhythm_next_order_mae_days"] = 50.0
    scorer, decisions = fit_value(past, summary, AS_OF, 90, [], backtest, checked=True)
    values = scorer.score(summary)
    assert decisions["next_order"]["served"] == "baseline"
    steady = summary.index[(summary["mean_gap_days"] > 0)
                           & (summary["recency_days"] <= summary["mean_gap_days"])]
    assert len(steady) > 10
    for customer in steady[:10]:
        row = summary.loc[customer]
        due = AS_OF + pd.Timedelta(days=max(np.ceil(row["mean_gap_days"] - row["recency_days"]),
                                            1))
        assert values.loc[customer, "next_order_date"] == due.date().isoformat()
        codes = [reason["code"] for reason in values.loc[customer, "value_reasons"]]
        assert "next_order_rhythm" in codes and "next_order" not in codes
