"""Customer value: the estimator's contract, its ranges, the back-test's serving decision and the
scores CSV's value columns."""

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import NotFittedError
from typer.testing import CliRunner

from ai_engine.cli import app
from ai_engine.datasets.synthetic import generate_history
from ai_engine.features.rfm import customer_summary
from ai_engine.insights.evaluate import value_at, value_serving
from ai_engine.insights.value import value_bands
from ai_engine.io import SCORE_COLUMNS
from ai_engine.models.value import VALUE_COLUMNS, BaselineValue, CustomerValue, draw_buckets

AS_OF = pd.Timestamp("2024-06-30")


@pytest.fixture(scope="module")
def history():
    return generate_history(400, seed=3)


@pytest.fixture(scope="module")
def summary(history):
    s = customer_summary(history, AS_OF)
    return s[s["frequency"] > 0]


def test_estimator_contract(summary):
    model = CustomerValue(n_draws=100)
    assert model.get_params() == {"coverage": 0.8, "n_draws": 100, "random_state": 0}
    with pytest.raises(NotFittedError):
        model.predict(summary, 90)
    assert model.fit(summary) is model
    with pytest.raises(ValueError, match="recency_days"):
        model.predict(summary.drop(columns="recency_days"), 90)


@pytest.mark.parametrize("estimator", [CustomerValue(n_draws=200), BaselineValue()])
def test_values_are_ordered_non_negative_and_reproducible(summary, estimator):
    values = estimator.fit(summary).predict(summary, 90)
    assert list(values.columns) == VALUE_COLUMNS and values.index.equals(summary.index)
    money = values[["expected_orders", "expected_revenue", "clv_12m", "clv_low", "clv_high"]]
    assert (money >= 0).all().all() and np.isfinite(money).all().all()
    assert (values["clv_low"] <= values["clv_12m"] + 1e-9).all()
    assert (values["clv_12m"] <= values["clv_high"] + 1e-9).all()
    dated = values["next_order_days"].notna()
    assert (values.loc[dated, "p_order_12m"] >= 0.5).all()
    assert (values.loc[~dated, "p_order_12m"] < 0.5).all()
    assert values.equals(estimator.predict(summary, 90))
    # Without the 12-month range (the back-test's call) everything else is the same.
    bare = estimator.predict(summary, 90, ranges=False)
    ranged = ["clv_low", "clv_high"]
    assert bare.drop(columns=ranged).equals(values.drop(columns=ranged))
    for column in ranged:
        assert (bare[column] == bare["clv_12m"]).all()


def test_a_customers_range_depends_on_its_id_not_on_the_rows_around_it(summary):
    # Draws were made in blocks of 5,000 rows by position: shuffling the rows, or scoring a
    # part of the customers, gave a customer another range.
    model = CustomerValue(n_draws=200).fit(summary)
    low, high = model.spend_range(summary, 365)
    ranges = pd.DataFrame({"low": low, "high": high}, index=summary.index)
    shuffled = summary.sample(frac=1.0, random_state=1)
    low_s, high_s = model.spend_range(shuffled, 365)
    pd.testing.assert_frame_equal(
        pd.DataFrame({"low": low_s, "high": high_s}, index=shuffled.index), ranges.loc[
            shuffled.index])
    # Whole buckets of customers, scored apart, draw what they drew among all.
    part = summary[draw_buckets(summary.index) % 3 == 0]
    low_p, high_p = model.spend_range(part, 365)
    assert np.array_equal(low_p, ranges.loc[part.index, "low"].to_numpy())
    assert np.array_equal(high_p, ranges.loc[part.index, "high"].to_numpy())


def test_customers_who_hardly_ever_drop_out_still_get_ranges(summary):
    model = CustomerValue(n_draws=200).fit(summary)
    model.bg_.params_ = {**model.bg_.params_, "a": 1e-4}  # the fit's lower bound is e**-8
    low, high = model.spend_range(summary, 365)
    assert np.isfinite(low).all() and np.isfinite(high).all() and (low <= high).all()
    assert (high > 0).any()


def test_longer_horizon_expects_more(summary):
    model = CustomerValue(n_draws=100).fit(summary)
    short, long = model.predict(summary, 30), model.predict(summary, 365)
    assert (long["expected_orders"] >= short["expected_orders"] - 1e-9).all()
    assert np.allclose(long["expected_orders"] * long["spend_per_order"], long["clv_12m"],
                       rtol=1e-2)


def test_ranges_hold_about_80_percent_of_next_year(history):
    backtest = value_at(history, AS_OF - pd.Timedelta(days=365), 365)
    assert 0.7 <= backtest["model"]["coverage"] <= 0.95
    assert backtest["model"]["coverage_buyers"] is not None
    assert abs(backtest["model"]["orders_total_error"]) < 0.25
    decision = value_serving(backtest)
    assert decision["measure"] == "revenue_mae" and decision["grade"] in ("A", "B", "C")
    assert decision["served"] == ("baseline" if decision["grade"] == "C" else "model")


def test_no_backtest_serves_the_baseline_ungraded():
    assert value_serving(None)["served"] == "baseline"
    assert value_serving(None)["grade"] is None


def test_value_bands_rank_customers():
    bands = value_bands(pd.Series(np.arange(100, dtype=float)))
    assert bands.value_counts().to_dict() == {"low": 40, "medium": 30, "high": 20, "top": 10}
    assert bands.iloc[-1] == "top" and bands.iloc[0] == "low"


def test_score_csv_adds_the_value_columns(tmp_path, history):
    path, out = tmp_path / "tx.csv", tmp_path / "scores.csv"
    history[history["date"] <= AS_OF].to_csv(path, index=False)
    result = CliRunner().invoke(app, ["score", "-t", str(path), "-o", str(out),
                                      "--horizon-days", "90", "--json"])
    assert result.exit_code == 0, result.output
    scores = pd.read_csv(out, dtype={"next_order_date": str})
    assert list(scores.columns) == SCORE_COLUMNS
    assert SCORE_COLUMNS[:9] == ["customer_id", "recency_days", "frequency", "monetary",
                                 "rfm_score", "segment", "cluster", "churn_probability",
                                 "reasons"]  # the columns before are unchanged
    assert SCORE_COLUMNS[9:] == ["expected_orders", "expected_revenue", "next_order_date",
                                 "clv_12m", "clv_low", "clv_high"]
    assert (scores[["expected_orders", "expected_revenue", "clv_12m", "clv_low",
                    "clv_high"]] >= 0).all().all()
    dated = scores["next_order_date"].dropna()
    assert (pd.to_datetime(dated, format="%Y-%m-%d") > AS_OF).all()
    metrics = __import__("json").loads(result.output)
    assert metrics["serving"]["value"]["grade"] in ("A", "B", "C")


def test_one_twelve_month_value_per_customer():
    """The contact once showed two 12-month values side by side ($9,568 and $10,034)."""
    from ai_engine.insights.job import score_customers

    history = generate_history(n_customers=300, seed=5)
    scores = score_customers(history, backtest=False).scores
    assert (scores["clv"] == scores["clv_12m"]).all()
