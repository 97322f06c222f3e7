"""Runs of the changed customers: scored with a full run's models among its population, they
give an unchanged customer exactly what the full run gave, and a changed one its new figures."""

import pandas as pd
import pandas.testing as pdt
import pytest

from ai_engine import model_cache
from ai_engine.datasets.synthetic import generate_history
from ai_engine.insights import job, state


@pytest.fixture(scope="module")
def full_run():
    tx = generate_history(n_customers=400, seed=3)
    as_of = tx["date"].max().normalize()
    result = job.run(job.Inputs(tx), {}, as_of, log=lambda message: None)
    return tx, as_of, result


def history_of(tx, customers):
    return tx[tx["customer_id"].isin(customers)]


def test_unchanged_customers_get_what_the_full_run_gave(full_run):
    tx, as_of, full = full_run
    # Customers of every kind: the first, the last, some in between (bands, quintiles, risks).
    customers = full.scores["customer_id"].iloc[::40].tolist()
    again = job.score_changes(history_of(tx, customers), full.state, as_of)
    expected = full.scores.set_index("customer_id").loc[customers].sort_index()
    pdt.assert_frame_equal(again.scores.set_index("customer_id").sort_index(), expected)
    assert again.metrics["scope"] == "changes"
    assert again.metrics["n_customers"] == len(customers)
    assert again.metrics["models_as_of"] == f"{as_of:%Y-%m-%d}"
    assert again.metrics["serving"] == full.metrics["serving"]  # the run form's grades


def test_a_new_order_changes_that_customer_only(full_run):
    tx, as_of, full = full_run
    before = full.scores.set_index("customer_id")
    quiet = before[before["recency_days"] > 60].index[:3].tolist()
    new_lines = history_of(tx, quiet).groupby("customer_id").tail(1).assign(
        date=as_of, order_id=lambda f: f["order_id"].astype(str) + "-new", amount=500.0)
    changed = job.score_changes(pd.concat([history_of(tx, quiet), new_lines]), full.state, as_of)
    after = changed.scores.set_index("customer_id").loc[quiet]
    assert (after["recency_days"] == 0).all()
    assert (after["frequency"] == before.loc[quiet, "frequency"] + 1).all()
    assert ((after["monetary"] - before.loc[quiet, "monetary"]).round(2) == 500.0).all()
    # Ranked among the whole population: the most recent buyers of the company.
    assert (after["rfm_score"].str[0] == "5").all()
    assert (after["churn_probability"] < before.loc[quiet, "churn_probability"]).all()


def test_a_run_of_changes_needs_the_state_of_a_recent_full_run_with_the_same_settings(
        full_run, tmp_path):
    _tx, as_of, full = full_run
    path = tmp_path / "insights.joblib"
    assert state.load(path, {}, as_of) == (None, "no models of a full run on this worker")
    full.state.settings = state.settings_of({})
    model_cache.save(path, full.state)
    loaded, why = state.load(path, {}, as_of + pd.Timedelta(days=1))
    assert why == "" and loaded.as_of == full.state.as_of
    assert "days old" in state.load(path, {}, as_of + pd.Timedelta(days=8))[1]
    assert "settings changed" in state.load(path, {"horizon_days": 30}, as_of)[1]
    path.write_bytes(b"not a pickle")
    assert "could not be read" in state.load(path, {}, as_of)[1]


def test_a_full_run_through_the_job_keeps_its_state_with_its_settings(full_run):
    _tx, _as_of, full = full_run
    assert full.state.settings == state.settings_of({})
    assert len(full.state.population) == len(full.scores)
    assert full.state.metrics is full.metrics
