"""SuggestionModel: reasons, cold start, ties, discontinued products, write-back tables."""


import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from ai_engine import compute
from ai_engine.datasets.synthetic import generate_history, generate_products
from ai_engine.errors import DataError
from ai_engine.features.suggestion_candidates import candidates
from ai_engine.models.suggestion_model import RESULT_COLUMNS, SuggestionModel

NAMES = pd.DataFrame({"product_id": ["lamp", "bulb", "desk", "coffee", "old"],
                      "name": ["Desk Lamp", "LED Bulb", "Desk", "Coffee beans", "Fax roll"]})


def _tx(rows):
    return pd.DataFrame([r + (1.0, 10.0) for r in rows],
                        columns=["customer_id", "order_id", "date", "product_id", "quantity",
                                 "amount"]).assign(date=lambda d: pd.to_datetime(d["date"]))


def _shop():
    """Lamp buyers mostly take a bulb; A reorders coffee every 30 days; 'old' stopped selling."""
    rows = []
    for n, customer in enumerate("BCDEFGHI"):
        day = f"2024-02-{n + 1:02d}"
        rows.append((customer, f"L{n}", day, "lamp"))
        if n < 6:  # 6 of 8 lamp buyers (75 %) also bought a bulb
            rows.append((customer, f"L{n}", day, "bulb"))
        if n < 2:
            rows.append((customer, f"L{n}", day, "desk"))
    for k, day in enumerate(["2024-01-27", "2024-02-26", "2024-03-27"]):
        rows.append(("A", f"C{k}", day, "coffee"))
    rows.append(("A", "C9", "2024-01-05", "lamp"))
    rows.append(("J", "X1", "2023-01-10", "old"))
    rows.append(("K", "X2", "2023-01-10", "old"))
    return _tx(rows)


@pytest.fixture(scope="module")
def shop_model():
    return SuggestionModel(ranker="fixed", min_customers=2).fit(
        _shop(), as_of="2024-04-30", products=NAMES)


def test_sklearn_contract():
    model = SuggestionModel(neighbours=5)
    assert clone(model).get_params()["neighbours"] == 5
    with pytest.raises(NotFittedError):
        model.recommend(["A"])
    assert SuggestionModel(ranker="fixed").fit(_shop()) is not None


def test_reorder_cycle_reason(shop_model):
    recs = shop_model.recommend(["A"], top=3)
    coffee = recs[recs["product_id"] == "coffee"].iloc[0]
    assert coffee["reason"] == "Reorders about every 30 days; last order 34 days ago"
    assert coffee["source"] == "history"
    assert list(recs.columns) == RESULT_COLUMNS


def test_own_history_features_by_hand(shop_model):
    """A: coffee on 3 of 4 purchase days, every 30 days, last 34 days ago; lamp once."""
    frame = candidates(shop_model.tables_, pd.Index(["A"]), shop_model.as_of_, {},
                       shop_model.candidates)
    frame = frame.set_index("product_id")
    assert frame.loc["coffee", "own_rank_inv"] == 1.0
    assert frame.loc["coffee", "plain_share"] == pytest.approx(3 / 4)
    assert frame.loc["coffee", "overdue"] == pytest.approx(np.log(35 / 31))  # a bit late
    assert frame.loc["lamp", "own_rank_inv"] == 0.5
    assert frame.loc["lamp", "plain_share"] == pytest.approx(1 / 4)
    assert frame.loc["lamp", "overdue"] == 0.0  # one purchase: no gap to compare with
    never = frame.loc["bulb", ["own_rank_inv", "plain_share", "overdue"]]
    assert (never == 0.0).all()


def test_affinity_reason_names_the_related_product(shop_model):
    recs = shop_model.recommend(["A"], top=5, exclude_bought=True)
    bulb = recs[recs["product_id"] == "bulb"].iloc[0]
    assert bulb["source"] == "affinity" and bulb["related_product_id"] == "lamp"
    assert bulb["reason"] == "Bought with Desk Lamp by 67 % of customers"  # 6 of 9 lamp buyers
    assert not recs["product_id"].isin(["coffee", "lamp"]).any()  # bought before: excluded


def test_cold_start_basket_then_popularity(shop_model):
    recs = shop_model.recommend(["new", "unknown"], top=2, baskets_now={"new": ["lamp"]})
    new = recs[recs["customer_id"] == "new"]
    assert new["product_id"].iloc[0] == "bulb"
    assert "lamp" not in set(new["product_id"])  # already in the basket
    unknown = recs[recs["customer_id"] == "unknown"]
    assert list(unknown["product_id"]) == ["lamp", "bulb"]  # most buyers first
    assert set(unknown["reason"]) == {"Top seller overall"}
    assert list(recs["customer_id"].unique()) == ["new", "unknown"]  # order as asked


def test_discontinued_and_excluded_products_are_never_suggested(shop_model):
    recs = shop_model.recommend(["J"], top=10)
    assert "old" not in set(recs["product_id"])  # nobody bought it for over 180 days
    assert len(recs) > 0  # J still gets suggestions (cold start from popularity)
    recs = shop_model.recommend(["A"], top=10, exclude=["bulb"])
    assert "bulb" not in set(recs["product_id"])
    recs = shop_model.recommend(["A", "B"], top=10, exclude={"A": ["coffee"]})
    assert "coffee" not in set(recs.loc[recs["customer_id"] == "A", "product_id"])


def test_ties_are_broken_by_popularity_then_id():
    # Two products with identical histories: the same score; product id decides.
    rows = [(c, f"{c}1", "2024-01-10", p) for c in "ABC" for p in ("p2", "p1")]
    model = SuggestionModel(ranker="fixed").fit(_tx(rows), as_of="2024-02-01")
    recs = model.recommend(["zz"], top=2)
    assert recs["score"].iloc[0] == pytest.approx(recs["score"].iloc[1])
    assert list(recs["product_id"]) == ["p1", "p2"]
    again = model.recommend(["zz"], top=2)
    pd.testing.assert_frame_equal(recs, again)


def test_learned_ranker_on_generated_history_and_compact_tables():
    tx = generate_history(400, seed=2)
    model = SuggestionModel().fit(tx, as_of="2024-09-01", products=generate_products(2))
    assert model.training_["method"] == "boosting"
    tables = model.compact_tables(top=3, neighbours=5)
    pairs, suggestions = tables["product_affinities"], tables["customer_suggestions"]
    assert list(pairs.columns) == ["product_id", "related_product_id", "rank", "score",
                                   "customers_both", "confidence", "lift"]
    assert pairs["rank"].max() <= 5 and (pairs["product_id"] != pairs["related_product_id"]).all()
    assert list(suggestions.columns) == RESULT_COLUMNS
    assert set(suggestions["customer_id"]) == set(model.customers_)
    assert suggestions.groupby("customer_id")["rank"].max().le(3).all()
    assert suggestions["score"].between(0, 1).all()
    assert not suggestions.duplicated(["customer_id", "product_id"]).any()


def test_one_or_two_threads_learn_and_score_the_same_lists():
    tx = generate_history(300, seed=4)
    lists = [SuggestionModel(n_threads=n).fit(tx, as_of="2024-09-01").recommend(top=5)
             for n in (1, 2)]
    assert lists[0]["score"].gt(0).all()
    pd.testing.assert_frame_equal(lists[0], lists[1])


def test_thread_setting(monkeypatch):
    monkeypatch.setenv("AI_ENGINE_THREADS", "3")
    assert compute.threads() == 3
    monkeypatch.delenv("AI_ENGINE_THREADS")
    assert compute.threads() == 1
    for wrong in ("0", "two", "-1"):
        monkeypatch.setenv("AI_ENGINE_THREADS", wrong)
        with pytest.raises(DataError, match="AI_ENGINE_THREADS must be a whole number"):
            compute.threads()


def test_ranker_learns_on_stacked_time_splits_before_as_of_only():
    tx = generate_history(400, seed=2)
    products = generate_products(2)
    as_of = pd.Timestamp("2024-09-01")
    one = SuggestionModel(validation_cuts=1).fit(tx, as_of=as_of, products=products)
    three = SuggestionModel(validation_cuts=3).fit(tx, as_of=as_of, products=products)
    assert one.training_["cuts"] == 1 and three.training_["cuts"] == 3
    days = three.training_["validation_days"]
    assert days == one.training_["validation_days"]
    # Earlier cuts add customers and rows: the first cut's training set is part of the stack.
    assert three.training_["customers"] > one.training_["customers"]
    assert three.training_["rows"] > one.training_["rows"]
    # Nothing on or after as_of is seen: the same fit without the later lines.
    past = SuggestionModel(validation_cuts=3).fit(tx[tx["date"] < as_of], as_of=as_of,
                                                     products=products)
    assert past.training_ == three.training_
    customers = three.customers_[:50]
    pd.testing.assert_frame_equal(three.recommend(customers), past.recommend(customers))
    # With little history the stack stops at the cuts that have one: 75 days of lines and
    # cuts 30, 60 and 90 days back → nothing before the third.
    short = tx[tx["date"] >= as_of - pd.Timedelta(days=75)]
    fitted = SuggestionModel(validation_days=30, validation_cuts=3).fit(
        short, as_of=as_of, products=products)
    assert fitted.training_["cuts"] == 2 and fitted.training_["method"] == "boosting"
    with pytest.raises(ValueError, match="validation_cuts"):
        SuggestionModel(validation_cuts=0).fit(tx, as_of=as_of)


def test_given_segments_drive_popular_with_customers_like_this_one():
    rows = [(f"O{n}", f"o{n}", "2024-03-01", "toner") for n in range(4)]
    rows += [(f"C{n}", f"c{n}", "2024-03-01", "coffee") for n in range(5)]
    rows += [("O9", "o9", "2024-03-02", "paper")]
    segments = pd.Series({**{f"O{n}": "office" for n in (0, 1, 2, 3, 9)},
                          **{f"C{n}": "cafe" for n in range(5)}})
    model = SuggestionModel(ranker="fixed").fit(_tx(rows), as_of="2024-04-01",
                                                  segments=segments)
    recs = model.recommend(["O9"], top=2, exclude_bought=True)
    assert list(recs["product_id"]) == ["toner", "coffee"]  # coffee has more buyers overall
    assert list(recs["reason"]) == ["Popular with customers like this one",
                                    "Top seller overall"]


def test_buyers_of_a_discontinued_product_are_led_to_its_successor():
    """'fax' stopped selling over a year ago; most of its buyers moved on to 'scanner'. Z only
    ever bought the fax: its buyers' next product is suggested, with the fax as the reason."""
    rows = []
    for n, customer in enumerate("ABCDEF"):
        rows.append((customer, f"F{n}", "2023-01-10", "fax"))
        if n < 5:
            rows.append((customer, f"S{n}", f"2024-03-{n + 1:02d}", "scanner"))
        rows.append((customer, f"P{n}", "2024-03-20", "paper"))
    rows += [("Z", "Z1", "2023-01-12", "fax"), ("Y", "Y1", "2024-03-25", "paper"),
             ("X", "X1", "2024-03-26", "paper")]
    names = pd.DataFrame({"product_id": ["fax", "scanner", "paper"],
                          "name": ["Fax machine", "Scanner", "Paper"]})
    model = SuggestionModel(ranker="fixed").fit(  # retired_seeds=True by default
        _tx(rows), as_of="2024-04-30", products=names)
    recs = model.recommend(["Z"], top=2)
    assert "fax" not in set(recs["product_id"])  # discontinued: never suggested
    scanner = recs[recs["product_id"] == "scanner"].iloc[0]
    assert scanner["source"] == "affinity"
    assert scanner["reason"] == "Bought with Fax machine by 71 % of customers"  # 5 of 7
    # The stored affinities are between products that can still be sold.
    assert set(model.affinity_table()["product_id"]) <= {"scanner", "paper"}
    # Without retired seeds the fax leads nowhere: Z gets only popular products.
    plain = SuggestionModel(ranker="fixed", retired_seeds=False).fit(
        _tx(rows), as_of="2024-04-30", products=names)
    assert "affinity" not in set(plain.recommend(["Z"], top=2)["source"])
