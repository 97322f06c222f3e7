"""The worker loop: it keeps polling through Odoo outages and stops only when told."""

import logging

import pytest

from ai_engine import dispatch
from ai_engine.odoo_client import (
    EngineStopped,
    OdooAccessError,
    OdooAuthError,
    OdooConfigError,
    OdooConnectionError,
    OdooError,
    OdooSettings,
)
from ai_engine.sales import SALES_COLUMNS
from ai_engine.suggestions.evaluate import suggestion_backtest


class QueueClient:
    """What the worker loop asks of its client besides the calls (process_next is faked)."""

    def __init__(self):
        self.open_runs, self.failed = set(), []

    def fail_open_runs(self, error):
        self.failed += [(run_id, error) for run_id in sorted(self.open_runs)]
        self.open_runs.clear()


def _next(script):
    item = script.pop(0)
    if isinstance(item, Exception):
        raise item
    return item


def _step(script, client):
    """The next scripted process_next: a function of the client, or None (an empty queue)."""
    item = script.pop(0)
    return item(client) if item else None


def test_worker_survives_outages_and_sleeps_only_when_idle(monkeypatch):
    script = [OdooConnectionError("down"), dispatch.RunOutcome(1, "insights", 1, "done"),
              None, None]
    monkeypatch.setattr(dispatch, "process_next", lambda client, worker: _next(script))
    sleeps = []
    dispatch.work_forever(QueueClient(), poll_seconds=7, max_idle_polls=2, sleep=sleeps.append)
    assert script == []
    # The outage waits its back-off, both empty polls the poll interval; a finished run polls
    # again at once.
    assert sleeps == [5, 7, 7]


def test_worker_backs_off_while_odoo_is_away_and_logs_state_changes_only(monkeypatch, caplog):
    script = [OdooConnectionError("refused")] * 6 + [OdooError("database is restoring")] * 2 \
        + [None]
    monkeypatch.setattr(dispatch, "process_next", lambda client, worker: _next(script))
    sleeps = []
    with caplog.at_level(logging.INFO, logger="ai_engine.dispatch"):
        dispatch.work_forever(QueueClient(), poll_seconds=7, max_idle_polls=1,
                              sleep=sleeps.append, retry_first=5, retry_max=30)
    assert sleeps == [5, 10, 20, 30, 30, 30, 30, 30, 7]
    said = [record.getMessage() for record in caplog.records]
    assert len(said) == 3, said  # away, failing instead, back: not one line per attempt
    assert said[0].startswith("Odoo is unreachable;") and said[0].endswith(": refused")
    assert said[1].startswith("Odoo is failing;") and said[1].endswith("database is restoring")
    assert said[2].startswith("Odoo answers again")


@pytest.mark.parametrize("error", [OdooAuthError("refused login"), OdooAccessError("no group"),
                                   OdooConfigError("bad URL")])
def test_worker_stops_on_errors_retrying_cannot_mend(monkeypatch, error):
    script = [error, None]
    monkeypatch.setattr(dispatch, "process_next", lambda client, worker: _next(script))
    with pytest.raises(type(error)):
        dispatch.work_forever(QueueClient(), sleep=lambda _s: pytest.fail("must not wait"))
    assert script == [None]


def test_worker_fails_a_run_the_outage_left_open_once_odoo_answers(monkeypatch):
    client = QueueClient()

    def lose_odoo_during_run_3(client):
        client.open_runs.add(3)  # claimed; then neither ai_finish nor ai_fail got through
        raise OdooConnectionError("Cannot reach Odoo (ai.run.ai_fail)")

    script = [lose_odoo_during_run_3, None]
    monkeypatch.setattr(dispatch, "process_next", lambda client, worker: _step(script, client))
    dispatch.work_forever(client, max_idle_polls=1, sleep=lambda _s: None)
    [(run_id, error)] = client.failed
    assert run_id == 3 and "lost Odoo during this run (Cannot reach Odoo" in error


def test_worker_stopped_fails_the_run_it_claimed_and_returns(monkeypatch):
    client = QueueClient()

    def stopped_right_after_the_claim(client):
        client.open_runs.add(4)
        raise EngineStopped("The worker was stopped (SIGTERM) before this run finished")

    script = [stopped_right_after_the_claim, None]
    monkeypatch.setattr(dispatch, "process_next", lambda client, worker: _step(script, client))
    dispatch.work_forever(client, sleep=lambda _s: pytest.fail("must not wait"))
    assert client.failed == [(4, "The worker was stopped (SIGTERM) before this run finished")]
    assert script == [None]


def test_suggestions_run_back_tests_beside_both_baselines():
    import datetime as dt

    from ai_engine.datasets.synthetic import generate_history, generate_products

    catalogue = generate_products(seed=1)
    tx = generate_history(n_customers=600, start=dt.date(2024, 1, 1), end=dt.date(2025, 6, 30),
                          seed=1, products=catalogue)
    tx = tx[tx["product_id"].notna()]
    products = catalogue.assign(offerable=True)
    report = suggestion_backtest(tx, products, segments=None)
    orders_after = tx[tx["date"] >= report["cut"]]["order_id"].nunique()
    assert 0.1 < orders_after / tx["order_id"].nunique() < 0.3  # the last fifth of orders
    assert report["n_customers"] >= 30
    for method in ("model", "popularity", "own_history"):
        assert 0 <= report[method]["hr_at_10_never_bought"] <= report[method]["hr_at_10"] <= 1
    assert report["model"]["hr_at_10"] > report["popularity"]["hr_at_10"]


def test_suggestions_back_test_needs_enough_customers():
    import pandas as pd

    tx = pd.DataFrame({"customer_id": [1, 1, 2], "order_id": [1, 2, 3],
                       "date": pd.to_datetime(["2025-01-01", "2025-03-01", "2025-02-01"]),
                       "product_id": [10, 11, 10], "quantity": [1, 1, 1],
                       "amount": [5.0, 6.0, 5.0]})
    assert suggestion_backtest(tx, None, None) is None


class DeskLessOdoo:
    """What an Odoo without ai_crm_helpdesk answers: no helpdesk task, no ticket model."""

    def __init__(self):
        self.models = []
        self.settings = OdooSettings(url="http://odoo.test", db="desk-less", login="engine",
                                     api_key="k")

    def call(self, model, method, *args, **kwargs):
        self.models.append(model)
        if (model, method) == ("ai.run", "fields_get"):
            return {"task": {"selection": [["insights", "Contact insights"],
                                           ["suggestions", "Product suggestions"]]}}
        if model == "helpdesk.ticket":
            raise AssertionError("an Odoo without the helpdesk bridge has no tickets to read")
        if (model, method) == ("sale.order.line", "ai_read_sales"):
            return {"columns": SALES_COLUMNS, "next_after_id": None, "data": {
                "id": "1", "order_id": "1", "customer_id": "7", "date": "2026-01-05",
                "product_id": "5", "quantity": "1", "amount": "40"}}
        return []


def test_insights_without_the_helpdesk_bridge_read_no_tickets():
    from ai_engine.insights import extract

    client = DeskLessOdoo()
    assert dispatch.server_tasks(client) == ["insights", "suggestions"]
    inputs = extract.read(client, 1, {}, log=lambda message: None)
    assert len(inputs.transactions) == 1  # the history was read…
    assert inputs.support is None and "helpdesk.ticket" not in client.models  # …tickets not


def test_the_baseline_serves_when_the_model_did_worse():
    from ai_engine.serving import choose

    assert choose(0.90, 0.85, margin=0.01) == {"served": "model", "grade": "A",
                                               "model": 0.90, "baseline": 0.85}
    assert choose(0.855, 0.85, margin=0.01)["grade"] == "B"
    assert choose(0.855, 0.85, margin=0.01)["served"] == "model"
    # Where a tie goes to the simpler list, grade B serves the baseline, A still the model.
    assert choose(0.855, 0.85, margin=0.01, about_equal="baseline") == {
        "served": "baseline", "grade": "B", "model": 0.855, "baseline": 0.85}
    assert choose(0.90, 0.85, margin=0.01, about_equal="baseline")["served"] == "model"
    assert choose(0.84, 0.85, margin=0.01)["served"] == "baseline"
    assert choose(0.10, 0.12, margin=0.005, higher_is_better=False)["grade"] == "A"  # Brier
    assert choose(None, 0.85, margin=0.01) == {"served": "baseline", "grade": None,
                                               "model": None, "baseline": 0.85}
