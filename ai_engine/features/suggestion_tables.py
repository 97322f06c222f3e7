"""Tables for product suggestions. Pure functions on the transactions frame, no I/O.

* ``purchase_lines``: the confirmed, positive order lines with a product, before a date.
* ``repurchase_cycles``: per customer × product, how often and how regularly it is bought again.
* ``co_purchase``: product → product association over *customers* (who bought both), with recency
  decay, as the top-k neighbours of each product; ``confidence``/``lift``/``cosine``/``jaccard``.
* ``popularity``: distinct (recency-weighted) buyers per product, overall or by a group column
  (customer segment, product category).
* ``acceptance_by_week``: how often salespeople added the suggestions they were shown.

Recency decay: a purchase ``a`` days before ``as_of`` weighs ``0.5 ** (a / half_life_days)``;
``half_life_days=None`` switches decay off (every purchase weighs 1).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import sparse

MEASURES = ("cosine", "confidence", "lift", "jaccard")
PAIR_COLUMNS = ["product_id", "other_product_id", "rank", "customers_both", "customers_product",
                "customers_other", "confidence", "lift", "cosine", "jaccard", "score"]


def decay(age_days, half_life_days: float | None) -> np.ndarray:
    """Weight of something ``age_days`` old: 1 today, 0.5 one half-life ago."""
    age = np.clip(np.asarray(age_days, dtype=float), 0.0, None)
    if half_life_days is None:
        return np.ones_like(age)
    if half_life_days <= 0:
        raise ValueError("half_life_days must be positive (or None for no decay)")
    return np.power(0.5, age / float(half_life_days))


def purchase_lines(tx: pd.DataFrame, as_of=None) -> pd.DataFrame:
    """Lines that are real purchases of a product, strictly before ``as_of`` (if given).

    Drops lines without a product, refunds/credit notes (negative quantity or amount) and any
    line dated on or after ``as_of``. Returns ``customer_id, order_id, date, product_id,
    quantity, amount`` plus any extra columns, with a fresh index.
    """
    lines = tx[tx["product_id"].notna()]
    lines = lines[lines["product_id"].astype(str).str.strip() != ""]
    quantity = pd.to_numeric(lines["quantity"], errors="coerce")
    lines = lines[(lines["amount"] >= 0) & ~(quantity < 0)]
    if as_of is not None:
        lines = lines[lines["date"] < pd.Timestamp(as_of).normalize()]
    return lines.reset_index(drop=True)


def repurchase_cycles(lines: pd.DataFrame, as_of, half_life_days: float | None = None
                      ) -> pd.DataFrame:
    """Per customer × product: how often, how regularly and how recently it was bought.

    Columns: ``customer_id, product_id, orders`` (distinct purchase days with the product),
    ``first_date, last_date, days_since_last`` (to ``as_of``), ``cycle_days`` (median days
    between purchase days, NaN with fewer than two), ``cycle_spread`` (std/mean of those gaps,
    NaN with fewer than three), ``weighted_orders`` (recency-decayed ``orders``),
    ``customer_orders`` and ``customer_weighted_orders`` (the same over all the customer's
    purchase days), ``order_share`` = ``weighted_orders / customer_weighted_orders`` and
    ``own_rank`` (1 = the product the customer bought on most days; ties: more recent, then
    product id — the order of a plain "their most-bought products" list).
    """
    as_of = pd.Timestamp(as_of).normalize()
    days = lines[["customer_id", "product_id", "date"]].drop_duplicates()
    days = days.sort_values(["customer_id", "product_id", "date"], kind="stable")
    weight = decay((as_of - days["date"]).dt.days, half_life_days)
    keys = [days["customer_id"], days["product_id"]]
    gap = days["date"].diff().dt.days.astype(float)
    first = (days["customer_id"].ne(days["customer_id"].shift())
             | days["product_id"].ne(days["product_id"].shift()))
    gap[first.to_numpy()] = np.nan
    grouped_gap = gap.groupby(keys, sort=False)
    out = days.groupby(keys, sort=False)["date"].agg(["size", "min", "max"])
    out.columns = ["orders", "first_date", "last_date"]
    out["weighted_orders"] = pd.Series(weight, index=days.index).groupby(keys, sort=False).sum()
    out["cycle_days"] = grouped_gap.median()
    spread = grouped_gap.std(ddof=0) / grouped_gap.mean()
    out["cycle_spread"] = spread.where(grouped_gap.count() >= 2)
    out = out.reset_index()
    out["days_since_last"] = (as_of - out["last_date"]).dt.days.astype(int)

    visits = lines[["customer_id", "date"]].drop_duplicates()
    visit_weight = pd.Series(decay((as_of - visits["date"]).dt.days, half_life_days),
                             index=visits.index)
    per_customer = pd.DataFrame({
        "customer_orders": visits.groupby("customer_id").size(),
        "customer_weighted_orders": visit_weight.groupby(visits["customer_id"]).sum(),
    })
    out = out.join(per_customer, on="customer_id")
    out["order_share"] = out["weighted_orders"] / out["customer_weighted_orders"]
    ranked = out.sort_values(["customer_id", "orders", "last_date", "product_id"],
                             ascending=[True, False, False, True], kind="stable")
    out["own_rank"] = ranked.groupby("customer_id").cumcount().add(1).reindex(out.index)
    return out


def incidence(lines: pd.DataFrame, as_of, half_life_days: float | None = None,
              customers: pd.Index | None = None, products: pd.Index | None = None):
    """Customers × products sparse matrix; cell = decay weight of the last purchase (else 0).

    Returns ``(matrix, customers, products)``; rows/columns follow the given or sorted indexes,
    and lines whose customer or product is not in given indexes are ignored.
    """
    as_of = pd.Timestamp(as_of).normalize()
    last = lines.groupby(["customer_id", "product_id"], sort=False)["date"].max().reset_index()
    if customers is None:
        customers = pd.Index(np.sort(last["customer_id"].unique()))
    if products is None:
        products = pd.Index(np.sort(last["product_id"].unique()))
    rows = customers.get_indexer(last["customer_id"])
    cols = products.get_indexer(last["product_id"])
    keep = (rows >= 0) & (cols >= 0)
    values = decay((as_of - last["date"]).dt.days, half_life_days)[keep]
    matrix = sparse.csr_matrix((values, (rows[keep], cols[keep])),
                               shape=(len(customers), len(products)))
    return matrix, customers, products


def _measure(measure: str, both, n_i, n_j, total, shrink: float):
    if measure == "confidence":
        return both / (n_i + shrink)
    if measure == "lift":
        return both * total / (n_i * n_j + shrink * total)
    if measure == "cosine":
        return both / (np.sqrt(n_i * n_j) + shrink)
    return both / (n_i + n_j - both + shrink)  # jaccard


def co_purchase(lines: pd.DataFrame, as_of, half_life_days: float | None = 180.0,
                measure: str = "cosine", top_k: int = 20, min_customers: int = 2,
                shrink: float = 1.0, batch_size: int = 2000,
                targets: pd.Index | None = None) -> pd.DataFrame:
    """Top-``top_k`` associated products of each product, from customers who bought both.

    Counts are over distinct customers (``customers_both`` of the ``customers_product`` who
    bought ``product_id`` also bought ``other_product_id``); ``confidence``, ``lift``,
    ``cosine`` and ``jaccard`` use those plain counts. ``score`` is the chosen ``measure`` on
    recency-decayed counts (each customer weighs the decay of their later purchase of the two
    products), shrunk towards 0 for rare pairs by ``shrink``. Pairs seen with fewer than
    ``min_customers`` customers are dropped. Rows are sorted by product, then rank (1 = best;
    ties broken by more customers, then by ``other_product_id``). ``targets``: when given,
    only these products are neighbours (``other_product_id``).
    """
    if measure not in MEASURES:
        raise ValueError(f"measure must be one of {', '.join(MEASURES)}, not {measure!r}")
    weights, _, products = incidence(lines, as_of, half_life_days)
    binary = weights.copy()
    binary.data[:] = 1.0
    n_plain = np.asarray(binary.sum(axis=0)).ravel()
    total = float(binary.shape[0])
    # Only products with enough buyers can be in a pair with enough buyers.
    frequent = np.flatnonzero(n_plain >= min_customers)
    weights, binary = weights[:, frequent].tocsc(), binary[:, frequent].tocsc()
    n_weighted = np.asarray(weights.power(2).sum(axis=0)).ravel()
    weights_t, binary_t = weights.T.tocsr(), binary.T.tocsr()
    allowed = (None if targets is None
               else pd.Index(products[frequent]).isin(pd.Index(targets).astype(str)))
    keep_k = 2 * top_k  # candidates per product before the min_customers filter
    frames = []
    for start in range(0, len(frequent), batch_size):
        seeds = np.arange(start, min(start + batch_size, len(frequent)))
        product = (weights_t[seeds] @ weights).tocsr()
        # Customers who bought both, for the batch at once: taking each pair's two buyer
        # vectors instead held ~1 GB at 100,000 customers and a few hundred products.
        together = (binary_t[seeds] @ binary).tocsr()
        rows = np.repeat(seeds, np.diff(product.indptr))
        score = _measure(measure, product.data, n_weighted[rows],
                         n_weighted[product.indices], total, shrink)
        score[rows == product.indices] = -np.inf
        if allowed is not None:
            score[~allowed[product.indices]] = -np.inf
        chosen = []
        for r in range(len(seeds)):
            lo, hi = product.indptr[r], product.indptr[r + 1]
            if hi - lo > keep_k:
                chosen.append(lo + np.argpartition(-score[lo:hi], keep_k)[:keep_k])
            else:
                chosen.append(np.arange(lo, hi))
        chosen = np.concatenate(chosen) if chosen else np.array([], dtype=int)
        i, j, sc = rows[chosen], product.indices[chosen], score[chosen]
        real = np.isfinite(sc)
        i, j, sc = i[real], j[real], sc[real]
        count = (np.asarray(together[i - start, j]).ravel() if len(i)
                 else np.zeros(0, dtype=float))
        keep = count >= min_customers
        frames.append(pd.DataFrame({"i": frequent[i[keep]], "j": frequent[j[keep]],
                                    "customers_both": count[keep], "score": sc[keep]}))
    if not frames or not sum(len(f) for f in frames):
        return pd.DataFrame({c: pd.Series(dtype=float) for c in PAIR_COLUMNS})
    pairs = pd.concat(frames, ignore_index=True)
    pairs = pairs.sort_values(["i", "score", "customers_both", "j"],
                              ascending=[True, False, False, True], kind="stable")
    pairs["rank"] = pairs.groupby("i").cumcount() + 1
    pairs = pairs[pairs["rank"] <= top_k]
    n_i, n_j = n_plain[pairs["i"]], n_plain[pairs["j"]]
    both = pairs["customers_both"].to_numpy()
    out = pd.DataFrame({
        "product_id": products[pairs["i"]], "other_product_id": products[pairs["j"]],
        "rank": pairs["rank"].to_numpy(), "customers_both": both.astype(int),
        "customers_product": n_i.astype(int), "customers_other": n_j.astype(int),
        "confidence": both / n_i, "lift": both * total / (n_i * n_j),
        "cosine": both / np.sqrt(n_i * n_j), "jaccard": both / (n_i + n_j - both),
        "score": pairs["score"].to_numpy(),
    })
    return out.reset_index(drop=True)


def popularity(lines: pd.DataFrame, as_of, half_life_days: float | None = 180.0,
               by: str | None = None, groups: pd.Series | None = None) -> pd.DataFrame:
    """Distinct buyers per product, overall or within a group.

    ``by`` names a column of ``lines`` (e.g. ``category``) or, with ``groups`` (a Series
    customer_id → label, e.g. a segment), a label for the customers' groups. Columns:
    ``[by], product_id, customers`` (plain count), ``weighted_customers`` (each buyer weighs the
    decay of their last purchase), ``share`` (weighted buyers / weighted buyers of the group),
    ``rank`` (1 = most popular in its group; ties: more plain buyers, then product_id).
    """
    as_of = pd.Timestamp(as_of).normalize()
    data = lines
    if groups is not None:
        if by is None:
            by = groups.name or "group"
        data = lines.assign(**{by: lines["customer_id"].map(groups)})
        data = data[data[by].notna()]
    keys = ([by] if by else []) + ["customer_id", "product_id"]
    last = data.groupby(keys, sort=False)["date"].max().reset_index()
    last["weight"] = decay((as_of - last["date"]).dt.days, half_life_days)
    pkeys = ([by] if by else []) + ["product_id"]
    out = last.groupby(pkeys, sort=False).agg(customers=("customer_id", "size"),
                                               weighted_customers=("weight", "sum"))
    out = out.reset_index()
    if by:
        buyer_weight = last.groupby([by, "customer_id"])["weight"].max().groupby(level=0).sum()
        out["share"] = out["weighted_customers"] / out[by].map(buyer_weight)
    else:
        out["share"] = out["weighted_customers"] / last.groupby("customer_id")["weight"].max().sum()
    out = out.sort_values(pkeys[:-1] + ["weighted_customers", "customers", "product_id"],
                          ascending=[True] * len(pkeys[:-1]) + [False, False, True],
                          kind="stable")
    out["rank"] = out.groupby(by).cumcount() + 1 if by else np.arange(1, len(out) + 1)
    return out.reset_index(drop=True)


def acceptance_by_week(events: pd.DataFrame) -> dict[str, dict]:
    """Weekly share of shown suggestions that were added, e.g. ``{"2026-W47": {...}}``."""
    if events.empty:
        return {}
    week = events["shown_at"].dt.strftime("%G-W%V")
    table = events.assign(week=week, added=events["action"].eq("added")).groupby("week")
    return {w: {"shown": int(len(g)), "added": int(g["added"].sum()),
                "acceptance_rate": round(float(g["added"].mean()), 3)}
            for w, g in table}
