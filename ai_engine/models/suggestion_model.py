"""Product suggestions per customer: what they will probably buy next, with a reason.

How (see docs/ARCHITECTURE.md):
1. Tables learned from the confirmed order lines before ``as_of``
   (``features/suggestion_tables.py``): each customer's repurchase cycles per product, product →
   product co-purchase affinity (customers who bought both, recency-decayed, top-k neighbours per
   product), popularity overall, by customer segment and by product category.
2. Candidates per customer from four sources: products they bought before, products bought with
   theirs (affinity; products nobody buys any more count as theirs too, so their buyers are led
   to what the others moved on to — a successor, an alternative), popular with their segment,
   top sellers of their categories and overall (recently and ever)
   (``features/suggestion_candidates.py``).
3. Each candidate gets a few features (share of the customer's orders with it, decayed and
   plain, its rank among the customer's own products, due-ness against its own reorder cycle,
   affinity, popularity in segment/category/overall, recent and ever). This estimator's ranker
   learns P(product in the customer's next order) ~ features on time splits *inside* the
   training period (cuts ``validation_days``, 2 × and … ``validation_cuts`` × that before
   ``as_of``; labels = each customer's next order after a cut and before ``as_of``, however
   long they took to come back), so the blend of reorders and new products is learned, not
   hand-set. The features include what the plain baselines know (the customer's own ranking,
   the number of buyers ever), so the ranker can fall back on them.
4. The reason is the source that explains the product: its reorder cycle or count for a product
   bought before, else the source that ranks it highest (affinity → "Bought with X by 38 % of
   customers", segment, category, overall).
Products nobody bought in the last ``retire_after_days`` are treated as discontinued: never
suggested (``retired_seeds=False``: nor followed to other products).

Which list a run stores — the model's or a baseline's, per kind of slot — is decided by the
run's back-test (``suggestions/evaluate.py``); ``recommend_kinds`` gives the model's parts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import fields

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.utils.validation import check_is_fitted
from threadpoolctl import threadpool_limits

from ai_engine import compute
from ai_engine.errors import DataError
from ai_engine.explanations import SUGGESTION_REASONS, explain, render
from ai_engine.features import suggestion_tables
from ai_engine.features.suggestion_candidates import (
    FEATURES,
    Settings,
    Tables,
    as_str_index,
    candidates,
    labelled_candidates,
    learn_tables,
)

# Used when there is too little history to learn the blend (log-odds per unit of feature).
FIXED_WEIGHTS = {"bought_before": 1.0, "order_share": 6.0, "log_orders": 0.3,
                 "log_days_since": -0.3, "has_cycle": 0.0, "due": 0.8, "affinity": 8.0,
                 "segment_share": 3.0, "category_share": 2.0, "overall_share": 2.0,
                 "own_rank_inv": 0.0, "plain_share": 0.0, "overdue": 0.0,
                 "plain_popularity": 0.0}
FIXED_INTERCEPT = -4.0
# Where a suggestion comes from (the module's ai_contract.SUGGESTION_SOURCES).
SOURCES = ("history", "affinity", "segment", "category", "popular")
REASONS = {"segment": "popular_with_segment", "category": "category_top_seller",
           "popular": "top_seller"}
RESULT_COLUMNS = ["customer_id", "rank", "product_id", "score", "reason", "source",
                  "related_product_id", "reason_code"]
MIN_TRAIN_POSITIVES = 30
# The two kinds of suggestion slots: products the customer bought before, and never-bought ones.
KINDS = ("repeat", "new")
CHUNK = 5000  # customers whose candidates are scored at once
# Customers whose candidates the ranker learns from at each cut, at most (a random sample above
# it): at 100,000 customers all of them, stacked over three cuts, took 4 GB.
TRAIN_CUSTOMERS_PER_CUT = 15_000
# Share of the candidates not in the next order that the ranker learns from (each weighted by
# its inverse): about 2 % of candidates are bought, so most rows say the same thing.
NEGATIVE_SHARE = 0.25


class SuggestionModel(BaseEstimator):
    """Next-order product suggestions with reasons (scikit-learn estimator contract).

    ``fit(transactions, as_of=None, products=None, segments=None)`` learns from the purchase
    lines strictly before ``as_of`` (default: the day after the last line). ``products``: optional
    ``product_id[, name][, category]`` (names make reasons readable; categories enable category
    popularity and default segments). ``segments``: optional Series customer_id → label (e.g. the
    RFM segment); default = the customer's main category, else an order-frequency tier.

    The ranker learns on ``validation_cuts`` time splits before ``as_of``, ``validation_days``
    apart (default: twice the median days between a customer's orders, 14 to 120): more
    customers to learn from than one split, and the earlier cuts also label customers who take
    months to come back. ``n_threads``: threads of the ranker's learning and scoring (default
    ``compute.threads()``).
    """

    def __init__(self, half_life_days: float | None = 90.0, measure: str = "cosine",
                 neighbours: int = 20, min_customers: int = 2, shrink: float = 1.0,
                 seed_items: int = 50, candidates: int = 50, retire_after_days: int | None = 180,
                 retired_seeds: bool = True,
                 ranker: str = "boosting", validation_days: int | None = None,
                 validation_cuts: int = 3, random_state: int = 0, n_threads: int | None = None):
        self.half_life_days = half_life_days
        self.measure = measure
        self.neighbours = neighbours
        self.min_customers = min_customers
        self.shrink = shrink
        self.seed_items = seed_items
        self.candidates = candidates
        self.retire_after_days = retire_after_days
        self.retired_seeds = retired_seeds
        self.ranker = ranker
        self.validation_days = validation_days
        self.validation_cuts = validation_cuts
        self.random_state = random_state
        self.n_threads = n_threads

    # ------------------------------------------------------------------ learning
    def fit(self, X: pd.DataFrame, y=None, as_of=None, products: pd.DataFrame | None = None,
            segments: pd.Series | None = None):
        if self.ranker not in ("boosting", "fixed"):
            raise ValueError("ranker must be 'boosting' or 'fixed'")
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
        lines = suggestion_tables.purchase_lines(tx, as_of)
        if lines.empty:
            raise DataError("No order line with a product before "
                            f"{as_of:%Y-%m-%d}: product suggestions need product_id values.")
        self.product_names_, self.product_categories_ = self._catalogue(lines, products)
        if self.product_categories_ is not None:
            lines = lines.assign(category=lines["product_id"].map(self.product_categories_)
                                 .fillna("Other"))
        self.as_of_ = as_of
        tables = learn_tables(lines, as_of, segments, self._settings())
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

    def _settings(self) -> Settings:
        return Settings(**{f.name: getattr(self, f.name) for f in fields(Settings)})

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
        xs, labels, weights, customers = [], [], [], 0
        for k in range(1, self.validation_cuts + 1):
            frame = labelled_candidates(lines, as_of - pd.Timedelta(days=k * days), segments,
                                        self._settings(), TRAIN_CUSTOMERS_PER_CUT,
                                        self.random_state + k)
            if frame is None:  # earlier cuts have even less history
                break
            customers += frame["customer_id"].nunique()
            # Every product of a next order, a share of the others weighted up to stand for
            # all: the same model from a few times fewer rows.
            label = frame["label"].to_numpy()
            rng = np.random.default_rng(self.random_state + k)
            keep = (label == 1) | (rng.random(len(label)) < NEGATIVE_SHARE)
            xs.append(frame.loc[keep, FEATURES].to_numpy(float))
            labels.append(label[keep])
            weights.append(np.where(label[keep] == 1, 1.0, 1.0 / NEGATIVE_SHARE))
            del frame
        if not xs:
            return None, info
        label = np.concatenate(labels)
        info = {"method": "fixed", "positives": int(label.sum()), "rows": len(label),
                "validation_days": days, "cuts": len(xs), "customers": int(customers)}
        if label.sum() < MIN_TRAIN_POSITIVES or label.sum() == len(label):
            return None, info
        info["method"] = self.ranker
        x = np.concatenate(xs)
        del xs
        return self._boosting(x, label, np.concatenate(weights)), info

    def _boosting(self, x: np.ndarray, label: np.ndarray, weight: np.ndarray):
        model = HistGradientBoostingClassifier(max_iter=150, learning_rate=0.08,
                                               max_leaf_nodes=15, min_samples_leaf=40,
                                               random_state=self.random_state)
        with threadpool_limits(self._threads()):
            return model.fit(x, label, sample_weight=weight)

    def _threads(self) -> int:
        # On 2 idle cores two threads took the ranker's fit 6.3 → 3.6 s and predict_proba
        # 0.79 → 0.50 s (400k / 250k rows); the trees and scores are the same with any number.
        return self.n_threads or compute.threads()

    def _predict(self, frame: pd.DataFrame, ranker=None) -> np.ndarray:
        if frame.empty:
            return np.zeros(0)
        x = frame[FEATURES].to_numpy(float)
        if ranker is not None:
            with threadpool_limits(self._threads()):
                return ranker.predict_proba(x)[:, 1]
        logit = FIXED_INTERCEPT + x @ np.array([FIXED_WEIGHTS[f] for f in FEATURES])
        return 1.0 / (1.0 + np.exp(-logit))

    # ------------------------------------------------------------------ suggestions
    def recommend(self, customer_ids: Iterable | None = None, as_of=None, top: int = 10, *,
                  exclude: Iterable | Mapping | None = None, exclude_bought: bool = False,
                  baskets_now: Mapping | None = None, kind: str | None = None
                  ) -> pd.DataFrame:
        """Top ``top`` products per customer: ``customer_id, rank, product_id, score, reason,
        source, related_product_id, reason_code``.

        ``score`` ≈ probability that the product is in the customer's next order. ``as_of``
        (default: the fit date) is the day "days ago" counts from. ``exclude``: product ids
        never to suggest (e.g. archived), or a mapping customer → product ids.
        ``kind``: ``"repeat"`` keeps only products each customer bought before, ``"new"`` only
        products they never bought (a discovery list; ``exclude_bought=True`` says the same).
        ``baskets_now``: mapping customer → product ids in their current basket; unknown
        customers are served from it (affinity), else from popularity (cold start).
        """
        kind = "new" if exclude_bought else kind
        return self.recommend_kinds(customer_ids, as_of, top, exclude=exclude,
                                    baskets_now=baskets_now,
                                    kinds=(kind or "all",))[kind or "all"]

    def recommend_kinds(self, customer_ids: Iterable | None = None, as_of=None, top: int = 10,
                        *, exclude: Iterable | Mapping | None = None,
                        baskets_now: Mapping | None = None, kinds=("all", *KINDS),
                        described: Iterable | None = None) -> dict[str, pd.DataFrame]:
        """``recommend`` for several ``kinds`` at once (``"all"``: the model's list as it
        ranks it; ``"repeat"``: only products bought before; ``"new"``: only never-bought
        ones), from one scoring of the candidates. Customers are scored ``CHUNK`` at a time:
        the candidates of a few thousand customers at most are in memory.

        ``described``: the kinds whose rows carry reasons (default: all asked); the others'
        rows have none and their ``source`` says only ``history`` (bought before) or nothing.
        Reasons cost more than the scoring itself, and a back-test, or a slot another list
        fills, never shows them."""
        check_is_fitted(self, "tables_")
        if top < 1:
            raise ValueError("top must be at least 1")
        unknown = set(kinds) - {"all", *KINDS}
        if unknown:
            raise ValueError(f"kinds must be among all, repeat, new (not {sorted(unknown)})")
        t = self.tables_
        customers = (t.customers if customer_ids is None
                     else as_str_index(list(customer_ids)))
        as_of = self.as_of_ if as_of is None else pd.Timestamp(as_of).normalize()
        baskets_now = {str(k): v for k, v in (baskets_now or {}).items()}
        described = set(kinds if described is None else described)
        parts = {kind: [] for kind in kinds}
        for start in range(0, len(customers), CHUNK):
            chunk = customers[start:start + CHUNK]
            frame = candidates(t, chunk, as_of, baskets_now, self.candidates)
            frame = self._exclude(frame, exclude, False, baskets_now)
            frame["score"] = self._predict(frame, self.ranker_)
            frame["popular"] = frame["overall_share"]
            frame = frame.sort_values(["customer_id", "score", "popular", "product_id"],
                                      ascending=[True, False, False, True], kind="stable")
            for kind in kinds:
                part = (frame if kind == "all" else
                        frame[frame["bought_before"] == float(kind == "repeat")])
                parts[kind].append(self._top(t, part, chunk, top, baskets_now,
                                             kind in described))
        return {kind: (pd.concat(found, ignore_index=True) if found
                       else pd.DataFrame({c: [] for c in RESULT_COLUMNS}))
                for kind, found in parts.items()}

    def _top(self, t: Tables, frame: pd.DataFrame, customers: pd.Index, top: int,
             baskets_now: Mapping, described: bool = True) -> pd.DataFrame:
        """The ``top`` rows of each customer of ``frame`` (sorted best first), with reasons
        when ``described``, customers in the order asked."""
        frame = frame.assign(rank=frame.groupby("customer_id").cumcount() + 1)
        frame = frame[frame["rank"] <= top].reset_index(drop=True)
        if described:
            frame = self._reasons(t, frame, baskets_now)
        else:
            frame = frame.assign(source=np.where(frame["bought_before"] > 0, "history", None),
                                 reason=None, reason_code=None, related_product_id=None)
        order = pd.Series(np.arange(len(customers)), index=customers)
        frame = frame.sort_values(["customer_id", "rank"], key=lambda s: s.map(order)
                                  if s.name == "customer_id" else s, kind="stable")
        return frame[RESULT_COLUMNS].reset_index(drop=True)

    def history_reasons(self, pairs: pd.DataFrame) -> pd.DataFrame:
        """``pairs`` (``customer_id, product_id``, each bought by the customer before) with the
        reason a list of the customer's own products gives: ``reason_code``, ``reason``,
        ``source`` = history, ``related_product_id`` empty."""
        check_is_fitted(self, "tables_")
        keys = pd.MultiIndex.from_arrays([pairs["customer_id"].astype(str),
                                          pairs["product_id"].astype(str)])
        own = self.tables_.cycles.reindex(keys)
        if own["orders"].isna().any():
            raise ValueError("history_reasons needs products the customer bought before")
        days = (self.as_of_ - own["last_date"]).dt.days.to_numpy()
        codes, texts = _reasons_of(np.full(len(own), "history"), own["orders"].to_numpy(), days,
                                   own["cycle_days"].to_numpy(), np.full(len(own), None),
                                   np.full(len(own), np.nan), {})
        return pairs.assign(reason_code=codes, reason=texts,
                            source="history", related_product_id=None)

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
            frame = frame[~frame["product_id"].isin(as_str_index(list(exclude)))]
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

    def _related(self, t: Tables, frame: pd.DataFrame, baskets_now: Mapping) -> pd.DataFrame:
        """For affinity rows: the customer's product contributing most, and its confidence."""
        need = frame.loc[frame["affinity"] > 0, ["customer_id", "product_id"]]
        if need.empty:
            return pd.DataFrame(columns=["customer_id", "product_id", "related_product_id",
                                         "confidence"])
        seeds = t.seeds.tocoo()
        long = pd.DataFrame({"customer_id": t.customers.to_numpy()[seeds.row],
                             "related_product_id": t.seed_products.to_numpy()[seeds.col],
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

    def _reasons(self, t: Tables, frame: pd.DataFrame, baskets_now: Mapping) -> pd.DataFrame:
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
        # The best-ranking source (the first on ties), in numpy: DataFrame.idxmin(axis=1)
        # took a quarter of the reasons' time.
        values = ranks.to_numpy(float)
        best = ranks.columns.to_numpy()[np.where(np.isnan(values), np.inf, values).argmin(axis=1)]
        source = pd.Series(np.where(np.isnan(values).all(axis=1), "popular", best),
                           index=frame.index, dtype=object)
        source = source.where(frame["bought_before"] == 0, "history")
        names = {pid: self._name(pid) for pid in frame["related_product_id"].dropna().unique()}
        frame["reason_code"], frame["reason"] = _reasons_of(
            source.to_numpy(), frame["orders"].to_numpy(), frame["days_since_last"].to_numpy(),
            frame["cycle_days"].to_numpy(), frame["related_product_id"].to_numpy(),
            frame["confidence"].to_numpy(), names)
        frame["source"] = source.to_numpy()
        frame.loc[frame["source"] != "affinity", "related_product_id"] = None
        return frame

    # ------------------------------------------------------------------ write-back tables
    def compact_tables(self, top: int = 10, neighbours: int | None = None
                       ) -> dict[str, pd.DataFrame]:
        """Compact results for Odoo, in bulk.

        ``product_affinities``: ``affinity_table(neighbours)``.
        ``customer_suggestions``: ``recommend()`` for every customer seen (``top`` each).
        """
        check_is_fitted(self, "tables_")
        return {"product_affinities": self.affinity_table(neighbours),
                "customer_suggestions": self.recommend(top=top)}

    def affinity_table(self, neighbours: int | None = None) -> pd.DataFrame:
        """``product_id, related_product_id, rank, score, customers_both, confidence, lift``
        (top ``neighbours`` per product, default the fitted number)."""
        check_is_fitted(self, "tables_")
        pairs = self.affinities_[self.affinities_["product_id"].isin(self.products_)]
        if neighbours is not None:
            pairs = pairs[pairs["rank"] <= neighbours]
        return pairs.rename(columns={"other_product_id": "related_product_id"})[
            ["product_id", "related_product_id", "rank", "score", "customers_both",
             "confidence", "lift"]].reset_index(drop=True)

def _history_code(orders: int, days: int, cycle_days: float) -> dict:
    """Why a product the customer bought before: its reorder cycle (from three purchases on),
    else how often and when."""
    if orders >= 3:
        return explain("reorder_cycle", cycle=round(cycle_days), days=days)
    if orders == 1:
        return explain("bought_once", days=days)
    return explain("bought_before", times=orders, days=days)


def _reasons_of(sources, orders, days, cycles, related, confidences, names: Mapping
                ) -> tuple[list[dict], list[str]]:
    """Each row's reason (code and text) from its source and the numbers it names. Millions
    of rows hold a few thousand distinct reasons: each is made and rendered once."""
    made: dict[tuple, tuple[dict, str]] = {}
    codes, texts = [], []
    for src, n, day, cycle, product, confidence in zip(sources, orders, days, cycles, related,
                                                        confidences, strict=True):
        if src == "history":  # what _history_code reads of the row
            key = (src, min(int(n), 3), int(day), round(cycle) if n >= 3 else None)
        elif src == "affinity":
            key = (src, product, round(100 * confidence))
        else:
            key = (src,)
        found = made.get(key)
        if found is None:
            if src == "history":
                code = _history_code(int(n), int(day), cycle)
            elif src == "affinity":
                code = explain("bought_with", product=product, percent=key[2])
            else:
                code = explain(REASONS[src])
            found = made[key] = (code, render(code, SUGGESTION_REASONS, names))
        codes.append(found[0])
        texts.append(found[1])
    return codes, texts
