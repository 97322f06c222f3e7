"""Product suggestions per customer: what they will probably buy next, with a reason.

How (see docs/ARCHITECTURE.md):
1. Tables learned from the confirmed order lines before ``as_of`` (``features/baskets.py``):
   each customer's repurchase cycles per product, product → product co-purchase affinity
   (customers who bought both, recency-decayed, top-k neighbours per product), popularity
   overall, by customer segment and by product category.
2. Candidates per customer from four sources: products they bought before, products bought with
   theirs (affinity), popular with their segment, top sellers of their categories and overall.
3. Each candidate gets a few features (share of the customer's orders with it, decayed and
   plain, its rank among the customer's own products, due-ness against its own reorder cycle,
   affinity, popularity in segment/category/overall). A ranker learns
   P(product in the customer's next order) ~ features on time splits *inside* the training
   period (cuts ``validation_days``, 2 × and … ``validation_cuts`` × that before ``as_of``;
   labels = each customer's next order after a cut and before ``as_of``, however long they took
   to come back), so the blend of reorders and new products is learned, not hand-set.
4. The reason is the source that explains the product: its reorder cycle or count for a product
   bought before, else the source that ranks it highest (affinity → "Bought with X by 38 % of
   customers", segment, category, overall).
Products nobody bought in the last ``retire_after_days`` are treated as discontinued.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.base import BaseEstimator
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.validation import check_is_fitted
from threadpoolctl import threadpool_limits

from ai_engine.errors import DataError
from ai_engine.features import baskets

FEATURES = ["bought_before", "order_share", "log_orders", "log_days_since", "has_cycle", "due",
            "affinity", "segment_share", "category_share", "overall_share",
            "own_rank_inv", "plain_share", "overdue"]
# Used when there is too little history to learn the blend (log-odds per unit of feature).
FIXED_WEIGHTS = {"bought_before": 1.0, "order_share": 6.0, "log_orders": 0.3,
                 "log_days_since": -0.3, "has_cycle": 0.0, "due": 0.8, "affinity": 8.0,
                 "segment_share": 3.0, "category_share": 2.0, "overall_share": 2.0,
                 "own_rank_inv": 0.0, "plain_share": 0.0, "overdue": 0.0}
FIXED_INTERCEPT = -4.0
SOURCES = ["history", "affinity", "segment", "category", "popular"]
REASONS = {"segment": "Popular with customers like this one",
           "category": "Top seller in this category",
           "popular": "Top seller overall"}
RESULT_COLUMNS = ["customer_id", "rank", "product_id", "score", "reason", "source",
                  "related_product_id"]
MIN_TRAIN_POSITIVES = 30
POPULAR_CANDIDATES = 20


@dataclass
class _Tables:
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
    seeds: sparse.csr_matrix      # customers × active products, decayed history weights
    customers: pd.Index
    affinity_matrix: sparse.csr_matrix  # active × active, pair score


def _as_str_index(values) -> pd.Index:
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


class BasketRecommender(BaseEstimator):
    """Next-order product suggestions with reasons (scikit-learn estimator contract).

    ``fit(transactions, as_of=None, products=None, segments=None)`` learns from the purchase
    lines strictly before ``as_of`` (default: the day after the last line). ``products``: optional
    ``product_id[, name][, category]`` (names make reasons readable; categories enable category
    popularity and default segments). ``segments``: optional Series customer_id → label (e.g. the
    RFM segment); default = the customer's main category, else an order-frequency tier.

    The ranker learns on ``validation_cuts`` time splits before ``as_of``, ``validation_days``
    apart (default: twice the median days between a customer's orders, 14 to 120): more
    customers to learn from than one split, and the earlier cuts also label customers who take
    months to come back.
    """

    def __init__(self, half_life_days: float | None = 90.0, measure: str = "cosine",
                 neighbours: int = 20, min_customers: int = 2, shrink: float = 1.0,
                 seed_items: int = 50, candidates: int = 50, retire_after_days: int | None = 180,
                 ranker: str = "boosting", validation_days: int | None = None,
                 validation_cuts: int = 3, random_state: int = 0):
        self.half_life_days = half_life_days
        self.measure = measure
        self.neighbours = neighbours
        self.min_customers = min_customers
        self.shrink = shrink
        self.seed_items = seed_items
        self.candidates = candidates
        self.retire_after_days = retire_after_days
        self.ranker = ranker
        self.validation_days = validation_days
        self.validation_cuts = validation_cuts
        self.random_state = random_state

    # ------------------------------------------------------------------ learning
    def fit(self, X: pd.DataFrame, y=None, as_of=None, products: pd.DataFrame | None = None,
            segments: pd.Series | None = None):
        if self.ranker not in ("boosting", "logistic", "fixed"):
            raise ValueError("ranker must be 'boosting', 'logistic' or 'fixed'")
        if self.validation_cuts < 1:
            raise ValueError("validation_cuts must be at least 1")
        missing = [c for c in ("customer_id", "order_id", "date", "product_id", "amount")
                   if c not in X.columns]
        if missing:
            raise DataError(f"The transactions table is missing the column(s) "
                            f"{', '.join(missing)} needed for product suggestions.")
        tx = X.copy()
        for column in ("customer_id", "order_id", "product_id"):
            tx[column] = tx[column].astype("string").str.strip().astype(object)
        if "quantity" not in tx.columns:
            tx["quantity"] = np.nan
        as_of = (pd.Timestamp(as_of).normalize() if as_of is not None
                 else tx["date"].max().normalize() + pd.Timedelta(days=1))
        lines = baskets.purchase_lines(tx, as_of)
        if lines.empty:
            raise DataError("No order line with a product before "
                            f"{as_of:%Y-%m-%d}: product suggestions need product_id values.")
        self.product_names_, self.product_categories_ = self._catalogue(lines, products)
        if self.product_categories_ is not None:
            lines = lines.assign(category=lines["product_id"].map(self.product_categories_)
                                 .fillna("Other"))
        self.as_of_ = as_of
        tables = self._tables(lines, as_of, segments)
        self.tables_ = tables
        self.customers_ = tables.customers
        self.products_ = tables.active
        self.cycles_ = tables.cycles
        self.affinities_ = tables.affinities
        self.popularity_ = tables.popularity
        self.segment_popularity_ = tables.segment_popularity
        self.category_popularity_ = tables.category_popularity
        self.segments_ = tables.segments
        self.ranker_, self.training_ = self._fit_ranker(lines, as_of, segments)
        return self

    def _catalogue(self, lines: pd.DataFrame, products: pd.DataFrame | None):
        names = categories = None
        if products is not None and "product_id" in products.columns:
            ids = products["product_id"].astype(str).str.strip()
            if "name" in products.columns:
                names = pd.Series(products["name"].astype(str).to_numpy(), index=ids)
            if "category" in products.columns:
                categories = pd.Series(products["category"].astype(str).to_numpy(), index=ids)
        # Columns carried on the transactions themselves (e.g. an exported CSV) also count.
        for column, target in (("product_name", "names"), ("name", "names"),
                               ("category", "categories"), ("product_category", "categories")):
            if column in lines.columns and lines[column].notna().any():
                found = (lines.dropna(subset=[column]).drop_duplicates("product_id", keep="last")
                         .set_index("product_id")[column].astype(str))
                if target == "names" and names is None:
                    names = found
                elif target == "categories" and categories is None:
                    categories = found
        return names, categories

    def _tables(self, lines: pd.DataFrame, as_of: pd.Timestamp,
                given_segments: pd.Series | None) -> _Tables:
        half_life = self.half_life_days
        cycles = baskets.repurchase_cycles(lines, as_of, half_life)
        last_sale = lines.groupby("product_id")["date"].max()
        if self.retire_after_days is not None:
            last_sale = last_sale[last_sale >= as_of - pd.Timedelta(days=self.retire_after_days)]
        active = pd.Index(np.sort(last_sale.index.to_numpy().astype(str)).astype(object))
        popularity = baskets.popularity(lines, as_of, half_life)
        popularity = popularity[popularity["product_id"].isin(active)].set_index("product_id")
        categories = None
        customer_categories = None
        if "category" in lines.columns:
            categories = baskets.popularity(lines, as_of, half_life, by="category")
            categories = categories[categories["product_id"].isin(active)]
            spend = lines.groupby(["customer_id", "category"])["amount"].sum().clip(lower=0)
            total = spend.groupby(level=0).transform("sum").replace(0, np.nan)
            customer_categories = (spend / total).fillna(0).rename("share").reset_index()
        segments = self._segments(lines, customer_categories, given_segments)
        segment_popularity = baskets.popularity(lines, as_of, half_life, groups=segments)
        segment_popularity = segment_popularity[segment_popularity["product_id"].isin(active)]
        pairs = baskets.co_purchase(lines[lines["product_id"].isin(active)], as_of, half_life,
                                    self.measure, self.neighbours, self.min_customers,
                                    self.shrink)
        i = active.get_indexer(pairs["product_id"])
        j = active.get_indexer(pairs["other_product_id"])
        matrix = sparse.csr_matrix((pairs["score"].to_numpy(float), (i, j)),
                                   shape=(len(active), len(active)))
        customers = pd.Index(np.sort(cycles["customer_id"].unique()))
        seeds = _top_per_group(cycles[cycles["product_id"].isin(active)], "customer_id",
                               ["weighted_orders", "product_id"], [False, True], self.seed_items)
        seed_rows = customers.get_indexer(seeds["customer_id"])
        seed_cols = active.get_indexer(seeds["product_id"])
        seed_matrix = sparse.csr_matrix((seeds["weighted_orders"].to_numpy(float),
                                         (seed_rows, seed_cols)),
                                        shape=(len(customers), len(active)))
        return _Tables(as_of, cycles.set_index(["customer_id", "product_id"]), pairs, popularity,
                       segment_popularity, categories, customer_categories, segments, active,
                       seed_matrix, customers, matrix)

    @staticmethod
    def _segments(lines: pd.DataFrame, customer_categories: pd.DataFrame | None,
                  given: pd.Series | None) -> pd.Series:
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

    def _fit_ranker(self, lines: pd.DataFrame, as_of: pd.Timestamp,
                    segments: pd.Series | None):
        """Learn the blend on time splits before ``as_of``: at each cut ``k × validation_days``
        before it (k = 1 … ``validation_cuts``), the tables are rebuilt from the lines before the
        cut and each customer's candidates are labelled with their first order after the cut
        (before ``as_of``). The splits are stacked into one training set."""
        info = {"method": "fixed", "positives": 0, "rows": 0}
        if self.ranker == "fixed":
            return None, info
        days = self.validation_days
        if days is None:
            visits = lines[["customer_id", "date"]].drop_duplicates().sort_values("date")
            gaps = visits.groupby("customer_id")["date"].diff().dt.days.dropna()
            days = int(np.clip(2 * gaps.median(), 14, 120)) if len(gaps) else 30
        frames, customers = [], 0
        for k in range(1, self.validation_cuts + 1):
            frame = self._labelled_candidates(lines, as_of - pd.Timedelta(days=k * days),
                                              segments)
            if frame is None:  # earlier cuts have even less history
                break
            frames.append(frame)
            customers += frame["customer_id"].nunique()
        if not frames:
            return None, info
        frame = pd.concat(frames, ignore_index=True)
        label = frame["label"].to_numpy()
        info = {"method": "fixed", "positives": int(label.sum()), "rows": len(frame),
                "validation_days": days, "cuts": len(frames), "customers": int(customers)}
        if label.sum() < MIN_TRAIN_POSITIVES or label.sum() == len(label):
            return None, info
        if self.ranker == "logistic":
            model = make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=1000))
        else:
            model = HistGradientBoostingClassifier(max_iter=150, learning_rate=0.08,
                                                   max_leaf_nodes=15, min_samples_leaf=40,
                                                   random_state=self.random_state)
        with threadpool_limits(1):  # small model; OpenMP threads only fight on a busy machine
            model.fit(frame[FEATURES].to_numpy(float), label)
        info["method"] = self.ranker
        return model, info

    def _labelled_candidates(self, lines: pd.DataFrame, cut: pd.Timestamp,
                             segments: pd.Series | None) -> pd.DataFrame | None:
        """Candidates as of ``cut`` (from the lines before it) of the customers who order again
        after it, ``label`` = 1 for the products of that next order; None with < 10 of them."""
        before, after = lines[lines["date"] < cut], lines[lines["date"] >= cut]
        if before.empty or after.empty:
            return None
        first = after.groupby("customer_id")["date"].transform("min")
        nxt = after[after["date"] == first][["customer_id", "product_id"]].drop_duplicates()
        nxt = nxt[nxt["customer_id"].isin(before["customer_id"])]
        if nxt["customer_id"].nunique() < 10:
            return None
        tables = self._tables(before, cut, segments)
        frame = self._candidates(tables, pd.Index(nxt["customer_id"].unique()), cut, {})
        frame = frame.merge(nxt.assign(label=1), on=["customer_id", "product_id"], how="left")
        frame["label"] = frame["label"].fillna(0).astype(int)
        return frame

    # ------------------------------------------------------------------ candidates & features
    def _candidates(self, t: _Tables, customers: pd.Index, as_of: pd.Timestamp,
                    baskets_now: Mapping) -> pd.DataFrame:
        """customer × product candidates with their features and per-source ranks."""
        known = customers[customers.isin(t.customers)]
        parts = []
        # 1. bought before
        hist = t.cycles.reset_index()
        hist = hist[hist["customer_id"].isin(known) & hist["product_id"].isin(t.active)]
        hist = _top_per_group(hist, "customer_id", ["order_share", "product_id"], [False, True],
                              self.candidates)
        parts.append(hist[["customer_id", "product_id"]].assign(source="history"))
        # 2. affinity to what they bought (and what is in their basket now)
        affinity = self._affinity(t, customers, baskets_now)
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
        pop_top = t.popularity.index[:POPULAR_CANDIDATES]
        parts.append(pd.DataFrame({"customer_id": np.repeat(customers.to_numpy(), len(pop_top)),
                                   "product_id": np.tile(pop_top.to_numpy(), len(customers)),
                                   "source": "popular"}))
        frame = (pd.concat(parts, ignore_index=True)
                 .drop_duplicates(["customer_id", "product_id"]))[["customer_id", "product_id"]]
        return self._features(t, frame.reset_index(drop=True), affinity, as_of)

    def _affinity(self, t: _Tables, customers: pd.Index, baskets_now: Mapping) -> pd.DataFrame:
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
                cols = t.active.get_indexer(_as_str_index(list(items)))
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
            if len(data) > self.candidates:
                keep = np.argpartition(-data, self.candidates)[:self.candidates]
                data, idx = data[keep], idx[keep]
            out_c.append(np.full(len(data), r))
            out_p.append(idx)
            out_s.append(data)
        if not out_c:
            return pd.DataFrame({"customer_id": [], "product_id": [], "affinity": []})
        c, p, s = np.concatenate(out_c), np.concatenate(out_p), np.concatenate(out_s)
        return pd.DataFrame({"customer_id": customers.to_numpy()[c],
                             "product_id": t.active.to_numpy()[p], "affinity": s})

    def _features(self, t: _Tables, frame: pd.DataFrame, affinity: pd.DataFrame,
                  as_of: pd.Timestamp) -> pd.DataFrame:
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

    def _predict(self, frame: pd.DataFrame, ranker=None) -> np.ndarray:
        if frame.empty:
            return np.zeros(0)
        x = frame[FEATURES].to_numpy(float)
        if ranker is not None:
            with threadpool_limits(1):
                return ranker.predict_proba(x)[:, 1]
        logit = FIXED_INTERCEPT + x @ np.array([FIXED_WEIGHTS[f] for f in FEATURES])
        return 1.0 / (1.0 + np.exp(-logit))

    # ------------------------------------------------------------------ suggestions
    def recommend(self, customer_ids: Iterable | None = None, as_of=None, top: int = 10, *,
                  exclude: Iterable | Mapping | None = None, exclude_bought: bool = False,
                  baskets_now: Mapping | None = None) -> pd.DataFrame:
        """Top ``top`` products per customer: ``customer_id, rank, product_id, score, reason,
        source, related_product_id``.

        ``score`` ≈ probability that the product is in the customer's next order. ``as_of``
        (default: the fit date) is the day "days ago" counts from. ``exclude``: product ids
        never to suggest (e.g. archived), or a mapping customer → product ids.
        ``exclude_bought`` drops what each customer bought before (discovery list).
        ``baskets_now``: mapping customer → product ids in their current basket; unknown
        customers are served from it (affinity), else from popularity (cold start).
        """
        check_is_fitted(self, "tables_")
        if top < 1:
            raise ValueError("top must be at least 1")
        t = self.tables_
        customers = (t.customers if customer_ids is None
                     else _as_str_index(list(customer_ids)))
        as_of = self.as_of_ if as_of is None else pd.Timestamp(as_of).normalize()
        baskets_now = {str(k): v for k, v in (baskets_now or {}).items()}
        if not len(customers):
            return pd.DataFrame({c: [] for c in RESULT_COLUMNS})
        frame = self._candidates(t, customers, as_of, baskets_now)
        frame = self._exclude(frame, exclude, exclude_bought, baskets_now)
        frame["score"] = self._predict(frame, self.ranker_)
        frame["popular"] = frame["overall_share"]
        frame = frame.sort_values(["customer_id", "score", "popular", "product_id"],
                                  ascending=[True, False, False, True], kind="stable")
        frame["rank"] = frame.groupby("customer_id").cumcount() + 1
        frame = frame[frame["rank"] <= top].reset_index(drop=True)
        frame = self._reasons(t, frame, baskets_now)
        order = pd.Series(np.arange(len(customers)), index=customers)
        frame = frame.sort_values(["customer_id", "rank"], key=lambda s: s.map(order)
                                  if s.name == "customer_id" else s, kind="stable")
        return frame[RESULT_COLUMNS].reset_index(drop=True)

    def _exclude(self, frame, exclude, exclude_bought, baskets_now) -> pd.DataFrame:
        if exclude_bought:
            frame = frame[frame["bought_before"] == 0]
        if isinstance(exclude, Mapping):
            pairs = [(str(c), str(p)) for c, items in exclude.items() for p in items]
            if pairs:
                drop = pd.MultiIndex.from_tuples(pairs)
                keys = pd.MultiIndex.from_arrays([frame["customer_id"], frame["product_id"]])
                frame = frame[~keys.isin(drop)]
        elif exclude is not None:
            frame = frame[~frame["product_id"].isin(_as_str_index(list(exclude)))]
        if baskets_now:  # already in the basket: no point suggesting it
            pairs = [(str(c), str(p)) for c, items in baskets_now.items() for p in items]
            keys = pd.MultiIndex.from_arrays([frame["customer_id"], frame["product_id"]])
            frame = frame[~keys.isin(pd.MultiIndex.from_tuples(pairs))]
        return frame.copy()

    def _name(self, product_id) -> str:
        names = self.product_names_
        if names is not None and product_id in names.index:
            return str(names.loc[product_id])
        return f"product {product_id}"

    def _related(self, t: _Tables, frame: pd.DataFrame, baskets_now: Mapping) -> pd.DataFrame:
        """For affinity rows: the customer's product contributing most, and its confidence."""
        need = frame.loc[frame["affinity"] > 0, ["customer_id", "product_id"]]
        if need.empty:
            return pd.DataFrame(columns=["customer_id", "product_id", "related_product_id",
                                         "confidence"])
        seeds = t.seeds.tocoo()
        long = pd.DataFrame({"customer_id": t.customers.to_numpy()[seeds.row],
                             "related_product_id": t.active.to_numpy()[seeds.col],
                             "weight": seeds.data})
        extra = [(str(c), str(p)) for c, items in baskets_now.items() for p in items]
        if extra:
            long = pd.concat([long, pd.DataFrame(extra, columns=["customer_id",
                                                                 "related_product_id"])
                              .assign(weight=float(seeds.data.max()) if seeds.nnz else 1.0)])
        long = long[long["customer_id"].isin(need["customer_id"])]
        pairs = t.affinities.rename(columns={"product_id": "related_product_id",
                                             "other_product_id": "product_id"})
        joined = long.merge(pairs[["related_product_id", "product_id", "score", "confidence"]],
                            on="related_product_id").merge(need, on=["customer_id",
                                                                     "product_id"])
        joined["contribution"] = joined["weight"] * joined["score"]
        joined = joined.sort_values(["customer_id", "product_id", "contribution",
                                     "related_product_id"],
                                    ascending=[True, True, False, True], kind="stable")
        return joined.drop_duplicates(["customer_id", "product_id"])[
            ["customer_id", "product_id", "related_product_id", "confidence"]]

    def _reasons(self, t: _Tables, frame: pd.DataFrame, baskets_now: Mapping) -> pd.DataFrame:
        frame = frame.merge(self._related(t, frame, baskets_now),
                            on=["customer_id", "product_id"], how="left")
        seg_rank = t.segment_popularity.set_index(["segment", "product_id"])["rank"]
        seg = frame["customer_id"].map(t.segments)
        ranks = pd.DataFrame({
            "affinity": frame.groupby("customer_id")["affinity"].rank(ascending=False,
                                                                      method="first")
            .where((frame["affinity"] > 0) & frame["related_product_id"].notna()),
            "segment": seg_rank.reindex(pd.MultiIndex.from_arrays(
                [seg, frame["product_id"]])).to_numpy(),
            "category": frame["category_rank"].where(frame["category_share"] > 0),
            "popular": frame["product_id"].map(t.popularity["rank"]),
        }, index=frame.index)
        source = ranks.fillna(np.inf).idxmin(axis=1).where(ranks.notna().any(axis=1), "popular")
        source = source.where(frame["bought_before"] == 0, "history")
        reasons = []
        for row, src in zip(frame.itertuples(index=False), source, strict=True):
            if src == "history":
                days = int(row.days_since_last)
                if row.has_cycle:
                    reasons.append(f"Reorders about every {row.cycle_days:.0f} days; "
                                   f"last order {days} days ago")
                else:
                    times = "once" if row.orders == 1 else f"{int(row.orders)} times"
                    reasons.append(f"Bought {times} before; last order {days} days ago")
            elif src == "affinity":
                reasons.append(f"Bought with {self._name(row.related_product_id)} by "
                               f"{100 * row.confidence:.0f} % of customers")
            else:
                reasons.append(REASONS[src])
        frame["source"] = source.to_numpy()
        frame["reason"] = reasons
        frame.loc[frame["source"] != "affinity", "related_product_id"] = None
        return frame

    # ------------------------------------------------------------------ write-back tables
    def compact_tables(self, top: int = 10, neighbours: int | None = None
                       ) -> dict[str, pd.DataFrame]:
        """Compact results for Odoo, in bulk.

        ``product_affinities``: ``product_id, related_product_id, rank, score, customers_both,
        confidence, lift`` (top ``neighbours`` per product, default the fitted number).
        ``customer_suggestions``: ``recommend()`` for every customer seen (``top`` each).
        """
        check_is_fitted(self, "tables_")
        pairs = self.affinities_
        if neighbours is not None:
            pairs = pairs[pairs["rank"] <= neighbours]
        affinities = pairs.rename(columns={"other_product_id": "related_product_id"})[
            ["product_id", "related_product_id", "rank", "score", "customers_both",
             "confidence", "lift"]].reset_index(drop=True)
        return {"product_affinities": affinities,
                "customer_suggestions": self.recommend(top=top)}
