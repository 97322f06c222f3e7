"""A realistic, deterministic B2B sales history: customers buy, fade, lapse, churn, some come back.

Each customer is a few *episodes* of buying (active, then fading before they leave, sometimes a
later comeback). Within an episode orders arrive as a Poisson process whose rate is the
customer's own (gamma-distributed, so a few buy weekly and many twice a year) modulated by
seasonality. Orders get baskets from a product catalogue; a few lines are refunded later.
Everything is vectorised over episodes/orders/lines so 20k customers take a couple of seconds.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

# category → (typical list price, product nouns)
_CATALOGUE = {
    "Paper & Notebooks": (9.0, ["Notebook", "Copy paper", "Legal pad", "Sticky notes", "Planner"]),
    "Writing": (4.0, ["Ballpoint pens", "Markers", "Fineliners", "Pencils", "Highlighters"]),
    "Desk Accessories": (24.0, ["Desk organiser", "Stapler", "Lamp", "Monitor stand", "Tray"]),
    "Printing": (48.0, ["Toner", "Ink cartridge", "Label roll", "Drum unit", "Photo paper"]),
    "Electronics": (140.0, ["Headset", "Webcam", "Keyboard", "Docking station", "Shredder"]),
    "Furniture": (260.0, ["Office chair", "Standing desk", "Filing cabinet", "Bookcase",
                          "Meeting table"]),
    "Coffee & Pantry": (16.0, ["Coffee beans", "Tea assortment", "Water bottles", "Biscuits",
                               "Cups"]),
}
_GRADES = ["Basic", "Classic", "Pro", "Premium"]


def generate_products(seed: int = 0) -> pd.DataFrame:
    """The catalogue: ``product_id, name, category, list_price`` (20 grades × nouns)."""
    rng = np.random.default_rng(seed)
    rows = []
    for category, (price, nouns) in _CATALOGUE.items():
        for noun in nouns:
            for g, grade in enumerate(_GRADES):
                jitter = rng.lognormal(0.0, 0.15)
                rows.append({"name": f"{noun} {grade}", "category": category,
                             "list_price": round(price * (1 + 0.45 * g) * jitter, 2)})
    products = pd.DataFrame(rows)
    products.insert(0, "product_id", np.arange(1, len(products) + 1))
    return products


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


def _lines(orders: pd.DataFrame, products: pd.DataFrame, n_customers: int,
           rng: np.random.Generator) -> pd.DataFrame:
    """Baskets: mostly from the customer's favourite category, popular products more often."""
    n_lines = 1 + rng.poisson(0.9 * np.sqrt(orders["value"].to_numpy()))
    order_idx = np.repeat(np.arange(len(orders)), n_lines)
    lines = orders.iloc[order_idx].reset_index(drop=True)
    lines["order_id"] = [f"SO{i + 1:07d}" for i in order_idx]
    categories = products["category"].unique()
    favourite = rng.integers(0, len(categories), n_customers + 1)
    own = rng.random(len(lines)) < 0.6
    cat_idx = np.where(own, favourite[lines["customer_id"].to_numpy()],
                       rng.integers(0, len(categories), len(lines)))
    by_cat = [products.index[products["category"] == c].to_numpy() for c in categories]
    pick = np.empty(len(lines), dtype=int)
    for c, members in enumerate(by_cat):
        mask = cat_idx == c
        popularity = 1.0 / np.arange(1, len(members) + 1)
        pick[mask] = rng.choice(members, mask.sum(), p=popularity / popularity.sum())
    chosen = products.iloc[pick]
    lines["product_id"] = chosen["product_id"].to_numpy()
    qty = 1 + rng.poisson(np.where(lines["whale"], 4.0, 0.7 * lines["value"].to_numpy()))
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
