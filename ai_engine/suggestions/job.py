"""Product suggestions, pure. ``recommend_transactions``: suggestions for every customer seen
before a date, the whole job behind ``ai-engine recommend`` (the CLI only reads the CSV and
writes the result). ``run``: what a suggestions run stores in Odoo — product affinities, each
customer's list and the popular list — and its back-test, which decides per kind of slot
(products the customer bought before, never-bought products) whether the model's part or its
baseline's serves (``suggestions/evaluate.py``).

Output contract of ``recommend_transactions`` (one row per customer × rank):
``customer_id,rank,product_id,score,reason``. ``score`` ≈ probability that the product is in
the customer's next order (0..1).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ai_engine.errors import DataError
from ai_engine.features.suggestion_tables import acceptance_by_week, purchase_lines
from ai_engine.io import validate_transactions
from ai_engine.models.suggestion_model import SuggestionModel
from ai_engine.suggestions.evaluate import (
    SERVING_KEYS,
    served_lists,
    serving_choices,
    suggestion_backtest,
)

RECOMMENDATION_COLUMNS = ["customer_id", "rank", "product_id", "score", "reason"]
STORED_TOP = 20  # suggestions stored per customer, and in the popular list
# Customers whose lists are composed at once: each is made from three lists (all, repeat, new)
# with a reason per row; for 100,000 customers at once those held 1.2 GB of the task's 2.9 GB
# peak (memray, 20,000 products; bench/reports/engine_scale_catalogue.md).
SERVE_CHUNK = 10_000
POPULAR_LIST = "__cold_start__"  # a customer id nobody has: the model serves it best sellers
# The back-test decides which list serves each kind of slot and costs about 40 % of the task
# (it learns the model a second time). Its answer moves little from one night to the next
# (bench/reports/suggestion_backtest_age.md), so the nights between re-use the last one, unless
# the company's orders grew or shrank by more than a tenth since.
BACKTEST_EVERY_DAYS = 7
BACKTEST_ORDERS_CHANGE = 0.10


@dataclass
class Inputs:
    transactions: pd.DataFrame  # confirmed order lines with a product
    products: pd.DataFrame | None = None  # product_id, name, category, offerable
    segments: pd.Series | None = None  # customer id → segment of the insights run
    events: pd.DataFrame | None = None  # suggestions shown on quotes: shown_at, action, source
    last_backtest: dict | None = None  # what an earlier run kept (``backtest_state``)
    backtest_path: Path | None = None  # where this run's back-test is kept for the next ones


@dataclass
class SuggestionsResult:
    metrics: dict
    affinities: pd.DataFrame | None = None  # None: nothing learned, nothing to store
    suggestions: pd.DataFrame | None = None  # partner_id False: the popular list
    backtest_state: dict | None = None  # a back-test made now, for the runs of the next days
    save_backtest_to: Path | None = None


def recommend_transactions(tx: pd.DataFrame, as_of, top: int = 10,
                           products: pd.DataFrame | None = None,
                           segments: pd.Series | None = None,
                           model: SuggestionModel | None = None) -> pd.DataFrame:
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
    model = SuggestionModel() if model is None else model
    model.fit(tx, as_of=as_of, products=products, segments=segments)
    ids = pd.Series(past["customer_id"].astype("string").str.strip().astype(object).unique())
    numeric = pd.to_numeric(ids, errors="coerce")
    ids = ids.iloc[np.lexsort((ids.to_numpy(), numeric.fillna(np.inf).to_numpy()))]
    recs = model.recommend(pd.Index(ids), top=top)[RECOMMENDATION_COLUMNS]
    return recs.assign(score=recs["score"].round(4)).reset_index(drop=True)


def stored_lists(model: SuggestionModel, products: pd.DataFrame, serving: dict | None = None,
                 tx: pd.DataFrame | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(product affinities, suggestions) as Odoo stores them: the fitted customers' lists as
    they serve (``serving``: the run's choice per kind of slot, default the model for both;
    ``tx``, the transactions the model learned from, is needed when a baseline serves) and
    the popular list, without products that may not be offered any more."""
    blocked = products.loc[~products["offerable"], "product_id"].astype(str).tolist()
    serving = serving or {key: {"served": "model"} for key in SERVING_KEYS.values()}
    if all(choice["served"] == "model" for choice in serving.values()):
        personal = model.recommend(top=STORED_TOP)
    else:
        lines = purchase_lines(tx.assign(**{c: tx[c].astype("string").str.strip().astype(object)
                                            for c in ("customer_id", "order_id", "product_id")}),
                               model.as_of_)
        customers = model.customers_
        personal = pd.concat([served_lists(model, lines, customers[start:start + SERVE_CHUNK],
                                           STORED_TOP, serving)
                              for start in range(0, len(customers), SERVE_CHUNK)],
                             ignore_index=True)
    personal = personal[~personal["product_id"].astype(str).isin(blocked)]
    popular = model.recommend(customer_ids=[POPULAR_LIST], top=STORED_TOP, exclude=blocked)
    suggestions = pd.concat([
        personal.assign(partner_id=personal["customer_id"].astype(int)),
        popular.assign(partner_id=0),
    ], ignore_index=True)
    # The popular list has no partner: Odoo wants False there (pandas would turn it into 0).
    partner = suggestions["partner_id"].astype(object)
    suggestions["partner_id"] = partner.where(partner != 0, False)
    suggestions["product_id"] = suggestions["product_id"].astype(int)
    affinities = model.affinity_table().astype({"product_id": int, "related_product_id": int})
    return affinities, suggestions


def run(inputs: Inputs, params: dict, today, log) -> SuggestionsResult:
    """A suggestions run: the back-test on the company's own past first (it decides, per kind
    of slot, whether the model or its baseline serves; an earlier run's serves again for
    ``BACKTEST_EVERY_DAYS``, ``recent_backtest``), then learn from the order lines before
    ``today`` and compose the lists to store; the back-test, the serving choice and the weekly
    acceptance go into the run's metrics."""
    tx, products, segments = inputs.transactions, inputs.products, inputs.segments
    if tx.empty:
        log("No confirmed order lines with products: nothing to learn.")
        return SuggestionsResult({"n_customers": 0,
                                  "notes": ["no confirmed order lines with products"]})
    orders = int(tx["order_id"].nunique())
    kept = recent_backtest(inputs.last_backtest, today, orders)
    if kept:
        backtest, serving = {**kept["backtest"]}, kept["serving"]
        log(f"Back-test of {kept['on']} used again (on orders from {backtest['cut']}): it runs "
            f"every {BACKTEST_EVERY_DAYS} days, and sooner when the orders change by more than "
            f"{BACKTEST_ORDERS_CHANGE:.0%}")
    else:
        started = time.perf_counter()
        backtest = suggestion_backtest(tx, products, segments)
        serving = backtest.pop("serving") if backtest else serving_choices(None)
        if backtest:
            log(f"Back-tested on orders from {backtest['cut']} in "
                f"{time.perf_counter() - started:.1f}s")
            backtest["measured_on"] = f"{pd.Timestamp(today):%Y-%m-%d}"
    # A back-test made now is kept for the runs of the next days.
    state = ({"on": backtest["measured_on"], "orders": orders, "backtest": backtest,
              "serving": serving} if backtest and not kept else None)
    for kind, key in SERVING_KEYS.items():
        choice = serving[key]
        log(f"{kind} slots: the {choice['served']} serves (grade {choice['grade'] or '-'}; "
            f"HR@10 model {choice['model']}, baseline {choice['baseline']})")
    started = time.perf_counter()
    model = SuggestionModel().fit(tx, as_of=today, products=products, segments=segments)
    log(f"Learned from {tx['order_id'].nunique()} orders in {time.perf_counter() - started:.1f}s")
    affinities, suggestions = stored_lists(model, products, serving, tx)
    customers = suggestions.loc[suggestions["customer_id"] != POPULAR_LIST, "customer_id"]
    metrics = {"n_customers": int(customers.nunique()),
               "n_products": int(len(products)),
               # rows to store; load puts in what Odoo says it stored
               "affinities": len(affinities), "suggestions": len(suggestions),
               "suggestion_backtest": backtest,
               "serving": serving,
               "acceptance_by_week": acceptance_by_week(inputs.events)}
    return SuggestionsResult(metrics, affinities, suggestions, state, inputs.backtest_path)


def recent_backtest(kept: dict | None, today, orders: int) -> dict | None:
    """``kept`` (an earlier run's ``backtest_state``) when it may serve tonight: made less than
    ``BACKTEST_EVERY_DAYS`` ago (not in the future) on about as many orders."""
    if not kept:
        return None
    age = (pd.Timestamp(today).normalize() - pd.Timestamp(kept["on"])).days
    change = abs(orders - kept["orders"]) / max(kept["orders"], 1)
    return kept if 0 <= age < BACKTEST_EVERY_DAYS and change <= BACKTEST_ORDERS_CHANGE else None
