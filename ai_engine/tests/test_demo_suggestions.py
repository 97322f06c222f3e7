"""The demo's product suggestions section: back-test and examples for the best customers."""

import datetime as dt

from ai_engine.datasets.synthetic import generate_history, generate_products
from ai_engine.demo.suggestions import demo_suggestions
from ai_engine.insights.job import score_customers


def test_suggestions_for_the_best_customers_with_a_back_test():
    products = generate_products(seed=2)
    tx = generate_history(n_customers=400, start=dt.date(2023, 1, 1), end=dt.date(2024, 6, 30),
                          seed=2, products=products)
    scores = score_customers(tx, as_of=tx["date"].max()).scores
    shown = demo_suggestions(tx, scores, products, top=3, customers=5)
    examples = shown["examples"]
    assert len({e["customer_id"] for e in examples}) == 5
    assert {e["segment"] for e in examples} <= {"Champions", "Loyal"}
    assert sorted(e["rank"] for e in examples) == sorted([1, 2, 3] * 5)
    assert all(e["product"] in set(products["name"]) for e in examples)
    backtest = shown["backtest"]
    assert backtest["model"]["hr_at_10"] > backtest["popularity"]["hr_at_10"]
