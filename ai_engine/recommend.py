"""Product suggestions for every customer seen before a date: the whole job behind
``ai-engine recommend`` (the CLI only reads the CSV and writes the result).

Output contract (one row per customer × rank): ``customer_id,rank,product_id,score,reason``.
``score`` ≈ probability that the product is in the customer's next order (0..1).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ai_engine.errors import DataError
from ai_engine.io import validate_transactions
from ai_engine.models.recommender import BasketRecommender

RECOMMENDATION_COLUMNS = ["customer_id", "rank", "product_id", "score", "reason"]


def recommend_transactions(tx: pd.DataFrame, as_of, top: int = 10,
                           products: pd.DataFrame | None = None,
                           segments: pd.Series | None = None,
                           model: BasketRecommender | None = None) -> pd.DataFrame:
    """Top ``top`` suggestions for every customer with a transaction before ``as_of``.

    Customers come in id order (numerically when ids are numbers); ``score`` has 4 decimals.

    Learns from the lines strictly before ``as_of``. Customers whose history has no usable
    product line (only refunds, or lines without a product) get the cold-start list (popular
    products). ``products`` (``product_id[, name][, category]``) makes reasons name products
    and enables category popularity; ``segments`` maps customer_id → segment label.
    Raises ``DataError`` when no line has a product id, or nothing happened before ``as_of``.
    """
    try:
        top = int(top)
    except (TypeError, ValueError) as exc:
        raise DataError(f"top must be a whole number, not {top!r}.") from exc
    if top < 1:
        raise DataError(f"top must be at least 1 (got {top}).")
    try:
        as_of = pd.Timestamp(as_of).normalize()
    except (TypeError, ValueError) as exc:
        raise DataError(f"as_of must be a date like 2024-03-31, not {as_of!r}.") from exc
    if pd.isna(as_of):
        raise DataError("as_of must be a date like 2024-03-31.")
    tx = validate_transactions(tx)
    has_product = tx["product_id"].notna() & (tx["product_id"].astype(str).str.strip() != "")
    if not has_product.any():
        raise DataError("No transaction has a product_id: product suggestions need order lines "
                        "with products (column product_id is empty everywhere).")
    past = tx[tx["date"] < as_of]
    if past.empty:
        first = tx["date"].min()
        raise DataError(f"No transaction before {as_of:%Y-%m-%d} (the first is on "
                        f"{first:%Y-%m-%d}): choose a later --as-of.")
    if not (has_product & (tx["date"] < as_of)).any():
        raise DataError(f"No order line with a product_id before {as_of:%Y-%m-%d}: nothing to "
                        "learn product suggestions from.")
    model = BasketRecommender() if model is None else model
    model.fit(tx, as_of=as_of, products=products, segments=segments)
    ids = pd.Series(past["customer_id"].astype("string").str.strip().astype(object).unique())
    numeric = pd.to_numeric(ids, errors="coerce")
    ids = ids.iloc[np.lexsort((ids.to_numpy(), numeric.fillna(np.inf).to_numpy()))]
    recs = model.recommend(pd.Index(ids), top=top)[RECOMMENDATION_COLUMNS]
    return recs.assign(score=recs["score"].round(4)).reset_index(drop=True)
