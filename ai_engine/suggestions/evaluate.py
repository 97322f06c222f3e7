"""Time-split evaluation of product suggestions: HR@k, recall@k and NDCG@k.

Protocol: train on the purchase lines before ``cut``; the truth of each customer who bought
before the cut is the set of products of their *next order* on or after it (the first by date,
then order id). Two lists are scored:

* ``all``: the top-k suggestions as they are, against every product of the next order;
* ``never_bought``: top-k lists with the customer's past products removed (a discovery list),
  against the products of the next order the customer had never bought; only customers whose
  next order has such a product count.

Baselines: ``popularity`` (most buyers before the cut) and ``own_history`` (the customer's
products by number of orders, then most recent; padded with popularity when shorter than k —
so in the ``never_bought`` view it *is* popularity without the customer's own products).
HR@k: share of customers with at least one hit. Recall@k: hits / products in the truth, averaged
over customers. NDCG@k: binary gains, ideal = min(truth size, k) hits at the top.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ai_engine.features import suggestion_tables
from ai_engine.models.suggestion_model import SuggestionModel

METRIC_COLUMNS = ["method", "view", "customers", "hr", "recall", "ndcg"]


def _clean(tx: pd.DataFrame) -> pd.DataFrame:
    tx = tx.copy()
    for column in ("customer_id", "order_id", "product_id"):
        tx[column] = tx[column].astype("string").str.strip().astype(object)
    return tx


def next_orders(tx: pd.DataFrame, cut) -> pd.DataFrame:
    """``customer_id, product_id, new``: products of each customer's first order on/after cut.

    Only customers with a purchase before the cut; ``new`` = never bought before the cut.
    """
    cut = pd.Timestamp(cut).normalize()
    lines = suggestion_tables.purchase_lines(tx)
    before = lines[lines["date"] < cut]
    after = lines[(lines["date"] >= cut) & lines["customer_id"].isin(before["customer_id"])]
    if after.empty:
        return pd.DataFrame({"customer_id": [], "product_id": [], "new": []})
    first = (after.sort_values(["customer_id", "date", "order_id"], kind="stable")
             .drop_duplicates("customer_id")[["customer_id", "order_id"]])
    truth = after.merge(first, on=["customer_id", "order_id"])[["customer_id", "product_id"]]
    truth = truth.drop_duplicates().reset_index(drop=True)
    seen = pd.MultiIndex.from_frame(before[["customer_id", "product_id"]].drop_duplicates())
    truth["new"] = ~pd.MultiIndex.from_frame(truth[["customer_id", "product_id"]]).isin(seen)
    return truth


def popularity_baseline(lines: pd.DataFrame, customers, top: int = 10,
                        exclude_bought: bool = False) -> pd.DataFrame:
    """Most buyers overall (ties: product id), the same list for everyone."""
    counts = lines.groupby("product_id")["customer_id"].nunique()
    ranked = counts.reset_index().sort_values(["customer_id", "product_id"],
                                              ascending=[False, True], kind="stable")
    popular = ranked["product_id"].to_numpy()
    bought = (lines.groupby("customer_id")["product_id"].agg(set) if exclude_bought
              else pd.Series(dtype=object))
    rows = []
    for customer in customers:
        own = bought.get(customer, set())
        chosen = [p for p in popular[:top + len(own)] if p not in own][:top]
        rows.extend((customer, r + 1, p) for r, p in enumerate(chosen))
    return pd.DataFrame(rows, columns=["customer_id", "rank", "product_id"])


def own_history_baseline(lines: pd.DataFrame, customers, top: int = 10,
                         exclude_bought: bool = False) -> pd.DataFrame:
    """The customer's most-bought products (orders, then last date), padded with popularity."""
    padding = popularity_baseline(lines, customers, top, exclude_bought)
    if exclude_bought:
        return padding
    own = (lines.groupby(["customer_id", "product_id"])
           .agg(orders=("order_id", "nunique"), last=("date", "max")).reset_index())
    own = own[own["customer_id"].isin(pd.Index(customers))]
    own = own.sort_values(["customer_id", "orders", "last", "product_id"],
                          ascending=[True, False, False, True], kind="stable")
    own = own[own.groupby("customer_id").cumcount() < top][["customer_id", "product_id"]]
    merged = pd.concat([own.assign(part=0), padding[["customer_id", "product_id"]]
                        .assign(part=1)], ignore_index=True)
    merged = merged.drop_duplicates(["customer_id", "product_id"])
    merged["rank"] = merged.groupby("customer_id").cumcount() + 1
    return merged[merged["rank"] <= top][["customer_id", "rank", "product_id"]]


def customer_hits(recs: pd.DataFrame, truth: pd.DataFrame, top: int = 10) -> pd.Series:
    """Per customer of ``truth``: True when the top-``top`` list has at least one hit."""
    recs = recs[recs["rank"] <= top]
    hits = recs.merge(truth[["customer_id", "product_id"]], on=["customer_id", "product_id"])
    customers = pd.Index(truth["customer_id"].unique())
    return pd.Series(customers.isin(hits["customer_id"]), index=customers, name="hit")


def ranking_metrics(recs: pd.DataFrame, truth: pd.DataFrame, top: int = 10) -> dict:
    """HR@top, recall@top, NDCG@top averaged over the customers in ``truth``."""
    if truth.empty:
        return {"customers": 0, "hr": float("nan"), "recall": float("nan"),
                "ndcg": float("nan")}
    recs = recs[recs["rank"] <= top]
    hits = recs.merge(truth[["customer_id", "product_id"]], on=["customer_id", "product_id"])
    size = truth.groupby("customer_id").size()
    gain = (1.0 / np.log2(hits["rank"].to_numpy(float) + 1))
    dcg = pd.Series(gain, index=hits.index).groupby(hits["customer_id"]).sum()
    n_hits = hits.groupby("customer_id").size()
    discounts = np.cumsum(1.0 / np.log2(np.arange(2, top + 2)))
    ideal = pd.Series(discounts[np.minimum(size.to_numpy(), top) - 1], index=size.index)
    n_hits = n_hits.reindex(size.index, fill_value=0)
    dcg = dcg.reindex(size.index, fill_value=0.0)
    return {"customers": int(len(size)), "hr": float((n_hits > 0).mean()),
            "recall": float((n_hits / size).mean()), "ndcg": float((dcg / ideal).mean())}


def evaluate_recommendations(tx: pd.DataFrame, cut, top: int = 10,
                             model: SuggestionModel | None = None,
                             products: pd.DataFrame | None = None,
                             segments: pd.Series | None = None, details: bool = False):
    """Metrics table (``method, view, customers, hr, recall, ndcg``) for the model and baselines.

    The model (default ``SuggestionModel()``) is fitted here on the lines before ``cut``.
    ``details=True`` returns ``(table, hits)``, ``hits`` being one row per method × view ×
    customer with ``hit`` (for paired tests between methods).
    """
    tx = _clean(tx)
    cut = pd.Timestamp(cut).normalize()
    truth = next_orders(tx, cut)
    customers = pd.Index(truth["customer_id"].unique())
    lines = suggestion_tables.purchase_lines(tx, cut)
    model = SuggestionModel() if model is None else model
    model.fit(tx, as_of=cut, products=products, segments=segments)
    lists = {
        "model": (model.recommend(customers, top=top),
                  model.recommend(customers, top=top, exclude_bought=True)),
        "popularity": (popularity_baseline(lines, customers, top),
                       popularity_baseline(lines, customers, top, exclude_bought=True)),
        "own_history": (own_history_baseline(lines, customers, top),
                        own_history_baseline(lines, customers, top, exclude_bought=True)),
    }
    rows, hits = [], []
    for method, (all_list, new_list) in lists.items():
        for view, recs, view_truth in (("all", all_list, truth),
                                       ("never_bought", new_list, truth[truth["new"]])):
            rows.append({"method": method, "view": view,
                         **ranking_metrics(recs, view_truth, top)})
            if details:
                hit = customer_hits(recs, view_truth, top)
                hits.append(pd.DataFrame({"method": method, "view": view,
                                          "customer_id": hit.index, "hit": hit.to_numpy()}))
    table = pd.DataFrame(rows)[METRIC_COLUMNS]
    if details:
        return table, pd.concat(hits, ignore_index=True)
    return table


def suggestion_backtest(tx: pd.DataFrame, products: pd.DataFrame, segments: pd.Series,
                        min_customers: int = 30) -> dict | None:
    """The suggestions checked on the company's own past: learn from the lines before the
    date that leaves the last fifth of orders out, test on each customer's next order after
    it, beside the two baselines (best sellers; the customer's own most-bought products)."""
    order_dates = tx.drop_duplicates("order_id")["date"]
    cut = order_dates.quantile(0.8).normalize()
    if (tx["date"] < cut).sum() == 0:
        return None
    table = evaluate_recommendations(tx, cut, products=products, segments=segments)
    every = table[table["view"] == "all"].set_index("method")
    if every.empty or int(every.loc["model", "customers"]) < min_customers:
        return None
    new = table[table["view"] == "never_bought"].set_index("method")
    return {"cut": f"{cut:%Y-%m-%d}", "n_customers": int(every.loc["model", "customers"]),
            **{method: {"hr_at_10": round(float(every.loc[method, "hr"]), 4),
                        "recall_at_10": round(float(every.loc[method, "recall"]), 4),
                        "ndcg_at_10": round(float(every.loc[method, "ndcg"]), 4),
                        "hr_at_10_never_bought": round(float(new.loc[method, "hr"]), 4)}
               for method in ("model", "popularity", "own_history")}}
