"""The worker loop: it keeps polling through Odoo outages and stops only when told."""

from ai_engine import dispatch
from ai_engine.odoo_client import OdooConnectionError
from ai_engine.suggestions.evaluate import suggestion_backtest


def test_worker_survives_outages_and_sleeps_only_when_idle(monkeypatch):
    script = [OdooConnectionError("down"), dispatch.RunOutcome(1, "insights", 1, "done"),
              None, None]
    monkeypatch.setattr(dispatch, "process_next", lambda client, worker: _next(script))
    sleeps = []
    dispatch.work_forever(object(), poll_seconds=7, max_idle_polls=2, sleep=sleeps.append)
    assert script == []
    # The outage and both empty polls wait; a finished run polls again at once.
    assert sleeps == [7, 7, 7]


def _next(script):
    item = script.pop(0)
    if isinstance(item, Exception):
        raise item
    return item


def test_recommend_run_back_tests_suggestions_beside_both_baselines():
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


def test_recommend_back_test_needs_enough_customers():
    import pandas as pd

    tx = pd.DataFrame({"customer_id": [1, 1, 2], "order_id": [1, 2, 3],
                       "date": pd.to_datetime(["2025-01-01", "2025-03-01", "2025-02-01"]),
                       "product_id": [10, 11, 10], "quantity": [1, 1, 1],
                       "amount": [5.0, 6.0, 5.0]})
    assert suggestion_backtest(tx, None, None) is None
