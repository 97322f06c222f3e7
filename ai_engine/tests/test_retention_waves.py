"""Retention waves: who is drawn (random, stable for a seed, capped, never excluded customers)
and what a wave is said to have brought (a known effect found, a null one not called a
success)."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from ai_engine.datasets.synthetic import generate_history, respond_to_calls
from ai_engine.odoo_client import OdooMethodMissing, OdooSettings
from ai_engine.retention import evaluate
from ai_engine.retention.job import Inputs, draw_wave, eligible, measure, run


def candidates(n=60, users=3):
    return pd.DataFrame({
        "customer_id": np.arange(1, n + 1), "user_id": np.arange(n) % users + 10,
        "churn_probability": 0.7, "churn_risk": "high", "clv": np.linspace(1000, 10, n),
        "monetary": 500.0, "segment_code": "at_risk", "excluded": False})


def test_draw_is_random_and_stable_for_a_seed():
    one = draw_wave(candidates(), per_salesperson=5, control_percent=20, seed=7)
    again = draw_wave(candidates(), per_salesperson=5, control_percent=20, seed=7)
    other = draw_wave(candidates(), per_salesperson=5, control_percent=20, seed=8)
    pd.testing.assert_frame_equal(one, again)
    controls = [set(w.loc[w["assignment"] == "control", "customer_id"]) for w in (one, other)]
    seeds = [set(draw_wave(candidates(), 5, 20, seed)
                 .query("assignment == 'control'")["customer_id"]) for seed in range(20)]
    assert len({frozenset(s) for s in seeds}) > 10, "controls differ from seed to seed"
    assert controls[0] != controls[1]


def test_draw_caps_calls_per_salesperson_and_keeps_a_control_group():
    wave = draw_wave(candidates(), per_salesperson=5, control_percent=20, seed=1)
    treated = wave[wave["assignment"] == "treated"].groupby("user_id").size()
    assert treated.max() <= 5 and len(treated) == 3
    assert (wave[wave["assignment"] == "control"].groupby("user_id").size() >= 1).all()
    # the salesperson's most valuable customers, ranked 1.. within each salesperson
    assert set(wave.loc[wave["user_id"] == 10, "customer_id"]) == {1, 4, 7, 10, 13, 16}
    assert draw_wave(candidates(), 0, 20, 1).empty


def test_excluded_and_unrecoverable_customers_are_never_eligible():
    tx = pd.DataFrame({
        "customer_id": [1, 1, 2, 2, 3, 3, 4, 4, 5, 5],
        "order_id": [f"SO{i}" for i in range(10)],
        "date": pd.to_datetime(["2024-01-01", "2024-02-01"] * 4 + ["2023-01-01", "2023-01-20"]),
        "product_id": 1, "quantity": 1.0, "amount": 100.0})
    customers = candidates(5, users=1)
    customers.loc[customers["customer_id"] == 2, "excluded"] = True
    customers.loc[customers["customer_id"] == 3, "churn_risk"] = "low"
    customers.loc[customers["customer_id"] == 4, "segment_code"] = "lost"
    found = eligible(customers, tx, "2024-03-15", horizon_days=90)
    # 5: silent a year after a 19-day gap, gone: a win-back, not a call
    assert found["customer_id"].tolist() == [1]
    wave = draw_wave(found, 5, 20, seed=3)
    assert 2 not in set(wave["customer_id"])
    assert eligible(customers, tx, "2024-03-15", 90, busy=[1]).empty


def test_run_draws_weekly_and_sends_no_excluded_customer():
    tx = generate_history(n_customers=300, seed=5)
    ids = np.sort(tx["customer_id"].unique())
    customers = candidates(len(ids), users=4).assign(customer_id=ids)
    customers.loc[customers.index % 7 == 0, "excluded"] = True
    today = tx["date"].max()
    params = {"per_salesperson": 5, "control_percent": 20, "horizon_days": 60, "seed": 11}
    result = run(Inputs(tx, customers), params, today, print)
    members = pd.DataFrame(result.wave["members"])
    assert not set(members["customer_id"]) & set(customers.loc[customers["excluded"],
                                                               "customer_id"])
    assert result.wave["seed"] == 11 and len(members)
    again = run(Inputs(tx, customers), {**params, "last_wave_date": str(today.date())}, today,
                print)
    assert again.wave is None


def test_customers_without_a_salesperson_are_named_not_silently_dropped():
    """Seen on a fresh install: 178 customers at risk, none with a salesperson, no fallback
    user — the run said only '0 customers worth a call'."""
    tx = generate_history(n_customers=300, seed=5)
    ids = np.sort(tx["customer_id"].unique())
    customers = candidates(len(ids)).assign(customer_id=ids, user_id=np.nan)
    params = {"per_salesperson": 5, "control_percent": 20, "horizon_days": 60, "seed": 11}
    result = run(Inputs(tx, customers), params, tx["date"].max(), lambda message: None)
    assert result.wave is None
    [note] = result.metrics["notes"]
    assert "have no salesperson" in note and "fallback user" in note
    assert int(note.split()[0]) > 0
    served = run(Inputs(tx, customers), {**params, "fallback_user_id": 7}, tx["date"].max(),
                 lambda message: None)
    assert {m["user_id"] for m in served.wave["members"]} == {7}
    assert "notes" not in served.metrics


def simulated_wave(response_rate, n_customers=4000, seed=3):
    """A wave drawn from a generated history, the hidden call effect applied, measured."""
    tx = generate_history(n_customers=n_customers, seed=seed)
    wave_date = tx["date"].max() - pd.Timedelta(days=60)
    ids = np.sort(tx.loc[tx["date"] <= wave_date, "customer_id"].unique())
    pool = candidates(len(ids), users=10).assign(customer_id=ids)
    drawn = draw_wave(pool, per_salesperson=100, control_percent=50, seed=seed)
    called = drawn.loc[drawn["assignment"] == "treated", "customer_id"]
    tx = respond_to_calls(tx, called, wave_date, 60, response_rate, seed=seed)
    members = drawn.assign(member_id=np.arange(1, len(drawn) + 1), wave_id=1,
                           activity_done=drawn["assignment"] == "treated")
    waves = pd.DataFrame({"wave_id": [1], "date": [wave_date], "horizon_days": [60]})
    effects, outcomes = measure(Inputs(tx, pool, waves, members), tx["date"].max())
    return effects[0], outcomes


def test_known_effect_is_found():
    effect, outcomes = simulated_wave(response_rate=0.3)
    assert effect["conclusion"] == "effect"
    assert effect["treated_measured"] == 1000 and effect["control_measured"] == 1000
    assert effect["reorder_diff_low"] > 0.05 and effect["revenue_diff_low"] > 0
    assert len(outcomes) == 2000


def test_null_effect_is_not_called_a_success():
    effect, _outcomes = simulated_wave(response_rate=0.0)
    assert effect["conclusion"] in ("inconclusive", "harm")
    assert effect["reorder_diff_low"] < 0 < effect["reorder_diff_high"] or \
        effect["conclusion"] == "harm"


def test_small_wave_concludes_nothing():
    outcomes = pd.DataFrame({"assignment": ["treated"] * 8 + ["control"] * 2,
                             "ordered_again": [True] * 8 + [False] * 2,
                             "revenue_after": [100.0] * 8 + [0.0] * 2})
    assert evaluate.compare(outcomes)["conclusion"] == "too_small"


def test_intervals_match_scipy_and_newcombe():
    # Newcombe (1998), table II, example (a): 56/70 - 48/80 → 0.2, CI 0.0524 to 0.3339
    diff, low, high = evaluate.newcombe(56, 70, 48, 80)
    assert (round(diff, 4), round(low, 4), round(high, 4)) == (0.2, 0.0524, 0.3339)
    a, b = np.array([1.0, 2, 3, 4, 9]), np.array([0.0, 1, 1, 2])
    from scipy import stats
    expected = stats.ttest_ind(a, b, equal_var=False).confidence_interval()
    _diff, low, high = evaluate.welch(a, b)
    assert low == pytest.approx(expected.low) and high == pytest.approx(expected.high)


def test_default_history_unchanged_without_calls():
    tx = generate_history(n_customers=50, seed=2)
    same = respond_to_calls(tx, [], tx["date"].max(), 60, 0.5)
    pd.testing.assert_frame_equal(tx, same)


class RetentionOdoo:
    """What Odoo answers a retention run: customers 7 and 8 (8 objected to profiling), one
    past wave of customer 7 whose horizon has passed; what the engine sends is kept. Its
    module predates ``ai_read_sales``: the history is read with search_read."""

    def __init__(self):
        self.sent = []
        self.settings = OdooSettings(url="http://odoo.test", db="retention", login="engine",
                                     api_key="k")

    def call(self, model, method, *args, **kwargs):
        if method in ("ai_write", "ai_create_wave"):
            self.sent.append((model, method, args))
            if method == "ai_create_wave":
                return {"wave_id": 2, "activities": 1, "skipped_excluded": 0}
            return {"updated": len(args[1])}
        if method == "ai_read_sales":
            raise OdooMethodMissing(f"The method '{model}.{method}' does not exist")
        if (model, method) == ("sale.order.line", "search"):  # the first and last line ids
            return [1]
        if (model, method) == ("res.partner", "read"):
            return [{"id": pid, "commercial_partner_id": [pid, "C"], "user_id": [3, "Rep"],
                     "ai_exclude_profiling": pid == 8} for pid in args[0]]
        if (model, method) == ("ai.segment", "search_read"):
            return [{"id": 1, "code": "at_risk"}]
        if (model, method) == ("ai.retention.wave", "search_read"):
            return [{"id": 1, "date": "2026-01-01", "horizon_days": 30}]
        raise AssertionError(f"unexpected {model}.{method}")

    def search_read_batched(self, model, *args, **kwargs):
        orders = [(1, 7, "2025-10-01"), (2, 7, "2025-11-01"), (3, 7, "2026-01-10"),
                  (4, 8, "2025-10-01"), (5, 8, "2025-11-01")]
        pages = {
            "sale.order": [{"id": o, "partner_id": [p, "C"], "date_order": f"{d} 10:00:00",
                            "currency_rate": 1.0} for o, p, d in orders],
            "sale.order.line": [{"id": o, "order_id": [o, "S"], "product_id": [5, "Lamp"],
                                 "product_uom_qty": 1.0, "price_subtotal": 40.0}
                                for o, _p, _d in orders],
            "ai.partner.insight": [{"partner_id": [p, "C"], "churn_probability": 70.0,
                                    "churn_risk": "high", "clv": 500.0, "monetary": 80.0,
                                    "segment_id": [1, "At risk"]} for p in (7, 8)],
            "ai.retention.wave.member": [{"id": 11, "wave_id": [1, "W"],
                                         "partner_id": [7, "C"], "assignment": "treated",
                                         "activity_state": "done"}],
        }
        return iter([pages[model]])


def test_a_retention_run_measures_past_waves_and_draws_this_weeks(monkeypatch):
    from ai_engine import dispatch

    client = RetentionOdoo()
    monkeypatch.setattr(dispatch, "heartbeat", lambda client, run_id: None)
    params = {"per_salesperson": 5, "control_percent": 0, "horizon_days": 60,
              "salespeople": [3], "seed": 5, "last_wave_date": "2026-01-01"}
    written, metrics = dispatch.run_task(client, 9, "retention", 1, params, print,
                                         today=dt.date(2026, 2, 15))
    sent = {(model, method): args for model, method, args in client.sent}
    outcome = sent[("ai.retention.wave.member", "ai_write")][1]
    assert outcome == [{"id": 11, "ordered_again": True, "orders_after": 1,
                        "revenue_after": 40.0}]
    effect = sent[("ai.retention.wave", "ai_write")][1][0]
    assert effect["id"] == 1 and effect["conclusion"] == "too_small"
    assert effect["activities_done"] == 1
    wave = sent[("ai.retention.wave", "ai_create_wave")][1]
    assert [m["partner_id"] for m in wave["members"]] == [7]  # 8 objected
    assert wave["seed"] == 5 and written == 1 and metrics["waves_measured"] == 1
