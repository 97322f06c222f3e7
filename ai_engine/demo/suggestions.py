"""The demo's product suggestions: the back-test a recommend run reports, and what the best
customers would be offered on their next quotation."""

from __future__ import annotations

import pandas as pd

from ai_engine.suggestions.evaluate import suggestion_backtest
from ai_engine.suggestions.job import recommend_transactions

SHOWN_SEGMENTS = ("champions", "loyal")  # the customers a salesperson quotes most


def demo_suggestions(tx: pd.DataFrame, scores: pd.DataFrame, products: pd.DataFrame,
                     top: int = 3, customers: int = 8) -> dict:
    """``backtest`` (as ``suggestion_backtest``, or None) and ``examples``: for the
    ``customers`` biggest spenders among the shown segments, their ``top`` suggestions
    (customer_id, segment, rank, product, score, reason)."""
    catalogue = products.assign(offerable=True)
    segments = scores.set_index("customer_id")["segment"]
    backtest = suggestion_backtest(tx, catalogue, segments)
    best = (scores[scores["segment_code"].isin(SHOWN_SEGMENTS)]
            .nlargest(customers, "monetary")["customer_id"].astype(str))
    recs = recommend_transactions(tx, as_of=tx["date"].max() + pd.Timedelta(days=1), top=top,
                                  products=catalogue, segments=segments)
    # The suggestions' ids are text (ids from a CSV or from Odoo may be either).
    recs = recs[recs["customer_id"].astype(str).isin(best)]
    names = catalogue.set_index(catalogue["product_id"].astype(str))["name"]
    segment_of = segments.set_axis(segments.index.astype(str))
    examples = recs.assign(product=recs["product_id"].astype(str).map(names),
                           segment=recs["customer_id"].astype(str).map(segment_of))
    return {"backtest": backtest,
            "examples": examples[["customer_id", "segment", "rank", "product", "score",
                                  "reason"]].to_dict("records")}
