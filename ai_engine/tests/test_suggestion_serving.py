"""Serving per kind of slot: the run's back-test decides, for products bought before and for
never-bought ones, whether the model's part or its baseline's is stored."""

import datetime as dt

import pandas as pd
import pytest

from ai_engine.datasets.synthetic import generate_history, generate_products
from ai_engine.models.suggestion_model import RESULT_COLUMNS, SuggestionModel
from ai_engine.suggestions import job as job_module
from ai_engine.suggestions.evaluate import (
    MARGIN,
    compose,
    own_history_baseline,
    own_products,
    popularity_baseline,
    served_lists,
    serving_choices,
    suggestion_backtest,
)
from ai_engine.suggestions.job import Inputs, run, stored_lists

MODEL = {"served": "model", "grade": "A", "model": 0.5, "baseline": 0.4}
BASELINE = {"served": "baseline", "grade": "C", "model": 0.3, "baseline": 0.4}


def _rows(customer, products, source, scores=None):
    scores = scores or [0.0] * len(products)
    return pd.DataFrame({"customer_id": customer, "rank": range(1, len(products) + 1),
                         "product_id": products, "score": scores, "reason": "r",
                         "source": source, "related_product_id": None,
                         "reason_code": [{"code": "top_seller"}] * len(products)})


def test_compose_refills_each_kind_of_slot_in_the_models_order():
    mixed = pd.concat([_rows("A", ["r1"], "history", [0.9]),
                       _rows("A", ["n1"], "affinity", [0.5]),
                       _rows("A", ["r2"], "history", [0.4]),
                       _rows("A", ["n2"], "popular", [0.1])]).assign(rank=[1, 2, 3, 4])
    repeat = _rows("A", ["own1", "own2", "own3"], "history")
    new = _rows("A", ["best1", "best2"], "popular")
    served = compose(mixed, repeat, new).sort_values("rank")
    assert list(served["product_id"]) == ["own1", "best1", "own2", "best2"]
    assert list(served["score"]) == [0.9, 0.5, 0.4, 0.1]  # slots keep the model's scores
    assert list(served["source"]) == ["history", "popular", "history", "popular"]


@pytest.fixture(scope="module")
def shop():
    catalogue = generate_products(seed=1)
    tx = generate_history(n_customers=500, start=dt.date(2024, 1, 1),
                          end=dt.date(2025, 6, 30), seed=1, products=catalogue)
    tx = tx[tx["product_id"].notna()]
    model = SuggestionModel().fit(tx, products=catalogue)
    lines = tx.assign(customer_id=tx["customer_id"].astype(str),
                      product_id=tx["product_id"].astype(str),
                      order_id=tx["order_id"].astype(str))
    return tx, catalogue.assign(offerable=True), model, lines[lines["amount"] >= 0]


@pytest.mark.parametrize("repeat,new", [(MODEL, BASELINE), (BASELINE, BASELINE)])
def test_lists_measured_without_reasons_are_the_lists_shown(shop, repeat, new):
    # A back-test leaves reasons out (they cost more than the scoring): same rows, no reasons.
    _, _, model, lines = shop
    customers = model.customers_[:60]
    serving = {"suggestions_repeat": repeat, "suggestions_new": new}
    shown = served_lists(model, lines, customers, 10, serving)
    measured = served_lists(model, lines, customers, 10, serving, describe=False)
    same = ["customer_id", "rank", "product_id", "score"]
    pd.testing.assert_frame_equal(measured[same], shown[same])
    assert shown["reason_code"].notna().all() and measured["reason_code"].isna().all()
    plain = model.recommend_kinds(customers, top=10, described=())
    for kind, rows in model.recommend_kinds(customers, top=10).items():
        pd.testing.assert_frame_equal(plain[kind][same], rows[same])
        assert ((plain[kind]["source"] == "history") == (rows["source"] == "history")).all()
        assert plain[kind]["reason"].isna().all() and rows["reason"].notna().all()


@pytest.mark.parametrize("repeat,new", [(MODEL, BASELINE), (BASELINE, MODEL),
                                        (BASELINE, BASELINE), (MODEL, MODEL)])
def test_served_lists_take_each_part_from_its_winner(shop, repeat, new):
    _, _, model, lines = shop
    customers = model.customers_[:60]
    serving = {"suggestions_repeat": repeat, "suggestions_new": new}
    served = served_lists(model, lines, customers, 10, serving)
    mine = model.recommend_kinds(customers, top=10)
    assert list(served.columns) == RESULT_COLUMNS
    assert list(served["customer_id"].unique()) == list(customers)
    for _customer, rows in served.groupby("customer_id", sort=False):
        assert list(rows["rank"]) == list(range(1, len(rows) + 1))
        assert rows["score"].is_monotonic_decreasing  # the quotation orders by score
        assert rows["product_id"].is_unique and len(rows) == 10
    pairs = set(zip(served["customer_id"], served["product_id"], strict=True))
    bought = set(zip(lines["customer_id"], lines["product_id"], strict=True))
    served_repeat = {p for p in pairs if p in bought}
    served_new = pairs - served_repeat
    if repeat is BASELINE and new is BASELINE:  # the customer's own-history list, whole
        own = own_history_baseline(lines, customers, 10)
        assert pairs == set(zip(own["customer_id"], own["product_id"], strict=True))
        return
    # The model decides how many slots of each kind; the winner of each kind fills them.
    assert len(served_repeat) == (mine["all"]["source"] == "history").sum()
    own = own_products(lines, customers, 10)
    best = popularity_baseline(lines, customers, 10, exclude_bought=True)
    for kind, chosen, baseline, part in (
            ("repeat", repeat, own, served_repeat), ("new", new, best, served_new)):
        source = baseline if chosen is BASELINE else mine[kind]
        assert part <= set(zip(source["customer_id"], source["product_id"], strict=True))
    if new is BASELINE:
        assert set(served.loc[~served.apply(lambda r: (r["customer_id"], r["product_id"])
                                            in bought, axis=1), "source"]) == {"popular"}


def test_serving_choices_on_hit_rates_per_kind():
    backtest = {"model": {"hr_at_10_repeat": 0.80, "hr_at_10_never_bought": 0.14},
                "own_history": {"hr_at_10_repeat": 0.79, "hr_at_10_never_bought": 0.22},
                "popularity": {"hr_at_10_never_bought": 0.22}}
    serving = serving_choices(backtest)
    assert serving["suggestions_repeat"] == {"served": "model", "grade": "B", "model": 0.80,
                                             "baseline": 0.79}
    assert serving["suggestions_new"]["served"] == "baseline"
    assert serving["suggestions_new"]["grade"] == "C"
    backtest["model"]["hr_at_10_repeat"] = 0.79 + MARGIN
    assert serving_choices(backtest)["suggestions_repeat"]["grade"] == "A"
    # Never-bought slots: about equal is not enough, best sellers serve; clearly better is.
    backtest["model"]["hr_at_10_never_bought"] = 0.23
    assert serving_choices(backtest)["suggestions_new"] == {
        "served": "baseline", "grade": "B", "model": 0.23, "baseline": 0.22}
    backtest["model"]["hr_at_10_never_bought"] = 0.25
    assert serving_choices(backtest)["suggestions_new"]["served"] == "model"
    # Too few customers in a view, or no back-test at all: the baseline serves, ungraded.
    backtest["model"]["hr_at_10_never_bought"] = None
    assert serving_choices(backtest)["suggestions_new"] == {
        "served": "baseline", "grade": None, "model": None, "baseline": 0.22}
    assert {c["served"] for c in serving_choices(None).values()} == {"baseline"}


def test_back_test_reports_each_kind_and_what_served(shop):
    tx, products, _, _ = shop
    report = suggestion_backtest(tx, products, None)
    for method in ("model", "own_history"):
        assert 0 <= report[method]["hr_at_10_repeat"] <= 1
    assert "hr_at_10_repeat" not in report["popularity"]
    serving = report["serving"]
    assert set(serving) == {"suggestions_repeat", "suggestions_new"}
    assert serving["suggestions_repeat"]["model"] == report["model"]["hr_at_10_repeat"]
    assert (serving["suggestions_new"]["baseline"]
            == report["popularity"]["hr_at_10_never_bought"])
    # The served figures of each kind are those of the list that served it; a baseline
    # serves only when the model was not clearly better.
    for kind, view in (("suggestions_repeat", "hr_at_10_repeat"),
                       ("suggestions_new", "hr_at_10_never_bought")):
        choice = serving[kind]
        assert report["served"][view] == choice[choice["served"]]
        if choice["served"] == "baseline":
            assert choice["model"] < choice["baseline"] + MARGIN


def test_run_stores_the_served_lists_and_says_which_served(shop, monkeypatch):
    tx, products, _, _ = shop
    from ai_engine.suggestions import job

    lost = {"suggestions_repeat": MODEL, "suggestions_new": BASELINE}
    real = job.suggestion_backtest

    def backtest_where_new_lost(*args, **kwargs):
        report = real(*args, **kwargs)
        report["serving"] = lost
        return report

    monkeypatch.setattr(job, "suggestion_backtest", backtest_where_new_lost)
    events = pd.DataFrame({"shown_at": pd.to_datetime([]), "action": [], "source": []})
    result = run(Inputs(tx, products, None, events), {}, pd.Timestamp("2025-07-01"),
                 log=lambda message: None)
    assert result.metrics["serving"] == lost
    assert "serving" not in result.metrics["suggestion_backtest"]
    personal = result.suggestions[result.suggestions["partner_id"] != False]  # noqa: E712
    lines = tx.assign(pair=tx["customer_id"].astype(str) + "/" + tx["product_id"].astype(str))
    bought = personal["customer_id"].astype(str) + "/" + personal["product_id"].astype(str)
    new_slots = personal[~bought.isin(lines["pair"])]
    assert len(new_slots) and set(new_slots["source"]) == {"popular"}  # best sellers
    assert set(new_slots["reason"]) == {"Top seller overall"}
    for _, rows in personal.groupby("partner_id"):
        assert rows["score"].is_monotonic_decreasing
        assert list(rows["rank"]) == list(range(1, len(rows) + 1))


def test_stored_lists_default_to_the_model(shop):
    _, products, model, _ = shop
    _, suggestions = stored_lists(model, products)
    personal = suggestions[suggestions["partner_id"] != False]  # noqa: E712
    first = model.customers_[0]
    expected = model.recommend([first], top=20)
    got = personal[personal["customer_id"] == first]
    assert list(got["product_id"].astype(str)) == list(expected["product_id"])


@pytest.mark.parametrize("serving", [{"suggestions_repeat": MODEL, "suggestions_new": BASELINE},
                                     {"suggestions_repeat": BASELINE,
                                      "suggestions_new": BASELINE}],
                         ids=["new-slots-baseline", "both-baselines"])
def test_lists_composed_in_chunks_of_customers_equal_one_piece(shop, monkeypatch, serving):
    # Composing 10,000 customers at a time bounds memory; the lists must not change with it.
    tx, products, model, _ = shop
    from ai_engine.suggestions import job

    monkeypatch.setattr(job, "SERVE_CHUNK", 10**9)
    _, whole = stored_lists(model, products, serving, tx)
    monkeypatch.setattr(job, "SERVE_CHUNK", 37)  # 500 customers: 14 chunks, the last short
    _, chunked = stored_lists(model, products, serving, tx)
    assert len(whole) > 37 * 20
    pd.testing.assert_frame_equal(chunked, whole)


def test_a_recent_backtest_serves_again_and_is_made_again_after_a_week(shop, monkeypatch):
    tx, products, _, _ = shop
    today = tx["date"].max().normalize() + pd.Timedelta(days=1)
    no_events = pd.DataFrame(columns=["shown_at", "action", "source"])
    first = run(Inputs(tx, products, None, no_events), {}, today, lambda _m: None)
    kept = first.backtest_state
    assert kept["on"] == f"{today:%Y-%m-%d}" and kept["serving"] == first.metrics["serving"]

    def made_again(*_args):
        raise RuntimeError("back-tested again")

    monkeypatch.setattr(job_module, "suggestion_backtest", made_again)
    logs = []
    night = run(Inputs(tx, products, None, no_events, kept), {}, today + pd.Timedelta(days=6),
                logs.append)
    assert night.backtest_state is None and night.metrics["serving"] == kept["serving"]
    assert night.metrics["suggestion_backtest"]["measured_on"] == kept["on"]
    assert any("used again" in line for line in logs)
    orders = tx["order_id"].drop_duplicates()
    fewer = tx[~tx["order_id"].isin(orders.sample(frac=0.2, random_state=0))]
    for history, days in ((tx, 7), (tx, -1), (fewer, 1)):  # a week on, clock back, new history
        with pytest.raises(RuntimeError, match="back-tested again"):
            run(Inputs(history, products, None, no_events, kept), {},
                today + pd.Timedelta(days=days), lambda _m: None)
