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
