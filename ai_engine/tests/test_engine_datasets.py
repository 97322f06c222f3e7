"""Generated history and the CDNOW loader produce the transactions contract."""

import pandas as pd

from ai_engine.datasets.cdnow import load_cdnow
from ai_engine.datasets.synthetic import generate_history, generate_products
from ai_engine.io import TRANSACTION_COLUMNS, validate_transactions


def test_generated_history_is_deterministic_and_realistic():
    tx = generate_history(n_customers=300, start="2023-01-01", end="2024-06-30", seed=3)
    assert tx.equals(generate_history(n_customers=300, start="2023-01-01", end="2024-06-30",
                                      seed=3))
    assert list(tx.columns) == TRANSACTION_COLUMNS
    validate_transactions(tx)
    assert tx["date"].between("2023-01-01", "2024-06-30").all()
    assert (tx["amount"] < 0).any() and (tx["amount"] > 0).mean() > 0.95   # a few refunds
    orders = tx.groupby("customer_id")["order_id"].nunique()
    assert (orders == 1).any() and orders.max() >= 10                     # triers and regulars
    assert set(tx["product_id"]) <= set(generate_products()["product_id"])


def test_products_catalogue():
    products = generate_products()
    assert list(products.columns) == ["product_id", "name", "category", "list_price"]
    assert products["product_id"].is_unique and (products["list_price"] > 0).all()


def test_cdnow_sample_from_lifetimes_files():
    tx = load_cdnow(sample=True)
    assert list(tx.columns) == TRANSACTION_COLUMNS
    assert tx["customer_id"].nunique() == 2357
    assert tx["date"].min() == pd.Timestamp("1997-01-01")
    assert tx["date"].max() == pd.Timestamp("1998-06-30")


def test_generated_baskets_have_product_structure():
    # Bundles, staples at a rhythm and tastes inside categories (see the generator docstring).
    tx = generate_history(n_customers=1000, seed=1)
    noun = generate_products(1).set_index("product_id")["name"].str.rsplit(" ", n=1).str[0]
    lines = tx[tx["amount"] > 0].assign(noun=lambda d: d["product_id"].map(noun))
    has = pd.crosstab(lines["order_id"], lines["noun"]).gt(0)

    def lift(a, b):
        return (has[a] & has[b]).mean() / (has[a].mean() * has[b].mean())

    assert lift("Drum unit", "Toner") > 3 and lift("Standing desk", "Monitor stand") > 3
    assert lift("Toner", "Coffee beans") < 1.5                    # unrelated: about chance
    # Staples come back: most lines re-buy something the customer bought before.
    first = lines.groupby(["customer_id", "product_id"])["date"].transform("min")
    assert (lines["date"] > first).mean() > 0.4
    # Coffee is used up faster than drum units: shorter gaps between re-purchases.
    gaps = (lines.drop_duplicates(["customer_id", "product_id", "date"])
            .sort_values("date").groupby(["customer_id", "product_id"])["date"].diff().dt.days)
    by_noun = gaps.groupby(lines["noun"]).median()
    assert by_noun["Coffee beans"] < by_noun["Toner"] < by_noun["Drum unit"]


def test_generated_history_with_a_catalogue_of_ones_own():
    products = pd.DataFrame({"product_id": [11, 12, 13], "name": ["Gadget", "Widget", "Gizmo"],
                             "category": ["A", "A", "B"], "list_price": [5.0, 8.0, 20.0]})
    tx = generate_history(n_customers=40, seed=0, products=products)
    validate_transactions(tx)
    assert set(tx["product_id"]) <= {11, 12, 13}
