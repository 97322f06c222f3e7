"""Runs that read only what changed, against a real Odoo 18: after a full run, a new order makes
the next run of changes rescore that customer alone and keep everyone else's insights; the
night's first read of the sales history serves the next tasks, brought up to date."""

import datetime as dt

import pandas.testing as pdt
import pytest
from conftest import SEEDED_CUSTOMERS

from ai_engine import dispatch, shared_sales
from ai_engine.sales import sale_transactions

pytestmark = pytest.mark.odoo


def frequencies(client):
    rows = client.call("ai.partner.insight", "search_read", [], fields=["partner_id",
                                                                         "frequency", "run_id"])
    return {row["partner_id"][0]: (row["frequency"], row["run_id"][0]) for row in rows}


def test_a_run_of_changed_customers_rescores_only_them(engine, admin, seeded, user_sees):
    [user] = engine.call("res.users", "read", [engine.uid], ["company_id"])
    company_id = user["company_id"][0]
    dispatch.queue_runs(engine, "insights", [company_id])
    [full] = dispatch.run_pending(engine)  # learns the models this worker keeps
    assert full.state == "done"
    before = frequencies(engine)
    customer = sorted(before)[0]
    [product] = admin.call("product.product", "search", [("sale_ok", "=", True)], limit=1)
    order = admin.call("sale.order", "create", {"partner_id": customer, "order_line": [
        (0, 0, {"product_id": product, "product_uom_qty": 1, "price_unit": 100.0})]})
    admin.call("sale.order", "action_confirm", [order])

    engine.call("ai.run", "action_queue", "insights", company_id, "manual", "changes")
    [changes] = dispatch.run_pending(engine)
    assert (changes.state, changes.partners_scored) == ("done", 1)
    [run] = engine.call("ai.run", "read", [changes.run_id], ["scope", "log", "metrics_html"])
    assert run["scope"] == "changes" and "whose orders changed" in run["log"]
    after = frequencies(engine)
    assert len(after) == len(before) == SEEDED_CUSTOMERS  # nobody retired
    assert after[customer] == (before[customer][0] + 1, changes.run_id)
    assert {p: v for p, v in after.items() if p != customer} == {
        p: v for p, v in before.items() if p != customer}
    user_sees("Changes", "a new order, then the hourly run of changed customers",
              run["log"].splitlines()[-2])


def test_the_next_tasks_take_the_first_read_of_the_night_brought_up_to_date(
        engine, admin, seeded, monkeypatch, tmp_path):
    monkeypatch.setenv("AI_ENGINE_STATE_DIR", str(tmp_path))  # no copy yet on this "worker"
    # Odoo and this test share a clock: the seed's orders, minutes old, are not "changed".
    monkeypatch.setattr(shared_sales, "CLOCK_MARGIN", dt.timedelta(0))
    [user] = engine.call("res.users", "read", [engine.uid], ["company_id"])
    company_id = user["company_id"][0]
    said = []
    first = shared_sales.company_transactions(engine, company_id, None, said.append)
    assert not said  # read whole, and kept
    customer = int(first["customer_id"].iloc[-1])
    [product] = admin.call("product.product", "search", [("sale_ok", "=", True)], limit=1)
    order = admin.call("sale.order", "create", {"partner_id": customer, "order_line": [
        (0, 0, {"product_id": product, "product_uom_qty": 2, "price_unit": 50.0})]})
    admin.call("sale.order", "action_confirm", [order])
    kept = shared_sales.company_transactions(engine, company_id, None, said.append)
    assert "brought up to date: 1 customers whose orders changed" in said[-1]
    whole = sale_transactions(engine, company_id)
    columns = list(whole.columns)
    pdt.assert_frame_equal(kept.sort_values(columns).reset_index(drop=True),
                           whole.sort_values(columns).reset_index(drop=True))
    assert len(whole) == len(first) + 1
