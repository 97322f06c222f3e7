"""Candidate products for suggestions and the features the ranker scores them on: pure
functions of the tables learned from the purchase lines before a date (``learn_tables``, built
on ``features/suggestion_tables.py``).

Candidates per customer come from four sources: products they bought before, products bought
with theirs (affinity, also from products nobody buys any more when ``retired_seeds``), popular
with their segment, top sellers of their categories and overall (most recent buyers and most
buyers ever). Each candidate gets the ``FEATURES``: share of the customer's orders with it,
decayed and plain, its rank among the customer's own products, due-ness against its own reorder
cycle, affinity, popularity in segment/category/overall, and the share of customers who ever
bought it (what a best-seller list knows). ``labelled_candidates`` adds what the customer really
bought next after a cut: the ranker's training rows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse

from ai_engine.features import suggestion_tables

FEATURES = ["bought_before", "order_share", "log_orders", "log_days_since", "has_cycle", "due",
            "affinity", "segment_share", "category_share", "overall_share",
            "own_rank_inv", "plain_share", "overdue", "plain_popularity"]
POPULAR_CANDIDATES = 20
PLAIN_POPULAR = 1  # × POPULAR_CANDIDATES candidates by buyers ever (0: none)


@dataclass(frozen=True)
class Settings:
    """The suggestion model's parameters that the tables and candidates depend on."""

    half_life_days: float | None
    measure: str
    neighbours: int
    min_customers: int
    shrink: float
    seed_items: int
    candidates: int
    retire_after_days: int | None
    retired_seeds: bool


@dataclass
class Tables:
    """Everything learned from the history before one date."""

    as_of: pd.Timestamp
    cycles: pd.DataFrame          # repurchase_cycles, indexed by (customer_id, product_id)
    affinities: pd.DataFrame      # co_purchase pairs among active products
    popularity: pd.DataFrame      # overall, indexed by product_id
    segment_popularity: pd.DataFrame
    category_popularity: pd.DataFrame | None
    customer_categories: pd.DataFrame | None  # customer_id, category, share
    segments: pd.Series           # customer_id → segment
    active: pd.Index              # products sold within retire_after_days
    seeds: sparse.csr_matrix      # customers × seed products, decayed history weights
    customers: pd.Index
    affinity_matrix: sparse.csr_matrix  # seed products × active products, pair score
    seed_products: pd.Index       # products whose buyers lead to others (active, or all)


def as_str_index(values) -> pd.Index:
    return pd.Index(pd.Series(values, dtype=object).astype(str).unique())


def _frequency_segments(lines: pd.DataFrame) -> pd.Series:
    orders = lines.groupby("customer_id")["order_id"].nunique()
    tier = pd.cut(orders.rank(pct=True, method="first"), [0, 1 / 3, 2 / 3, 1],
                  labels=["occasional", "regular", "frequent"])
    return tier.astype(str).rename("segment")


def _top_per_group(frame: pd.DataFrame, group: str, order: list[str], ascending: list[bool],
                   n: int) -> pd.DataFrame:
    frame = frame.sort_values([group] + order, ascending=[True] + ascending, kind="stable")
    return frame[frame.groupby(group).cumcount() < n]


def learn_tables(lines: pd.DataFrame, as_of: pd.Timestamp, given_segments: pd.Series | None,
                 settings: Settings) -> Tables:
    """Everything ``candidates`` needs, from ``lines`` (purchase lines before ``as_of``)."""
    half_life = settings.half_life_days
    cycles = suggestion_tables.repurchase_cycles(lines, as_of, half_life)
    last_sale = lines.groupby("product_id")["date"].max()
    if settings.retire_after_days is not None:
        last_sale = last_sale[last_sale >= as_of - pd.Timedelta(days=settings.retire_after_days)]
    active = pd.Index(np.sort(last_sale.index.to_numpy().astype(str)).astype(object))
    popularity = suggestion_tables.popularity(lines, as_of, half_life)
    popularity = popularity[popularity["product_id"].isin(active)].set_index("product_id")
    categories = None
    customer_categories = None
    if "category" in lines.columns:
        categories = suggestion_tables.popularity(lines, as_of, half_life, by="category")
        categories = categories[categories["product_id"].isin(active)]
        spend = lines.groupby(["customer_id", "category"])["amount"].sum().clip(lower=0)
        total = spend.groupby(level=0).transform("sum").replace(0, np.nan)
        customer_categories = (spend / total).fillna(0).rename("share").reset_index()
    segments = customer_segments(lines, customer_categories, given_segments)
    segment_popularity = suggestion_tables.popularity(lines, as_of, half_life, groups=segments)
    segment_popularity = segment_popularity[segment_popularity["product_id"].isin(active)]
    # Seeds: what the customer bought. With ``retired_seeds``, products nobody buys any more
    # still lead to the products their buyers moved on to (a successor, an alternative).
    seed_products = (pd.Index(np.sort(lines["product_id"].unique().astype(str)).astype(object))
                     if settings.retired_seeds else active)
    pairs = suggestion_tables.co_purchase(lines[lines["product_id"].isin(seed_products)], as_of,
                                          half_life, settings.measure, settings.neighbours,
                                          settings.min_customers, settings.shrink,
                                          targets=active)
    i = seed_products.get_indexer(pairs["product_id"])
    j = active.get_indexer(pairs["other_product_id"])
    matrix = sparse.csr_matrix((pairs["score"].to_numpy(float), (i, j)),
                               shape=(len(seed_products), len(active)))
    customers = pd.Index(np.sort(cycles["customer_id"].unique()))
    seeds = _top_per_group(cycles[cycles["product_id"].isin(seed_products)], "customer_id",
                           ["weighted_orders", "product_id"], [False, True], settings.seed_items)
    seed_rows = customers.get_indexer(seeds["customer_id"])
    seed_cols = seed_products.get_indexer(seeds["product_id"])
    seed_matrix = sparse.csr_matrix((seeds["weighted_orders"].to_numpy(float),
                                     (seed_rows, seed_cols)),
                                    shape=(len(customers), len(seed_products)))
    return Tables(as_of, cycles.set_index(["customer_id", "product_id"]), pairs, popularity,
                  segment_popularity, categories, customer_categories, segments, active,
                  seed_matrix, customers, matrix, seed_products)


def customer_segments(lines: pd.DataFrame, customer_categories: pd.DataFrame | None,
                      given: pd.Series | None) -> pd.Series:
    """customer id → segment: the given one, else the customer's main category, else an
    order-frequency tier."""
    if given is not None:
        given = pd.Series(given.to_numpy(), index=given.index.astype(str)).astype(str)
    if customer_categories is not None:
        main = (customer_categories.sort_values(["customer_id", "share", "category"],
                                                ascending=[True, False, True])
                .drop_duplicates("customer_id").set_index("customer_id")["category"])
        default = main.rename("segment")
    else:
        default = _frequency_segments(lines)
    if given is not None:
        default = given.reindex(default.index).fillna(default)
    return default.rename("segment")


def labelled_candidates(lines: pd.DataFrame, cut: pd.Timestamp, segments: pd.Series | None,
                        settings: Settings, max_customers: int | None = None,
                        random_state: int = 0) -> pd.DataFrame | None:
    """Candidates as of ``cut`` (from the lines before it) of the customers who order again
    after it, ``label`` = 1 for the products of that next order; None with < 10 of them.

    ``max_customers``: label a random sample of that many of them at most (the tables still
    learn from every line): the candidates of every customer of a large company would fill
    gigabytes, and a ranker of a dozen features learns as well from tens of thousands."""
    before, after = lines[lines["date"] < cut], lines[lines["date"] >= cut]
    if before.empty or after.empty:
        return None
    first = after.groupby("customer_id")["date"].transform("min")
    nxt = after[after["date"] == first][["customer_id", "product_id"]].drop_duplicates()
    nxt = nxt[nxt["customer_id"].isin(before["customer_id"])]
    labelled = pd.Index(nxt["customer_id"].unique())
    if len(labelled) < 10:
        return None
    if max_customers is not None and len(labelled) > max_customers:
        rng = np.random.default_rng(random_state)
        labelled = labelled[np.sort(rng.choice(len(labelled), max_customers, replace=False))]
        nxt = nxt[nxt["customer_id"].isin(labelled)]
    tables = learn_tables(before, cut, segments, settings)
    frame = candidates(tables, labelled, cut, {}, settings.candidates)
    frame = frame.merge(nxt.assign(label=1), on=["customer_id", "product_id"], how="left")
    frame["label"] = frame["label"].fillna(0).astype(int)
    return frame


def candidates(t: Tables, customers: pd.Index, as_of: pd.Timestamp, baskets_now: Mapping,
               limit: int) -> pd.DataFrame:
    """customer × product candidates with their features and per-source ranks; ``limit``:
    candidates per customer from their history and from affinity."""
    known = customers[customers.isin(t.customers)]
    parts = []
    # 1. bought before
    hist = t.cycles.reset_index()
    hist = hist[hist["customer_id"].isin(known) & hist["product_id"].isin(t.active)]
    hist = _top_per_group(hist, "customer_id", ["order_share", "product_id"], [False, True],
                          limit)
    parts.append(hist[["customer_id", "product_id"]].assign(source="history"))
    # 2. affinity to what they bought (and what is in their basket now)
    affinity = _affinity(t, customers, baskets_now, limit)
    parts.append(affinity[["customer_id", "product_id"]].assign(source="affinity"))
    # 3. popular with their segment, 4. top sellers of their categories, 5. overall
    seg = t.segments.reindex(known).dropna()
    seg_top = t.segment_popularity[t.segment_popularity["rank"] <= POPULAR_CANDIDATES]
    seg_c = pd.DataFrame({"customer_id": seg.index, "segment": seg.to_numpy()}).merge(
        seg_top[["segment", "product_id"]], on="segment")
    parts.append(seg_c[["customer_id", "product_id"]].assign(source="segment"))
    if t.customer_categories is not None:
        top_cats = _top_per_group(t.customer_categories[
            t.customer_categories["customer_id"].isin(known)], "customer_id",
            ["share", "category"], [False, True], 2)
        cat_top = t.category_popularity[t.category_popularity["rank"] <= 10]
        cat_c = top_cats.merge(cat_top[["category", "product_id"]], on="category")
        parts.append(cat_c[["customer_id", "product_id"]].assign(source="category"))
    # Most recent buyers (decayed) and most buyers ever (a best-seller list's pick).
    plain = t.popularity.sort_values(["customers", "weighted_customers"], ascending=False,
                                     kind="stable")
    pop_top = t.popularity.index[:POPULAR_CANDIDATES].union(
        plain.index[:POPULAR_CANDIDATES * PLAIN_POPULAR], sort=False)
    parts.append(pd.DataFrame({"customer_id": np.repeat(customers.to_numpy(), len(pop_top)),
                               "product_id": np.tile(pop_top.to_numpy(), len(customers)),
                               "source": "popular"}))
    frame = (pd.concat(parts, ignore_index=True)
             .drop_duplicates(["customer_id", "product_id"]))[["customer_id", "product_id"]]
    return _features(t, frame.reset_index(drop=True), affinity, as_of)


def _affinity(t: Tables, customers: pd.Index, baskets_now: Mapping, limit: int
              ) -> pd.DataFrame:
    """Weighted mean pair score from the customer's history (+ basket) to each product."""
    rows = t.customers.get_indexer(customers)
    known = np.flatnonzero(rows >= 0)
    pick = sparse.csr_matrix((np.ones(len(known)), (known, rows[known])),
                             shape=(len(customers), len(t.customers)))
    seeds = (pick @ t.seeds).tocsr()
    if baskets_now:
        r, c = [], []
        for customer, items in baskets_now.items():
            pos = customers.get_indexer([str(customer)])[0]
            cols = t.seed_products.get_indexer(as_str_index(list(items)))
            for col in cols[cols >= 0]:
                r.append(pos)
                c.append(col)
        if r:
            top_weight = max(float(t.seeds.max()) if t.seeds.nnz else 1.0, 1.0)
            basket = sparse.csr_matrix((np.full(len(r), top_weight), (r, c)),
                                       shape=seeds.shape)
            seeds = seeds.maximum(basket).tocsr()
    total = np.asarray(seeds.sum(axis=1)).ravel()
    total[total == 0] = 1.0
    scores = (sparse.diags(1.0 / total) @ seeds @ t.affinity_matrix).tocsr()
    out_c, out_p, out_s = [], [], []
    for r in range(scores.shape[0]):
        lo, hi = scores.indptr[r], scores.indptr[r + 1]
        if hi == lo:
            continue
        data, idx = scores.data[lo:hi], scores.indices[lo:hi]
        if len(data) > limit:
            keep = np.argpartition(-data, limit)[:limit]
            data, idx = data[keep], idx[keep]
        out_c.append(np.full(len(data), r))
        out_p.append(idx)
        out_s.append(data)
    if not out_c:
        return pd.DataFrame({"customer_id": [], "product_id": [], "affinity": []})
    c, p, s = np.concatenate(out_c), np.concatenate(out_p), np.concatenate(out_s)
    return pd.DataFrame({"customer_id": customers.to_numpy()[c],
                         "product_id": t.active.to_numpy()[p], "affinity": s})


def _features(t: Tables, frame: pd.DataFrame, affinity: pd.DataFrame, as_of: pd.Timestamp
              ) -> pd.DataFrame:
    hist = t.cycles[["orders", "last_date", "cycle_days", "order_share", "customer_orders",
                     "own_rank"]]
    frame = frame.join(hist, on=["customer_id", "product_id"])
    bought = frame["orders"].notna()
    frame["bought_before"] = bought.astype(float)
    frame["order_share"] = frame["order_share"].fillna(0.0)
    frame["log_orders"] = np.log1p(frame["orders"].fillna(0.0))
    # What a "their most-bought products" list knows: the product's place among the
    # customer's own products and the plain (not decayed) share of their purchase days.
    frame["own_rank_inv"] = (1.0 / frame["own_rank"]).fillna(0.0)
    frame["plain_share"] = (frame["orders"] / frame["customer_orders"]).fillna(0.0)
    since = (as_of - frame["last_date"]).dt.days.astype(float)
    frame["days_since_last"] = since
    frame["log_days_since"] = np.log1p(since.fillna(0.0).clip(lower=0))
    has_cycle = frame["orders"].fillna(0) >= 3
    frame["has_cycle"] = has_cycle.astype(float)
    ratio = (since / frame["cycle_days"].clip(lower=1)).where(has_cycle)
    frame["due"] = np.exp(-2.0 * np.log(ratio.clip(lower=0.05)) ** 2).fillna(0.0)
    # Days since the last purchase against the product's own gap, on a log scale (> 0:
    # overdue), from the second purchase day on (``due`` needs three); 0 before that.
    gap = frame["cycle_days"].clip(lower=0)
    frame["overdue"] = np.log((since.clip(lower=0) + 1) / (gap + 1)).fillna(0.0)
    frame = frame.merge(affinity, on=["customer_id", "product_id"], how="left")
    frame["affinity"] = frame["affinity"].fillna(0.0)
    seg = frame["customer_id"].map(t.segments)
    seg_share = t.segment_popularity.set_index(["segment", "product_id"])["share"]
    frame["segment_share"] = pd.Series(
        seg_share.reindex(pd.MultiIndex.from_arrays([seg, frame["product_id"]])).to_numpy(),
        index=frame.index).fillna(0.0)
    frame["overall_share"] = frame["product_id"].map(t.popularity["share"]).fillna(0.0)
    # What a best-seller list knows: the share of all customers who ever bought it.
    frame["plain_popularity"] = (frame["product_id"].map(t.popularity["customers"]).fillna(0.0)
                                 / max(len(t.customers), 1))
    if t.category_popularity is not None:
        cat_pop = t.category_popularity.set_index("product_id")
        frame["category"] = frame["product_id"].map(cat_pop["category"])
        frame["category_rank"] = frame["product_id"].map(cat_pop["rank"])
        cust_cat = t.customer_categories.set_index(["customer_id", "category"])["share"]
        own = cust_cat.reindex(pd.MultiIndex.from_arrays(
            [frame["customer_id"], frame["category"]])).to_numpy()
        frame["category_share"] = (np.nan_to_num(own)
                                   * frame["product_id"].map(cat_pop["share"]).fillna(0))
    else:
        frame["category"] = np.nan
        frame["category_rank"] = np.nan
        frame["category_share"] = 0.0
    return frame
