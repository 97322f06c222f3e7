"""A realistic, deterministic B2B sales history: customers buy, fade, lapse, churn, some come back.

Each customer is a few *episodes* of buying (active, then fading before they leave, sometimes a
later comeback). Within an episode orders arrive as a Poisson process whose rate is the
customer's own (gamma-distributed, so a few buy weekly and many twice a year) modulated by
seasonality. A few lines are refunded later.

What goes into the baskets has the structure real office-supply sales have, so that a
recommender has something true to learn (and a bench on this data means something):

* *Staples at a personal rhythm*: consumables (paper, toner, coffee …) have a typical time to use
  up; each customer stocks a few (some from the first order, a third of those they try later)
  and re-buys each at the first order after it runs out — the noun's cycle scaled by how fast
  that office consumes — in a quantity that covers the time since the last purchase.
* *Bundles*: items bought together in one order (toner → drum unit, ink → photo paper, coffee →
  cups and biscuits, standing desk → monitor stand and lamp, meeting table → chairs), mostly in
  the grade of the main item.
* *Accessories later*: equipment pulls accessories into a later order some days on (standing desk
  → desk organiser, docking station → headset and webcam, filing cabinet → label rolls).
* *Tastes inside a category*: besides a favourite category, each customer likes some nouns more
  than others and has a usual grade (Basic … Premium), so two customers of one category buy
  different products; products also have a long-tailed popularity inside their category.

The order dates and counts come first and do not depend on the baskets (churn, RFM and CLV see
the same buying rhythm whatever the catalogue). Everything is vectorised over
episodes/orders/lines (the replenishment loop runs once per re-purchase round, over all
staples at once), so 20k customers take about a second.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from ai_engine.datasets.synthetic_catalogue import GRADES, ROLES, generate_products

__all__ = ["generate_history", "generate_products", "respond_to_calls"]

def _season(day_of_year: np.ndarray) -> np.ndarray:
    """Demand multiplier: a spring peak, a summer dip and a year-end rush."""
    wave = 1.0 + 0.25 * np.sin(2 * np.pi * (day_of_year - 60) / 365.25)
    return wave + 0.5 * ((day_of_year >= 319) & (day_of_year <= 354))


_SEASON_MAX = 1.75


def _episodes(n: int, span: float, rng: np.random.Generator) -> pd.DataFrame:
    """One row per buying episode: customer, start/end day, order rate, basket multiplier."""
    early = rng.random(n) < 0.3
    acquired = np.where(early, rng.uniform(0, 60, n), span * rng.random(n) ** 0.8)
    rate = np.clip(rng.gamma(1.1, 1 / 40 / 1.1, n), 1 / 720, 1 / 4)
    whale = rng.random(n) < 0.03
    rate = np.where(whale, rate * 2, rate)
    value = np.where(whale, 4.0, rng.lognormal(0, 0.35, n))
    lifetime = rng.exponential(1 / rng.gamma(1.5, 1 / 650 / 1.5, n))
    # Triers: a first order, maybe one more, then gone.
    lifetime = np.where(rng.random(n) < 0.2, rng.exponential(30, n), lifetime)
    fade_at = acquired + 0.7 * lifetime
    left_at = acquired + lifetime
    # Some who left come back after a long pause, less keen than before.
    back = (left_at < span) & (rng.random(n) < 0.15)
    back_at = left_at + rng.gamma(2.0, 160, n)
    ids = np.arange(1, n + 1)
    parts = [
        pd.DataFrame({"customer_id": ids, "t0": acquired, "t1": fade_at, "rate": rate,
                      "value": value, "first": True}),
        pd.DataFrame({"customer_id": ids, "t0": fade_at, "t1": left_at, "rate": rate * 0.4,
                      "value": value * 0.6, "first": False}),
        pd.DataFrame({"customer_id": ids[back], "t0": back_at[back],
                      "t1": back_at[back] + rng.exponential(400, back.sum()),
                      "rate": rate[back] * 0.8, "value": value[back] * 0.8, "first": True}),
    ]
    episodes = pd.concat(parts, ignore_index=True)
    episodes["t1"] = episodes["t1"].clip(upper=span)
    episodes["whale"] = np.isin(episodes["customer_id"], ids[whale])
    return episodes[episodes["t0"] < span].reset_index(drop=True)


def _orders(episodes: pd.DataFrame, start: pd.Timestamp, rng: np.random.Generator
            ) -> pd.DataFrame:
    """Poisson arrivals thinned by seasonality, plus the order that opens each episode."""
    length = (episodes["t1"] - episodes["t0"]).to_numpy()
    counts = rng.poisson(episodes["rate"].to_numpy() * _SEASON_MAX * length)
    idx = np.repeat(np.arange(len(episodes)), counts)
    t = episodes["t0"].to_numpy()[idx] + rng.random(idx.size) * length[idx]
    doy = (start + pd.to_timedelta(np.floor(t), unit="D")).day_of_year.to_numpy()
    keep = rng.random(idx.size) * _SEASON_MAX < _season(doy)
    opening = np.flatnonzero(episodes["first"].to_numpy())
    idx = np.concatenate([opening, idx[keep]])
    t = np.concatenate([episodes["t0"].to_numpy()[opening], t[keep]])
    orders = episodes.iloc[idx][["customer_id", "value", "whale"]].reset_index(drop=True)
    orders["date"] = start + pd.to_timedelta(np.floor(t), unit="D")
    return orders.sort_values(["date", "customer_id"], kind="stable").reset_index(drop=True)


class _Catalogue:
    """The catalogue as arrays: category, noun and grade of each product, a popularity prior, and
    the noun-level roles above. Names that are not ``"<noun> <grade>"`` of ``ROLES`` (a catalogue
    of one's own) get no cycle and no partners: they are only ever bought as the occasional line."""

    def __init__(self, products: pd.DataFrame):
        names = products["name"].astype(str) if "name" in products.columns else \
            products["product_id"].astype(str)
        split = names.str.rsplit(" ", n=1)
        grade = split.str[-1].map({g: i for i, g in enumerate(GRADES)})
        known = grade.notna() & split.str[0].isin(list(ROLES))
        noun_name = split.str[0].where(known, names)
        self.nouns = list(dict.fromkeys(noun_name))
        noun_of = {n: i for i, n in enumerate(self.nouns)}
        self.noun = noun_name.map(noun_of).to_numpy()
        self.grade = grade.where(known, -1).to_numpy(int)
        cats = products["category"].astype(str) if "category" in products.columns else \
            pd.Series("All", index=products.index)
        self.categories = list(dict.fromkeys(cats))
        self.category = cats.map({c: i for i, c in enumerate(self.categories)}).to_numpy()
        # Inside a category the first products sell most (a long tail, as every shop has).
        rank = pd.Series(np.arange(len(products))).groupby(self.category).cumcount() + 1
        self.prior = 1.0 / rank.to_numpy() ** 0.7
        self.members = [np.flatnonzero(self.category == c) for c in range(len(self.categories))]
        self.variants = [np.flatnonzero(self.noun == n) for n in range(len(self.nouns))]
        cycle = [(ROLES[n][0] if n in ROLES else None) for n in self.nouns]
        self.cycle = np.array([np.nan if c is None else c for c in cycle], dtype=float)
        self.consumable = np.flatnonzero(~np.isnan(self.cycle[self.noun]))
        self.equipment_category = np.array([
            np.isnan(self.cycle[self.noun[m]]).all() for m in self.members])
        self.bundles = self._edges(1)
        self.later = self._edges(2)

    def _edges(self, part: int) -> pd.DataFrame:
        rows = []
        for n, name in enumerate(self.nouns):
            for other, how in (ROLES[name][part] if name in ROLES else {}).items():
                if other in self.nouns:
                    p, days = how if isinstance(how, tuple) else (how, 0.0)
                    rows.append((n, self.nouns.index(other), p, days))
        return pd.DataFrame(rows, columns=["noun", "other", "p", "days"])


def _sample(weights: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One column index per row, with probability proportional to the row's weights."""
    cum = weights.cumsum(axis=1)
    u = rng.random(len(weights)) * cum[:, -1]
    return np.minimum((cum < u[:, None]).sum(axis=1), weights.shape[1] - 1)


class _Tastes:
    """Who likes what: a favourite category, a liking per noun (one office swears by fineliners,
    the next by pencils) and a usual grade (Basic … Premium), so two customers of the same
    category still buy different products."""

    def __init__(self, cat: _Catalogue, n_customers: int, rng: np.random.Generator):
        n = n_customers + 1
        self.cat = cat
        self.favourite = rng.integers(0, len(cat.categories), n)
        self.noun = rng.lognormal(0.0, 0.8, (n, len(cat.nouns)))
        self.grade = rng.choice(len(GRADES), n, p=[0.35, 0.3, 0.2, 0.15])
        self.pace = rng.lognormal(0.0, 0.35, n)  # how fast this office uses things up

    def weights(self, customers: np.ndarray, candidates: np.ndarray,
                grade: np.ndarray | None = None) -> np.ndarray:
        """Rows = lines, columns = candidate products: popularity × liking × grade fit."""
        cat = self.cat
        usual = self.grade[customers] if grade is None else grade
        g = cat.grade[candidates]
        fit = np.where(g[None, :] < 0, 1.0,
                       np.exp(-1.0 * np.abs(g[None, :] - usual[:, None])))
        return cat.prior[candidates][None, :] * self.noun[customers][:, cat.noun[candidates]] * fit

    def pick_in_category(self, customers: np.ndarray, categories: np.ndarray,
                         rng: np.random.Generator) -> np.ndarray:
        out = np.empty(len(customers), dtype=int)
        for c, members in enumerate(self.cat.members):
            rows = np.flatnonzero(categories == c)
            if rows.size:
                out[rows] = members[_sample(self.weights(customers[rows], members), rng)]
        return out

    def pick_variant(self, customers: np.ndarray, nouns: np.ndarray, like: np.ndarray,
                     rng: np.random.Generator) -> np.ndarray:
        """A product of the given noun: most often the grade of the item it goes with."""
        grade = np.where((rng.random(len(like)) < 0.6) & (self.cat.grade[like] >= 0),
                         self.cat.grade[like], self.grade[customers])
        out = np.empty(len(customers), dtype=int)
        for n, variants in enumerate(self.cat.variants):
            rows = np.flatnonzero(nouns == n)
            if rows.size:
                out[rows] = variants[_sample(self.weights(customers[rows], variants,
                                                         grade[rows]), rng)]
        return out


class _Calendar:
    """Each customer's order days, to find "the customer's first order on or after day t"."""

    def __init__(self, orders: pd.DataFrame, day: np.ndarray):
        self.day = day
        self.order = np.lexsort((np.arange(len(day)), day, orders["customer_id"].to_numpy()))
        self.customer = orders["customer_id"].to_numpy()[self.order]
        self.width = float(day.max() + 2)
        self.key = self.customer * self.width + day[self.order]

    def next_order(self, customers: np.ndarray, day: np.ndarray) -> np.ndarray:
        """Index of that order, -1 if the customer never orders again."""
        pos = np.searchsorted(self.key, customers * self.width + np.ceil(day))
        inside = pos < len(self.key)
        pos = np.where(inside, pos, 0)
        found = inside & (self.customer[pos] == customers)
        return np.where(found, self.order[pos], -1)


def _replenish(cat: _Catalogue, tastes: _Tastes, cal: _Calendar, customers: np.ndarray,
               products: np.ndarray, day: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Consumables a customer has taken up are bought again when they run out: the first order
    after the customer's own cycle for that product (the noun's cycle × the office's pace, a
    little irregular each time), in the quantity that covers the time since the last purchase
    (an office that orders twice a year stocks up). A few are dropped now and then (a switch of
    brand). Returns order index, product and that quantity multiplier of every re-purchase."""
    cycle = cat.cycle[cat.noun[products]] * tastes.pace[customers] * rng.lognormal(
        0.0, 0.25, len(products))
    orders, bought, cover = [], [], []
    while customers.size:
        due = day + cycle * rng.lognormal(0.0, 0.2, len(cycle))
        order = cal.next_order(customers, np.maximum(due, day + 1))
        keep = (order >= 0) & (rng.random(len(order)) >= 0.03)
        order = order[keep]
        customers, products, cycle = customers[keep], products[keep], cycle[keep]
        orders.append(order)
        bought.append(products)
        cover.append(np.clip(np.round((cal.day[order] - day[keep]) / cycle), 1, 6))
        day = cal.day[order]
    if not orders:
        return np.empty(0, dtype=int), np.empty(0, dtype=int), np.empty(0)
    return np.concatenate(orders), np.concatenate(bought), np.concatenate(cover)


def _partners(edges: pd.DataFrame, nouns: np.ndarray, rng: np.random.Generator):
    """For lines of the given nouns: which partner nouns come along (line index, noun, days)."""
    if edges.empty or not nouns.size:
        return np.empty(0, dtype=int), np.empty(0, dtype=int), np.empty(0)
    by_noun = edges.sort_values("noun", kind="stable")
    starts = np.searchsorted(by_noun["noun"].to_numpy(), np.arange(nouns.max() + 2))
    count = starts[nouns + 1] - starts[nouns]
    line = np.repeat(np.arange(len(nouns)), count)
    first = np.cumsum(count) - count  # position of each line's first edge among the rows
    edge = starts[nouns][line] + np.arange(line.size) - first[line]
    hit = rng.random(line.size) < by_noun["p"].to_numpy()[edge]
    return line[hit], by_noun["other"].to_numpy()[edge[hit]], by_noun["days"].to_numpy()[edge[hit]]


def _lines(orders: pd.DataFrame, products: pd.DataFrame, n_customers: int,
           rng: np.random.Generator) -> pd.DataFrame:
    """Baskets with the structure real shops have (see the module docstring).

    1. *Occasional lines* (one every other order, more for bigger customers): a category (60 % the
       customer's favourite) and a product in it by popularity × the customer's liking of the
       noun × closeness to their usual grade.
    2. *Accessories* that follow equipment some days later (desk → organiser three weeks on),
       into the customer's next order after that.
    3. *Staples*: consumables a customer stocks (a couple from their first order, and a third of
       the consumables they try) are re-bought at their own rhythm.
    4. An order with nothing yet (a day with nothing due) gets one occasional line.
    5. *Bundles*: partners of any of those lines in the same order (toner → drum unit, coffee →
       cups, standing desk → monitor stand), mostly in the same grade.
    """
    cat = _Catalogue(products)
    tastes = _Tastes(cat, n_customers, rng)
    customer = orders["customer_id"].to_numpy()
    day = ((orders["date"] - orders["date"].min()).dt.days).to_numpy().astype(float)
    cal = _Calendar(orders, day)
    n_orders = len(orders)

    # Consumables mostly come through the stock rhythm (3.), so a one-off line outside the
    # favourite category is more often equipment.
    other = np.where(cat.equipment_category, 4.0, 1.0)

    def occasional(order_idx: np.ndarray) -> np.ndarray:
        who = customer[order_idx]
        own = rng.random(len(who)) < 0.6
        cats = np.where(own, tastes.favourite[who],
                        rng.choice(len(cat.categories), len(who), p=other / other.sum()))
        return tastes.pick_in_category(who, cats, rng)

    # 1. occasional lines
    n_occ = rng.poisson(0.5 * np.sqrt(orders["value"].to_numpy()))
    occ_order = np.repeat(np.arange(n_orders), n_occ)
    occ_product = occasional(occ_order)
    # 2. accessories in a later order
    line, noun, days = _partners(cat.later, cat.noun[occ_product], rng)
    later_day = day[occ_order[line]] + np.maximum(1.0, rng.gamma(2.0, days / 2.0))
    later_order = cal.next_order(customer[occ_order[line]], later_day)
    keep = later_order >= 0
    acc_order = later_order[keep]
    acc_product = tastes.pick_variant(customer[acc_order], noun[keep],
                                      occ_product[line[keep]], rng)
    # 3. staples: a few from the first order, and a third of the consumables tried
    first = np.flatnonzero(~pd.Series(customer).duplicated().to_numpy())
    k = rng.poisson(1.2, len(first)) * (cat.consumable.size > 0)
    start_order = np.repeat(first, k)
    who = customer[start_order]
    favourite = cat.category[cat.consumable][None, :] == tastes.favourite[who][:, None]
    w = tastes.weights(who, cat.consumable) * np.where(favourite, 6.0, 1.0)
    start_product = cat.consumable[_sample(w, rng)] if who.size else np.empty(0, dtype=int)
    tried_order = np.concatenate([occ_order, acc_order])
    tried_product = np.concatenate([occ_product, acc_product])
    adopt = ~np.isnan(cat.cycle[cat.noun[tried_product]]) & (rng.random(len(tried_product)) < 0.35)
    chain = pd.DataFrame({
        "order": np.concatenate([start_order, tried_order[adopt]]),
        "product": np.concatenate([start_product, tried_product[adopt]]),
    })
    chain["customer"] = customer[chain["order"]]
    chain = chain.sort_values(["order", "product"]).drop_duplicates(["customer", "product"])
    again = _replenish(cat, tastes, cal, chain["customer"].to_numpy(),
                       chain["product"].to_numpy(), day[chain["order"].to_numpy()], rng)
    parts = [(occ_order, occ_product), (acc_order, acc_product),
             (start_order, start_product), again[:2]]
    # 4. an order with nothing due gets one occasional line
    empty = np.setdiff1d(np.arange(n_orders), np.concatenate([p[0] for p in parts]))
    parts.append((empty, occasional(empty)))
    # 5. same-order bundles
    main_order = np.concatenate([p[0] for p in parts])
    main_product = np.concatenate([p[1] for p in parts])
    line, noun, _ = _partners(cat.bundles, cat.noun[main_product], rng)
    parts.append((main_order[line], tastes.pick_variant(customer[main_order[line]], noun,
                                                        main_product[line], rng)))
    cover = np.ones(sum(len(p[0]) for p in parts))
    at = sum(len(p[0]) for p in parts[:3])
    cover[at:at + len(again[2])] = again[2]
    basket = pd.DataFrame({"order": np.concatenate([p[0] for p in parts]),
                           "product": np.concatenate([p[1] for p in parts]), "cover": cover})
    basket = (basket.sort_values("cover", ascending=False, kind="stable")
              .drop_duplicates(["order", "product"]).sort_values("order", kind="stable"))
    lines = orders.iloc[basket["order"].to_numpy()].reset_index(drop=True)
    lines["order_id"] = [f"SO{i + 1:07d}" for i in basket["order"].to_numpy()]
    chosen = products.iloc[basket["product"].to_numpy()]
    lines["product_id"] = chosen["product_id"].to_numpy()
    qty = 1 + rng.poisson(np.where(lines["whale"], 4.0, 0.7 * lines["value"].to_numpy()))
    qty = qty * basket["cover"].to_numpy()
    discount = rng.choice([0.0, 0.05, 0.1], len(lines), p=[0.7, 0.2, 0.1])
    lines["quantity"] = qty.astype(float)
    lines["amount"] = np.round(qty * chosen["list_price"].to_numpy() * (1 - discount), 2)
    return lines


def _refunds(lines: pd.DataFrame, end: pd.Timestamp, rng: np.random.Generator,
             share: float = 0.02) -> pd.DataFrame:
    """A few lines come back 3–30 days later as a separate credit note with negative amounts."""
    refunded = lines[rng.random(len(lines)) < share].copy()
    refunded["date"] = refunded["date"] + pd.to_timedelta(rng.integers(3, 31, len(refunded)),
                                                          unit="D")
    refunded = refunded[refunded["date"] <= end]
    refunded["order_id"] = [f"RF{i + 1:07d}" for i in range(len(refunded))]
    refunded["quantity"] = -refunded["quantity"]
    refunded["amount"] = -refunded["amount"]
    return refunded


def generate_history(n_customers: int = 2000, start: dt.date | str | None = None,
                     end: dt.date | str | None = None, seed: int = 0,
                     products: pd.DataFrame | None = None) -> pd.DataFrame:
    """Transactions ``customer_id, order_id, date, product_id, quantity, amount`` (one per line).

    Defaults: three years ending 2024-12-31. Same arguments → same history.
    """
    end_ts = pd.Timestamp(end if end is not None else "2024-12-31").normalize()
    start_ts = (pd.Timestamp(start).normalize() if start is not None
                else end_ts - pd.DateOffset(years=3) + pd.Timedelta(days=1))
    span = float((end_ts - start_ts).days + 1)
    if n_customers < 1 or span < 1:
        raise ValueError("generate_history needs at least one customer and end after start")
    rng = np.random.default_rng(seed)
    products = generate_products(seed) if products is None else products.reset_index(drop=True)
    orders = _orders(_episodes(n_customers, span, rng), start_ts, rng)
    lines = _lines(orders, products, n_customers, rng)
    tx = pd.concat([lines, _refunds(lines, end_ts, rng)], ignore_index=True)
    tx = tx.sort_values(["date", "order_id"], kind="stable").reset_index(drop=True)
    return tx[["customer_id", "order_id", "date", "product_id", "quantity", "amount"]]


def respond_to_calls(tx: pd.DataFrame, called, wave_date, horizon_days: int,
                     response_rate: float, seed: int = 0) -> pd.DataFrame:
    """The hidden "responds to a call" effect, applied to one retention wave: each ``called``
    customer comes back with probability ``response_rate`` — one more order some day within
    ``horizon_days`` after ``wave_date``, the basket of their last order before the wave.

    A separate step on purpose: ``generate_history`` stays byte-identical whether or not a
    wave is simulated. Returns ``tx`` with the new lines (new order ids), sorted as
    ``generate_history`` sorts; ``tx`` itself is not changed. ``response_rate`` 0: a null
    effect (the same frame back).
    """
    wave_ts = pd.Timestamp(wave_date).normalize()
    rng = np.random.default_rng(seed)
    called = np.sort(np.asarray(list(called), dtype=tx["customer_id"].dtype))
    responders = called[rng.random(len(called)) < response_rate]
    before = tx[(tx["date"] <= wave_ts) & tx["customer_id"].isin(responders)
                & (tx["amount"] > 0)]
    if before.empty:
        return tx.copy()
    last = before.groupby("customer_id")["order_id"].transform("max")
    baskets = before[before["order_id"] == last].copy()
    customers = np.sort(baskets["customer_id"].unique())
    days = rng.integers(1, max(2, horizon_days + 1), size=len(customers))
    first_id = int(tx["order_id"].astype(str).str.extract(r"(\d+)$")[0].astype(int).max()) + 1
    new = pd.DataFrame({"customer_id": customers,
                        "new_order": [f"SO{n:07d}" for n in range(first_id,
                                                                 first_id + len(customers))],
                        "new_date": wave_ts + pd.to_timedelta(days, unit="D")})
    baskets = baskets.merge(new, on="customer_id")
    baskets["order_id"] = baskets["new_order"]
    baskets["date"] = baskets["new_date"]
    out = pd.concat([tx, baskets[tx.columns]], ignore_index=True)
    return out.sort_values(["date", "order_id"], kind="stable").reset_index(drop=True)
