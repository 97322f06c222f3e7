"""Time-split evaluation of product suggestions: HR@k, recall@k and NDCG@k, and which list
serves each kind of suggestion slot.

Protocol: train on the purchase lines before ``cut``; the truth of each customer who bought
before the cut is the set of products of their *next order* on or after it (the first by date,
then order id). Three views:

* ``all``: the top-k suggestions as they are, against every product of the next order;
* ``repeat``: top-k lists of products the customer bought before, against the next order's
  products they had bought before (customers whose next order has such a product);
* ``never_bought``: top-k lists with the customer's past products removed (a discovery list),
  against the products of the next order the customer had never bought (customers whose next
  order has such a product).

Baselines: ``popularity`` (most buyers before the cut) and ``own_history`` (the customer's
products by number of orders, then most recent; padded with popularity when shorter than k —
so in the ``never_bought`` view it *is* popularity without the customer's own products, and in
the ``repeat`` view the customer's own products alone).
HR@k: share of customers with at least one hit. Recall@k: hits / products in the truth, averaged
over customers. NDCG@k: binary gains, ideal = min(truth size, k) hits at the top.

Serving (``suggestion_backtest``, ``served_lists``): per kind of slot — repeat purchases,
never-bought products — the model's part serves when its HR@10 in that view is at least the
baseline's (own products; best sellers the customer never bought), else the baseline's part
does (``ai_engine.serving.choose``). Never-bought slots need the model clearly better (grade
A): about equal (B), best sellers serve — the simpler list, and the one the model must beat.
The served list keeps the model's mix: the slots the model gives to products bought before are
filled from the served repeat list, the others from the served never-bought list, each slot
keeping the model's score. When both baselines won, the customer's own-history list serves as
it is.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ai_engine.explanations import SUGGESTION_REASONS, explain, render
from ai_engine.features import suggestion_tables
from ai_engine.models.suggestion_model import RESULT_COLUMNS, SuggestionModel
from ai_engine.serving import choose

METRIC_COLUMNS = ["method", "view", "customers", "hr", "recall", "ndcg"]
VIEWS = ("all", "repeat", "never_bought")
# Model's HR@10 at least this much above the baseline's: grade A ("clearly better"). Two points
# of hit rate are above what the ranker's random seed alone moves (HR@10 spread of 0.9-1.3
# points over seeds 0-4 on the bench data) and about one standard error of a paired difference
# on a back-test of a few hundred customers; smaller gains are graded B (about equal).
MARGIN = 0.02
SERVING_KEYS = {"repeat": "suggestions_repeat", "new": "suggestions_new"}
# What serves a kind of slot when the model is only about as good as its baseline (grade B).
# Never-bought slots: best sellers. Their hit rates are low (0.1-0.4) and a back-test has few
# such customers, so a small back-test gain is mostly noise (bench/suggestion_serving_rule.py).
ABOUT_EQUAL = {"repeat": "model", "new": "baseline"}


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


def own_products(lines: pd.DataFrame, customers, top: int = 10) -> pd.DataFrame:
    """The customer's own products by number of orders, then most recent, then product id (no
    padding: customers with fewer products get a shorter list)."""
    own = (lines[lines["customer_id"].isin(pd.Index(customers))]
           .groupby(["customer_id", "product_id"])
           .agg(orders=("order_id", "nunique"), last=("date", "max")).reset_index())
    own = own.sort_values(["customer_id", "orders", "last", "product_id"],
                          ascending=[True, False, False, True], kind="stable")
    own["rank"] = own.groupby("customer_id").cumcount() + 1
    return own[own["rank"] <= top][["customer_id", "rank", "product_id"]].reset_index(drop=True)


def own_history_baseline(lines: pd.DataFrame, customers, top: int = 10,
                         exclude_bought: bool = False) -> pd.DataFrame:
    """The customer's most-bought products (orders, then last date), padded with popularity."""
    padding = popularity_baseline(lines, customers, top, exclude_bought)
    if exclude_bought:
        return padding
    own = own_products(lines, customers, top)
    merged = pd.concat([own[["customer_id", "product_id"]].assign(part=0),
                        padding[["customer_id", "product_id"]].assign(part=1)],
                       ignore_index=True)
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


def served_lists(model: SuggestionModel, lines: pd.DataFrame, customers, top: int,
                 serving: dict, lists: dict | None = None, describe: bool = True
                 ) -> pd.DataFrame:
    """Each customer's list as it serves (``RESULT_COLUMNS``), given the ``serving`` choices
    (``{"suggestions_repeat": choose(...), "suggestions_new": choose(...)}``).

    The model's list decides which slots hold products bought before and which never-bought
    ones; each part comes from the model or, where its baseline won, from the customer's own
    products (by orders, then last purchase) or from the best sellers they never bought. When
    both baselines won, the customer's own-history list (own products, then best sellers)
    serves whole. A slot keeps the model's score, so ranks follow scores. ``lines``: the
    purchase lines the model learned from; ``lists``: ``model.recommend_kinds`` for these
    customers and ``top``, when already at hand. ``describe=False`` leaves the reasons out
    (a back-test measures the lists and never shows them)."""
    customers = pd.Index(customers)
    by_model = {kind: serving[key]["served"] == "model" for kind, key in SERVING_KEYS.items()}
    if lists is None:  # only the parts that serve, and reasons only where a row shows them
        served = [kind for kind, mine in by_model.items() if mine]
        kinds = ("all",) if len(served) == len(by_model) else ("all", *served)
        lists = model.recommend_kinds(customers, top=top, kinds=kinds,
                                      described=served if describe else ())
    if all(by_model.values()):
        return lists["all"]
    scores = lists["all"].set_index(["customer_id", "rank"])["score"]
    if not any(by_model.values()):
        own = own_history_baseline(lines, customers, top)
        bought = pd.MultiIndex.from_frame(lines[["customer_id", "product_id"]])
        kind = pd.MultiIndex.from_frame(own[["customer_id", "product_id"]]).isin(bought)
        rows = _describe(model, own.assign(kind=np.where(kind, "repeat", "new")), describe)
        rows["score"] = scores.reindex(pd.MultiIndex.from_frame(
            rows[["customer_id", "rank"]])).to_numpy()
        return _in_order(rows.dropna(subset=["score"]), customers)
    repeat = (lists["repeat"] if by_model["repeat"] else
              _describe(model, own_products(lines, customers, top).assign(kind="repeat"),
                        describe))
    new = (lists["new"] if by_model["new"] else
           _describe(model, popularity_baseline(lines, customers, top, exclude_bought=True)
                     .assign(kind="new"), describe))
    return _in_order(compose(lists["all"], repeat, new), customers)


def compose(mixed: pd.DataFrame, repeat: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    """The model's list ``mixed`` with its slots refilled: the k-th slot holding a product the
    customer bought before (source ``history``) gets the k-th product of ``repeat``, the k-th
    other slot the k-th of ``new`` (lists in rank order). Slots keep their rank and score; a
    slot its list has nothing for stays empty."""
    slots = mixed[["customer_id", "rank", "score"]].assign(
        kind=np.where(mixed["source"] == "history", "repeat", "new"))
    slots["k"] = slots.groupby(["customer_id", "kind"]).cumcount()
    filled = []
    for kind, part in (("repeat", repeat), ("new", new)):
        part = part.drop(columns=["rank", "score"])
        part = part.assign(k=part.groupby("customer_id").cumcount(), kind=kind)
        filled.append(slots[slots["kind"] == kind].merge(part, on=["customer_id", "k", "kind"]))
    return pd.concat(filled, ignore_index=True)


def _in_order(rows: pd.DataFrame, customers: pd.Index) -> pd.DataFrame:
    """``RESULT_COLUMNS`` rows, customers in the order given, ranks 1, 2, … by slot."""
    position = pd.Series(np.arange(len(customers)), index=customers)
    rows = rows.assign(_at=rows["customer_id"].map(position))
    rows = rows.sort_values(["_at", "rank"], kind="stable")
    rows["rank"] = rows.groupby("customer_id").cumcount() + 1
    return rows[RESULT_COLUMNS].reset_index(drop=True)


def _describe(model: SuggestionModel, recs: pd.DataFrame, describe: bool = True
              ) -> pd.DataFrame:
    """A baseline's rows with the reasons and sources the stored lists carry: products bought
    before by their history, the others as top sellers (``describe=False``: sources only)."""
    if not describe:
        rows = recs.assign(source=np.where(recs["kind"] == "repeat", "history", "popular"),
                           reason=None, reason_code=None, related_product_id=None)
        return rows.assign(score=np.nan)[RESULT_COLUMNS].reset_index(drop=True)
    repeat = recs[recs["kind"] == "repeat"]
    new = recs[recs["kind"] == "new"]
    code = explain("top_seller")
    new = new.assign(reason_code=[code] * len(new),
                     reason=render(code, SUGGESTION_REASONS), source="popular",
                     related_product_id=None)
    parts = [model.history_reasons(repeat) if len(repeat) else None, new]
    rows = pd.concat([p for p in parts if p is not None], ignore_index=True)
    rows = rows.sort_values(["customer_id", "rank"], kind="stable")
    return rows.assign(score=np.nan)[RESULT_COLUMNS].reset_index(drop=True)


def evaluate_recommendations(tx: pd.DataFrame, cut, top: int = 10,
                             model: SuggestionModel | None = None,
                             products: pd.DataFrame | None = None,
                             segments: pd.Series | None = None, details: bool = False,
                             serving: dict | None = None):
    """Metrics table (``method, view, customers, hr, recall, ndcg``) for the model and
    baselines in the three views (popularity has no ``repeat`` row: it is no list of the
    customer's own products). ``serving`` (as ``serving_choices`` makes it) adds the
    ``served`` rows: the lists composed as a run stores them.

    The model (default ``SuggestionModel()``) is fitted here on the lines before ``cut``.
    ``details=True`` returns ``(table, hits)``, ``hits`` being one row per method × view ×
    customer with ``hit`` (for paired tests between methods).
    """
    tx = _clean(tx)
    cut = pd.Timestamp(cut).normalize()
    truths, lines, model, lists = _lists(tx, cut, top, model, products, segments)
    if serving is not None:
        lists["served"] = _served_views(model, lines, top, serving, lists["model"])
    rows, hits = [], []
    for method, views in lists.items():
        for view, recs in views.items():
            rows.append({"method": method, "view": view,
                         **ranking_metrics(recs, truths[view], top)})
            if details:
                hit = customer_hits(recs, truths[view], top)
                hits.append(pd.DataFrame({"method": method, "view": view,
                                          "customer_id": hit.index, "hit": hit.to_numpy()}))
    table = pd.DataFrame(rows)[METRIC_COLUMNS]
    if details:
        return table, pd.concat(hits, ignore_index=True)
    return table


def _lists(tx, cut, top, model, products, segments):
    """``(truths, lines, fitted model, lists)``: the truth of each view, the purchase lines
    before ``cut``, the model fitted on them and method → view → top-``top`` lists."""
    truth = next_orders(tx, cut)
    customers = pd.Index(truth["customer_id"].unique())
    lines = suggestion_tables.purchase_lines(tx, cut)
    model = SuggestionModel() if model is None else model
    model.fit(tx, as_of=cut, products=products, segments=segments)
    kinds = model.recommend_kinds(customers, top=top, described=())  # measured, not shown
    popular_new = popularity_baseline(lines, customers, top, exclude_bought=True)
    lists = {
        "model": {"all": kinds["all"], "repeat": kinds["repeat"], "never_bought": kinds["new"]},
        "popularity": {"all": popularity_baseline(lines, customers, top),
                       "never_bought": popular_new},
        "own_history": {"all": own_history_baseline(lines, customers, top),
                        "repeat": own_products(lines, customers, top),
                        "never_bought": popular_new},
    }
    truths = {"all": truth, "repeat": truth[~truth["new"]], "never_bought": truth[truth["new"]]}
    return truths, lines, model, lists


def _served_views(model, lines, top, serving, views) -> dict:
    """The served lists in the three views: as served, its repeat part and its never-bought
    part (the model's or the baseline's top-k of each kind)."""
    customers = pd.Index(views["all"]["customer_id"].unique())
    kinds = {"all": views["all"], "repeat": views["repeat"], "new": views["never_bought"]}
    by_model = {kind: serving[key]["served"] == "model" for kind, key in SERVING_KEYS.items()}
    return {"all": served_lists(model, lines, customers, top, serving, kinds, describe=False),
            "repeat": (views["repeat"] if by_model["repeat"]
                       else own_products(lines, customers, top)),
            "never_bought": (views["never_bought"] if by_model["new"]
                             else popularity_baseline(lines, customers, top,
                                                      exclude_bought=True))}


def serving_choices(backtest: dict | None, margin: float = MARGIN) -> dict:
    """``{"suggestions_repeat": choose(...), "suggestions_new": choose(...)}`` on HR@10 of the
    repeat view (model vs own products) and the never-bought view (model vs best sellers; the
    model serves there only when clearly better, ``ABOUT_EQUAL``); a view with too few
    customers (``None``), or no back-test, leaves the baseline serving, ungraded."""
    backtest = backtest or {}
    model, own, pop = (backtest.get(m) or {} for m in ("model", "own_history", "popularity"))
    return {"suggestions_repeat": choose(model.get("hr_at_10_repeat"),
                                         own.get("hr_at_10_repeat"), margin,
                                         about_equal=ABOUT_EQUAL["repeat"]),
            "suggestions_new": choose(model.get("hr_at_10_never_bought"),
                                      pop.get("hr_at_10_never_bought"), margin,
                                      about_equal=ABOUT_EQUAL["new"])}


def suggestion_backtest(tx: pd.DataFrame, products: pd.DataFrame, segments: pd.Series,
                        min_customers: int = 30, margin: float = MARGIN) -> dict | None:
    """The suggestions checked on the company's own past: learn from the lines before the
    date that leaves the last fifth of orders out, test on each customer's next order after
    it, beside the two baselines (best sellers; the customer's own most-bought products).

    Per method (``model``, ``popularity``, ``own_history``): ``hr_at_10, recall_at_10,
    ndcg_at_10, hr_at_10_never_bought`` and ``hr_at_10_repeat`` (not for popularity); a view
    with fewer than ``min_customers`` customers has ``None`` there. ``serving``: which list
    serves each kind of slot (``serving_choices``); ``served``: the figures of the lists
    composed that way. None when fewer than ``min_customers`` customers order after the cut.
    """
    order_dates = tx.drop_duplicates("order_id")["date"]
    cut = order_dates.quantile(0.8).normalize()
    if (tx["date"] < cut).sum() == 0:
        return None
    tx = _clean(tx)
    if next_orders(tx, cut)["customer_id"].nunique() < min_customers:
        return None
    truths, lines, model, lists = _lists(tx, cut, 10, None, products, segments)
    figures = {method: _figures(views, truths, min_customers)
               for method, views in lists.items()}
    serving = serving_choices(figures, margin)
    figures["served"] = _figures(_served_views(model, lines, 10, serving, lists["model"]),
                                 truths, min_customers)
    return {"cut": f"{cut:%Y-%m-%d}", "n_customers": int(truths["all"]["customer_id"].nunique()),
            **figures, "serving": serving}


def _figures(views: dict, truths: dict, min_customers: int) -> dict:
    """HR, recall and NDCG at 10 of the ``all`` view, HR at 10 of the others (None with
    fewer than ``min_customers`` customers)."""
    out = {}
    for view, recs in views.items():
        metrics = ranking_metrics(recs, truths[view], 10)
        if view == "all":
            out.update({f"{name}_at_10": round(float(metrics[name]), 4)
                        for name in ("hr", "recall", "ndcg")})
        elif metrics["customers"] >= min_customers:
            out[f"hr_at_10_{view}"] = round(float(metrics["hr"]), 4)
        else:
            out[f"hr_at_10_{view}"] = None
    return out
