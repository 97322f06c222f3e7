"""Independent generator of synthetic B2B sales histories (order lines + product catalogue).

Written only from a plain description of B2B buying, to evaluate a CRM machine-learning engine on
data its authors did not shape. Every mechanism and number below is my own choice; nothing was
fitted to, or tuned against, any model. numpy + pandas only; deterministic for a given seed.

    python b2b_history.py OUT_DIR [--customers 3000] [--seed 0] [--start 2022-01-01] [--end ...]

writes OUT_DIR/transactions.csv and OUT_DIR/products.csv and prints a summary and `sanity()`.

Model: a weekly customer life-cycle drives a daily, stock-based order simulation per site.

Customers, sites, size
    Size (employees) ~ Pareto(alpha 1.15, min 2, cap 25 000): median ~3.5, a few accounts with
    thousands. Sites = 1 + Poisson((size / 120) ** 0.75), max 60. Each site is an ordering unit
    with its own cadence and stock; its orders carry the customer_id of the commercial entity.
    Site volume V = size split by lognormal(0, 0.5) weights. Order cadence
    G = 150 * (V / 3) ** -0.55 days x segment factor x lognormal(0, 0.3), clipped to 7..180.
    Annual consumables spend 420 * V ** 0.9 EUR x segment factor x lognormal(0, 0.45). Contract
    discount 2.5 % per doubling of size above 4 employees (+-2 % noise, max 32 %).
Segments, seasonality, calendar
    hospitality 22 %, construction 15 %, offices 28 %, clinics 12 %, schools 10 %, retail 13 %,
    each with weights over consumable categories (its repertoire), over equipment / one-off buys
    and a monthly purchase profile (hospitality peaks Apr-Jul, construction is low Dec-Feb,
    schools buy in Aug/Sep and Jan and hardly in July, offices dip in Aug and Dec, clinics rise in
    autumn, retail peaks Nov-Dec), interpolated daily. The season speeds up consumption and
    shortens order gaps (gap x season^-0.5). Orders Mon-Fri (weekday weights 23/23/21/19/14 %;
    sites ordering every 1-3 weeks keep a fixed weekday); generic Western-European public holidays
    (New Year, Good Friday, Easter Monday, 1 May, Ascension, Whit Monday, 25/26 Dec); closures:
    offices 24 Dec-1 Jan, construction 21 Dec-6 Jan, schools 23 Dec-2 Jan and 15 Jul-10 Aug. An
    order falling on a closed day moves to the next open day; 35 % of sites instead order before
    a closure period.
Replenishment (contract purchasing)
    Each site has 2 + Poisson(1.6 * V ** 0.4) repertoire items (max 40) from its segment's
    consumable mix and product popularity (lognormal(0, 1)); other sites of the customer copy 75 %
    of the first site's list. Each item has a consumption rate (spend share ~ Gamma(0.8)), a
    reorder multiple m in {1, 2, 3, 4} (p .55/.25/.12/.08, m x G <= 180 days), a safety margin
    U(0.1, 0.5) and a case size. Stock falls with a consumption clock (seasonality x customer
    intensity x lognormal(0, 0.2) noise; unmet use floors at one gap). At an order occasion an
    item is ordered when stock will not cover the next gap, up to (m + 0.5 + safety) gaps of use,
    rounded to cases. Gaps: G x Gamma(8)/8 (weekly sites: whole weeks). 4 % of occasions are
    skipped (up to 19 % in a decline): the unmet use makes the next order larger. Items are
    added over time (0.1 x list size per year) and retired after Exp(5 years).
Bundles and pulled products
    Directed pairs (dispenser -> refill 55 %, machine -> starter consumable 70 %, tool -> PPE 30 %,
    desk -> chair, cups -> lids, coffee -> sugar, ...) add the partner to the same order. Buying a
    machine (coffee, cleaning, printer) creates repertoire items for its 1-3 compatible
    consumables, starting 3-40 days later and lasting Gamma(4, 250) days (the installed base).
Catalogue life cycle
    16 categories, 461 base products (12 % launched during the period; product_id ascends with
    launch date). 12 % of older products are discontinued during the period; 70 % of those get a
    successor (same category, launched 0-120 days earlier, 3-15 % dearer). Per buying site: 65 %
    migrate (30 % of them early, at a random date after the successor's launch; the others at
    discontinuation, resuming after a Gamma(1.5, 15)-day gap), 15 % switch to an alternative in
    another category (e.g. disposables -> eco_products, PPE gloves <-> medical gloves), 20 % drop
    it (35 % alternative / 65 % drop when there is no successor). 25 % stock up in the 45 days
    before discontinuation. New launches are adopted by items created after their launch.
Prices
    List prices rise on 1 January (year mean U(2.5 %, 7 %), +-1.2 % per category, +-1 % per
    product, 15 % unchanged). Net = list x (1 - customer discount) x (1 - promotion). About 8
    promotions a year (10-21 days, 40 % of one consumable category, 8-20 % off); during one, items
    are reordered at 2.2x the usual reorder point and up to 1.6x the usual target: orders are
    pulled forward and a lull follows.
Customer life cycle (weekly states: prospect, active, declining, churned)
    60 % are customers before the start (7 % of them already declining); the rest are acquired
    over the period (fewer in August and December). New customers start with 1-3 items, add the
    rest over ~75 days and ramp intensity 0.4 -> 1 (6-week time constant). Each customer has a
    growth trend N(0, 10 %)/year. Weekly hazards: decline onset 11 %/year x frailty Gamma(2, 0.5)
    x (size/10)^-0.12 x segment x 1.8 in the first half-year x 8 for 13 weeks after a bad event x
    (1 + 2 x price sensitivity x raise/5 %) for 10 weeks after each 1 January raise (sensitivity
    is higher for small discounts); abrupt loss (closed, acquired, no decline) 3 %/year x an
    independent frailty x (size/10)^-0.2, x6 for 13 weeks after a bad event. Bad events (failed
    delivery, quality problem) occur 0.25/year x (1 + log10 sites) and show as a credit note for
    most lines of the next order. A decline lasts Gamma(3, 9) + 4 weeks: intensity falls linearly
    1 -> 0.15, which stretches order gaps (x intensity^-0.7) and shrinks baskets, and 60 % of the
    items are dropped at random dates (fewer categories). 1.2 %/week of decliners recover; the
    rest churn. 20 % of decline churners (4 % of abrupt ones) come back after 26 + Gamma(2, 13)
    weeks with about half their items plus 1-2 new ones (win-back), ramping up again with a 1.3x
    decline hazard.
Refunds and samples
    1 % of paid lines get a credit note 2 + Gamma(2, 6) days later (70 % full, 20 % partial
    quantity, 10 % price correction with quantity 0); after a bad event 80 % of the lines of the
    customer's next order (within 30 days) are credited. Zero-amount sample lines: 15 % of
    adoptions of a product launched in the last year follow a sample 14-60 days earlier, and sites
    get ~0.05 samples/year of recent launches.
One-off purchases
    Equipment and occasional consumables at 0.5 * V ** 0.45 per year x segment x intensity x
    season; they join the site's next order if it is within 10 days, else form their own order.

`products.attrs["bundle_pairs"]` lists the directed bundle pairs (product ids) for `sanity`.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date
from pathlib import Path
from types import SimpleNamespace as NS

import numpy as np
import pandas as pd

BIG = 1 << 40

SEGMENTS = ("hospitality", "construction", "offices", "clinics", "schools", "retail")
SEG_SHARE = np.array([0.22, 0.15, 0.28, 0.12, 0.10, 0.13])
SEG_CADENCE = np.array([0.7, 1.0, 1.0, 0.9, 1.3, 0.85])  # x order gap
SEG_SPEND = np.array([1.3, 1.1, 0.8, 1.2, 0.9, 1.0])  # x consumables spend
SEG_CHURN = np.array([1.3, 1.2, 0.9, 0.7, 0.6, 1.1])  # x decline hazard
SEG_ONEOFF = np.array([1.0, 1.4, 1.0, 0.9, 1.1, 0.9])  # x one-off purchase rate
WEEKDAY_P = np.array([0.23, 0.23, 0.21, 0.19, 0.14])  # order weekday, Mon..Fri
SEASON = np.array([  # monthly purchase profile, Jan..Dec
    [0.75, 0.80, 0.95, 1.15, 1.30, 1.35, 1.20, 1.00, 0.95, 0.90, 0.80, 0.85],  # hospitality
    [0.55, 0.65, 0.95, 1.15, 1.20, 1.20, 1.10, 1.05, 1.15, 1.10, 0.95, 0.65],  # construction
    [1.00, 1.05, 1.10, 1.00, 1.00, 0.95, 0.85, 0.70, 1.10, 1.10, 1.05, 0.85],  # offices
    [1.10, 1.05, 1.00, 1.00, 0.95, 0.95, 0.90, 0.90, 1.00, 1.05, 1.10, 1.00],  # clinics
    [1.15, 0.90, 0.95, 1.00, 0.85, 0.75, 0.45, 1.70, 1.35, 0.90, 0.90, 0.70],  # schools
    [0.85, 0.85, 0.95, 1.00, 1.00, 1.00, 0.95, 0.95, 1.00, 1.05, 1.20, 1.20],  # retail
])

# name, kind (c consumable, m machine, d durable), median price, price sigma, products, nouns
CATEGORIES = (
    ("cleaning_chemicals", "c", 11.0, 0.6, 45,
     ("All-purpose cleaner", "Floor cleaner", "Degreaser", "Glass cleaner", "Sanitiser")),
    ("paper_hygiene", "c", 24.0, 0.5, 35,
     ("Paper towels", "Toilet tissue", "Hand soap refill", "Wipes", "Napkins")),
    ("dispensers", "d", 45.0, 0.5, 20,
     ("Towel dispenser", "Soap dispenser", "Tissue dispenser", "Sanitiser stand")),
    ("food_beverage", "c", 14.0, 0.6, 40,
     ("Coffee beans", "Tea assortment", "Sugar sticks", "Milk portions", "Biscuits", "Water")),
    ("coffee_machines", "m", 850.0, 0.7, 10,
     ("Espresso machine", "Bean-to-cup machine", "Filter brewer")),
    ("machine_consumables", "c", 28.0, 0.6, 35,
     ("Coffee capsules", "Descaler", "Scrubber pads", "Vacuum bags", "Toner", "Ink cartridge")),
    ("cleaning_machines", "m", 2200.0, 0.8, 8,
     ("Floor scrubber", "Vacuum cleaner", "Carpet extractor")),
    ("printers", "m", 420.0, 0.6, 8, ("Laser printer", "Multifunction printer", "Label printer")),
    ("office_supplies", "c", 6.0, 0.8, 45,
     ("Copy paper", "Ballpoint pens", "Folders", "Sticky notes", "Envelopes", "Staples")),
    ("ppe_safety", "c", 9.0, 0.7, 35,
     ("Nitrile gloves", "Work gloves", "Dust masks", "Safety glasses", "Ear plugs", "Hi-vis")),
    ("medical_consumables", "c", 13.0, 0.7, 40,
     ("Exam gloves", "Gauze swabs", "Syringes", "Couch roll", "Dressings", "Alcohol wipes")),
    ("tools_equipment", "d", 160.0, 0.9, 30,
     ("Cordless drill", "Ladder", "Angle grinder", "Tool case", "Wheelbarrow")),
    ("school_supplies", "c", 4.0, 0.6, 30,
     ("Exercise books", "Crayons", "Glue sticks", "Scissors", "Whiteboard markers")),
    ("disposables_packaging", "c", 19.0, 0.5, 35,
     ("Paper cups", "Cup lids", "Takeaway boxes", "Bin bags", "Cling film", "Foil trays")),
    ("furniture", "d", 280.0, 0.6, 25,
     ("Office chair", "Desk", "Shelving unit", "Locker", "Classroom table")),
    ("eco_products", "c", 21.0, 0.5, 20,
     ("Compostable cups", "Recycled towels", "Eco cleaner", "Recycled paper")),
)
CAT_NAMES = tuple(c[0] for c in CATEGORIES)
KIND = np.array(["cmd".index(c[1]) for c in CATEGORIES])  # 0 consumable, 1 machine, 2 durable
VARIANTS = ("Basic", "Pro", "Eco", "Plus", "Max", "Compact", "Premium", "Classic")
# machine category -> family of machine_consumables (first 15 coffee, 10 cleaning, 10 print)
MACHINE_FAMILY = {"coffee_machines": 0, "cleaning_machines": 1, "printers": 2}
FAMILY_BOUNDS = (0, 15, 25, 35)
# where customers go when a product disappears without (accepted) successor
ALTERNATIVE = {"cleaning_chemicals": "eco_products", "paper_hygiene": "eco_products",
               "disposables_packaging": "eco_products", "office_supplies": "eco_products",
               "ppe_safety": "medical_consumables", "medical_consumables": "ppe_safety",
               "eco_products": "cleaning_chemicals"}
# from category, to category, share of products with a partner, P(bought together), qty ratio
BUNDLES = (
    ("dispensers", "paper_hygiene", 1.0, 0.55, (2.0, 6.0)),
    ("tools_equipment", "ppe_safety", 0.4, 0.30, (1.0, 3.0)),
    ("furniture", "furniture", 0.35, 0.40, (1.0, 1.0)),
    ("disposables_packaging", "disposables_packaging", 0.35, 0.50, (0.8, 1.0)),
    ("food_beverage", "food_beverage", 0.25, 0.35, (0.3, 1.0)),
    ("office_supplies", "office_supplies", 0.20, 0.30, (0.3, 1.0)),
    ("medical_consumables", "medical_consumables", 0.20, 0.35, (0.5, 1.0)),
)
REPERTOIRE = {  # consumable categories a segment re-orders
    "hospitality": {"cleaning_chemicals": 3, "paper_hygiene": 2.5, "food_beverage": 4,
                    "machine_consumables": 1.5, "office_supplies": 0.3, "ppe_safety": 0.6,
                    "medical_consumables": 0.1, "disposables_packaging": 4, "eco_products": 1},
    "construction": {"cleaning_chemicals": 0.8, "paper_hygiene": 1, "food_beverage": 0.6,
                     "machine_consumables": 0.4, "office_supplies": 0.6, "ppe_safety": 5,
                     "medical_consumables": 0.3, "disposables_packaging": 0.3,
                     "eco_products": 0.2},
    "offices": {"cleaning_chemicals": 1.2, "paper_hygiene": 2, "food_beverage": 2.5,
                "machine_consumables": 2, "office_supplies": 4, "ppe_safety": 0.2,
                "medical_consumables": 0.1, "disposables_packaging": 0.8, "eco_products": 0.8},
    "clinics": {"cleaning_chemicals": 2, "paper_hygiene": 2.5, "food_beverage": 0.6,
                "machine_consumables": 0.6, "office_supplies": 1.2, "ppe_safety": 2.5,
                "medical_consumables": 5, "disposables_packaging": 0.5, "eco_products": 0.3},
    "schools": {"cleaning_chemicals": 1.5, "paper_hygiene": 2, "food_beverage": 0.5,
                "machine_consumables": 0.4, "office_supplies": 2.5, "ppe_safety": 0.3,
                "medical_consumables": 0.3, "school_supplies": 4, "disposables_packaging": 0.6,
                "eco_products": 0.5},
    "retail": {"cleaning_chemicals": 1.5, "paper_hygiene": 1.5, "food_beverage": 0.8,
               "machine_consumables": 0.6, "office_supplies": 1.2, "ppe_safety": 0.5,
               "medical_consumables": 0.1, "school_supplies": 0.2,
               "disposables_packaging": 3, "eco_products": 1},
}
ONEOFFS = {  # equipment and occasional buys
    "hospitality": {"dispensers": 1.5, "coffee_machines": 1.2, "cleaning_machines": 0.6,
                    "furniture": 1.5, "tools_equipment": 0.3, "printers": 0.2,
                    "food_beverage": 1, "disposables_packaging": 1, "cleaning_chemicals": 0.5},
    "construction": {"tools_equipment": 5, "ppe_safety": 1.5, "dispensers": 0.4,
                     "cleaning_machines": 0.5, "furniture": 0.3, "printers": 0.2,
                     "coffee_machines": 0.3},
    "offices": {"furniture": 3, "printers": 1.5, "coffee_machines": 1.5, "dispensers": 0.8,
                "office_supplies": 1.5, "tools_equipment": 0.2},
    "clinics": {"furniture": 1.5, "dispensers": 1.2, "printers": 0.8, "coffee_machines": 0.5,
                "medical_consumables": 1.5, "cleaning_machines": 0.4},
    "schools": {"furniture": 3, "school_supplies": 2, "printers": 1, "dispensers": 0.8,
                "cleaning_machines": 0.5, "tools_equipment": 0.3},
    "retail": {"dispensers": 0.8, "furniture": 1.2, "cleaning_machines": 0.6,
               "coffee_machines": 0.4, "disposables_packaging": 1.5, "printers": 0.4,
               "tools_equipment": 0.4},
}


# ----------------------------------------------------------------------------- helpers


def _ranges(lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Concatenate ranges lo[k]..hi[k]-1; also return the owner k of every element."""
    lens = hi - lo
    owner = np.repeat(np.arange(lens.size), lens)
    idx = np.arange(int(lens.sum())) + np.repeat(lo - (np.cumsum(lens) - lens), lens)
    return idx, owner


def _seg_matrix(table: dict) -> np.ndarray:
    out = np.zeros((len(SEGMENTS), len(CATEGORIES)))
    for s, seg in enumerate(SEGMENTS):
        for name, weight in table[seg].items():
            out[s, CAT_NAMES.index(name)] = weight
    return out


class _Picker:
    """Draw a column per row from non-negative row weights (rows without weight give -1)."""

    def __init__(self, weights: np.ndarray):
        total = weights.sum(axis=1)
        self.valid = total > 0
        cdf = np.cumsum(weights, axis=1) / np.where(self.valid, total, 1.0)[:, None]
        self.cols = weights.shape[1]
        self.flat = (cdf + np.arange(weights.shape[0])[:, None]).ravel()

    def draw(self, rows: np.ndarray, u: np.ndarray) -> np.ndarray:
        pos = np.searchsorted(self.flat, rows + np.minimum(u, 1 - 1e-12), side="right")
        col = pos - rows * self.cols
        return np.where(self.valid[rows] & (col < self.cols), col, -1)


def _row_cdf(weights: np.ndarray) -> NS:
    """Row-wise CDFs of a (rows, cols) weight array, stored flat for one vectorised search."""
    cum = np.cumsum(weights, axis=1, dtype=np.float64)
    total = cum[:, -1].copy()
    cum /= np.where(total > 0, total, 1.0)[:, None]
    cum += np.arange(cum.shape[0])[:, None]
    return NS(flat=cum.ravel(), cols=weights.shape[1], total=total)


def _row_search(cdf: NS, rows: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Per-row inverse CDF: the column where the row's cumulative share first exceeds u."""
    pos = np.searchsorted(cdf.flat, rows + np.minimum(u, 1 - 1e-12), side="right")
    return np.minimum(pos - rows * cdf.cols, cdf.cols - 1)


def _on_weekday(cal: NS, day: np.ndarray, wday: np.ndarray) -> np.ndarray:
    """Move a day to the given weekday (0 = Monday) of its calendar week."""
    day = np.clip(day, 0, cal.H - 1)
    return np.clip(day - cal.dow[day] + wday, 0, cal.H - 1)


def _round_qty(q: np.ndarray, pack: np.ndarray, step: np.ndarray) -> np.ndarray:
    """Whole cases once a case is reached, else whole units (or half units for bulk goods)."""
    q = np.maximum(q, step)
    cases = np.maximum(np.round(q / pack), 1) * pack
    return np.where(q >= pack, cases, np.ceil(q / step - 1e-9) * step)


# ----------------------------------------------------------------------------- calendar


def _easter(year: int) -> date:
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    g = (b - (b + 8) // 25 + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    wd = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * wd) // 451
    month, day = divmod(h + wd - 7 * m + 114, 31)
    return date(year, month, day + 1)


def _holidays(years: range) -> np.ndarray:
    out = []
    for y in years:
        easter = np.datetime64(_easter(y), "D")
        out += [np.datetime64(f"{y}-{md}", "D") for md in ("01-01", "05-01", "12-25", "12-26")]
        out += [easter - 2, easter + 1, easter + 39, easter + 50]
    return np.array(out, dtype="datetime64[D]")


def _calendar(t0: np.datetime64, n_days: int) -> NS:
    horizon = n_days + 400
    days = t0 + np.arange(horizon)
    idx = pd.DatetimeIndex(days)
    mon, dom, yr = idx.month.to_numpy(), idx.day.to_numpy(), idx.year.to_numpy()
    base = (idx.day_of_week.to_numpy() < 5) & ~np.isin(days, _holidays(range(yr[0], yr[-1] + 1)))
    xmas = ((mon == 12) & (dom >= 24)) | ((mon == 1) & (dom == 1))
    closure = np.zeros((len(SEGMENTS), horizon), bool)
    closure[SEGMENTS.index("offices")] = xmas
    winter = ((mon == 12) & (dom >= 21)) | ((mon == 1) & (dom <= 6))
    closure[SEGMENTS.index("construction")] = winter
    closure[SEGMENTS.index("schools")] = (((mon == 12) & (dom >= 23)) | ((mon == 1) & (dom <= 2))
                                          | ((mon == 7) & (dom >= 15)) | ((mon == 8) & (dom <= 10)))
    is_open = base[None, :] & ~closure
    ar = np.arange(horizon)
    nxt = np.minimum.accumulate(np.where(is_open, ar, horizon)[:, ::-1], axis=1)[:, ::-1]
    prv = np.maximum.accumulate(np.where(is_open, ar, -1), axis=1)
    frac = mon - 1 + (dom - 0.5) / idx.days_in_month.to_numpy()
    season = np.stack([np.interp(frac, np.arange(12) + 0.5, s, period=12) for s in SEASON])
    season /= season[:, :n_days].mean(axis=1, keepdims=True)
    months = (yr - yr[0]) * 12 + mon - mon[0]
    n_months = months[n_days - 1] + 1
    first_of = np.searchsorted(months, np.arange(n_months))
    n_weeks = -(-n_days // 7)
    jan = [(np.datetime64(f"{y}-01-01", "D") - t0).astype(int)
           for y in range(yr[0] + 1, yr[n_days - 1] + 1)]
    return NS(T=n_days, H=horizon, W=n_weeks, t0=t0, next_open=nxt, prev_open=prv,
              closure=closure, season=season, dow=idx.day_of_week.to_numpy(),
              cums=np.concatenate([np.zeros((len(SEGMENTS), 1)), np.cumsum(season, 1)], 1),
              year=yr - yr[0], n_years=yr[n_days - 1] - yr[0] + 1, month=months,
              M=n_months, month_mid=first_of + 14, jan_days=np.array(jan, dtype=np.int64),
              week_month=mon[np.arange(n_weeks) * 7], week_season=season[:, ::7][:, :n_weeks])


# ----------------------------------------------------------------------------- catalogue


def _base_products(rng: np.random.Generator, n_days: int) -> NS:
    cat = np.concatenate([np.full(c[4], i) for i, c in enumerate(CATEGORIES)])
    within = np.concatenate([np.arange(c[4]) for c in CATEGORIES])
    n = cat.size
    med = np.array([c[2] for c in CATEGORIES])[cat]
    sig = np.array([c[3] for c in CATEGORIES])[cat]
    new = rng.random(n) < 0.12
    launch = np.where(new, rng.integers(30, n_days - 60, n), -rng.integers(30, 3650, n))
    fam = np.full(n, -1)
    mc = cat == CAT_NAMES.index("machine_consumables")
    fam[mc] = np.searchsorted(FAMILY_BOUNDS, within[mc], side="right") - 1
    for name, f in MACHINE_FAMILY.items():
        fam[cat == CAT_NAMES.index(name)] = f
    nouns = [CATEGORIES[c][5] for c in cat]
    noun = np.array([words[j % len(words)] for words, j in zip(nouns, within, strict=True)])
    noun[mc] = np.array(CATEGORIES[CAT_NAMES.index("machine_consumables")][5])[
        2 * fam[mc] + (within[mc] % 2)]
    names = [f"{a} {VARIANTS[v]} {100 + i}" for i, (a, v) in
             enumerate(zip(noun, rng.integers(0, len(VARIANTS), n), strict=True))]
    return NS(cat=cat, price0=med * rng.lognormal(0, sig), pop=rng.lognormal(0, 1.0, n),
              launch=launch, fam=fam, name=names)


def _add_successors(p: NS, rng: np.random.Generator, n_days: int) -> NS:
    n = p.cat.size
    disc = np.full(n, BIG, dtype=np.int64)
    when = rng.integers(120, n_days - 30, n)
    stop = (p.launch < n_days - 500) & (rng.random(n) < 0.12) & (when > p.launch + 365)
    disc[stop] = when[stop]
    pred = np.flatnonzero(stop & (rng.random(n) < 0.7))
    s_launch = np.maximum(disc[pred] - rng.integers(0, 120, pred.size), p.launch[pred] + 180)
    succ = np.full(n + pred.size, -1)
    succ[pred] = n + np.arange(pred.size)
    return NS(cat=np.r_[p.cat, p.cat[pred]],
              price0=np.r_[p.price0, p.price0[pred] * rng.uniform(1.03, 1.15, pred.size)],
              pop=np.r_[p.pop, p.pop[pred] * rng.uniform(0.8, 1.3, pred.size)],
              launch=np.r_[p.launch, s_launch], disc=np.r_[disc, np.full(pred.size, BIG)],
              fam=np.r_[p.fam, p.fam[pred]], succ=succ, pred=pred,
              name=p.name + [f"{p.name[i]} II" for i in pred])


def _links_and_bundles(p: NS, rng: np.random.Generator) -> None:
    n_base = p.cat.size - p.pred.size
    base = np.arange(p.cat.size) < n_base
    p.links = np.full((p.cat.size, 3), -1)
    mc = CAT_NAMES.index("machine_consumables")
    for m in np.flatnonzero(base & (KIND[p.cat] == 1)):
        pool = np.flatnonzero(base & (p.cat == mc) & (p.fam == p.fam[m]))
        k = rng.integers(1, 4)
        p.links[m, :k] = rng.choice(pool, k, replace=False)
    p.partner = np.full(p.cat.size, -1)
    p.partner_p = np.zeros(p.cat.size)
    p.ratio = np.ones(p.cat.size)
    machines = np.flatnonzero(base & (KIND[p.cat] == 1))
    p.partner[machines], p.partner_p[machines] = p.links[machines, 0], 0.7
    p.ratio[machines] = rng.uniform(2, 5, machines.size)
    for src, dst, share, prob, (lo, hi) in BUNDLES:
        frm = np.flatnonzero(base & (p.cat == CAT_NAMES.index(src)))
        frm = frm[rng.random(frm.size) < share]
        pool = np.flatnonzero(base & (p.cat == CAT_NAMES.index(dst)))
        to = rng.choice(pool, frm.size)
        ok = to != frm
        p.partner[frm[ok]], p.partner_p[frm[ok]] = to[ok], prob
        p.ratio[frm[ok]] = rng.uniform(lo, hi, ok.sum())
    for arr in (p.links, p.partner, p.partner_p, p.ratio):  # successors inherit
        arr[n_base:] = arr[p.pred]


def _catalogue(cal: NS, rng: np.random.Generator) -> NS:
    p = _add_successors(_base_products(rng, cal.T), rng, cal.T)
    _links_and_bundles(p, rng)
    n = p.cat.size
    consumable = KIND[p.cat] == 0
    p.pack = np.where(consumable, rng.choice([1, 1, 1, 1, 2, 4, 6, 10, 12, 24], n), 1).astype(float)
    bulk = np.isin(p.cat, [CAT_NAMES.index("food_beverage"), CAT_NAMES.index("cleaning_chemicals")])
    bulk &= rng.random(n) < 0.15
    p.step = np.where(bulk, 0.5, 1.0)
    p.pack[bulk] = 1.0
    by_cat = rng.normal(0, 0.012, (cal.n_years, len(CATEGORIES)))[:, p.cat]
    by_product = rng.normal(0, 0.01, (cal.n_years, n))
    inc = rng.uniform(0.025, 0.07, (cal.n_years, 1)) + by_cat + by_product
    inc = np.where(rng.random((cal.n_years, n)) < 0.15, 0.0, np.clip(inc, 0, 0.15))
    inc[0] = 0.0
    p.price = p.price0[None, :] * np.cumprod(1 + inc, axis=0)
    p.n = n
    return p


def _products_frame(p: NS, cal: NS) -> tuple[pd.DataFrame, np.ndarray]:
    order = np.lexsort((np.arange(p.n), p.launch))
    pid = np.empty(p.n, dtype=np.int64)
    pid[order] = np.arange(1, p.n + 1)
    last_day = np.clip(np.minimum(p.disc - 1, cal.T - 1), 0, cal.T - 1)
    disc = np.where(p.disc < BIG, p.disc, 0)
    frame = pd.DataFrame({
        "product_id": pid,
        "name": p.name,
        "category": np.array(CAT_NAMES)[p.cat],
        "list_price": np.round(p.price[cal.year[last_day], np.arange(p.n)], 2),
        "launched": pd.to_datetime(cal.t0 + p.launch),
        "discontinued": pd.to_datetime(cal.t0 + disc).where(p.disc < BIG),
        "successor_id": pd.Series(pid[np.maximum(p.succ, 0)], dtype="Int64").mask(p.succ < 0),
    })
    frame = frame.sort_values("product_id").reset_index(drop=True)
    has = p.partner >= 0
    pairs = list(zip(pid[has].tolist(), pid[p.partner[has]].tolist(), strict=True))
    frame.attrs["bundle_pairs"] = pairs
    return frame, pid


def _pickers(p: NS, cal: NS) -> NS:
    mid = cal.month_mid[:, None]
    active = (p.launch[None, :] <= mid) & (p.disc[None, :] > mid)  # (M, P)
    recent = active & (p.launch[None, :] > mid - 240) & (p.launch[None, :] >= 0)
    rep = _seg_matrix(REPERTOIRE)[:, p.cat] * p.pop * (KIND[p.cat] == 0)  # (S, P)
    one = _seg_matrix(ONEOFFS)[:, p.cat] * p.pop
    anyw = (rep > 0) | (one > 0)
    by_cat = (np.arange(len(CATEGORIES))[:, None] == p.cat[None, :]) * p.pop  # (C, P)
    return NS(rep=_Picker((rep[:, None, :] * active[None]).reshape(-1, p.n)),
              one=_Picker((one[:, None, :] * active[None]).reshape(-1, p.n)),
              new=_Picker((anyw[:, None, :] * recent[None] * p.pop).reshape(-1, p.n)),
              cat=_Picker((by_cat[:, None, :] * active[None]).reshape(-1, p.n)))


def _promotions(p: NS, cal: NS, rng: np.random.Generator) -> np.ndarray:
    promo = np.zeros((cal.T, p.n), np.float32)
    cats = np.flatnonzero(KIND == 0)
    for _ in range(rng.poisson(8 * cal.T / 365)):
        s, length, c = rng.integers(0, cal.T - 10), rng.integers(10, 22), rng.choice(cats)
        members = np.flatnonzero((p.cat == c) & (p.launch <= s) & (p.disc > s))
        chosen = members[rng.random(members.size) < 0.4]
        promo[s:s + length, chosen] = np.maximum(promo[s:s + length, chosen],
                                                 rng.uniform(0.08, 0.20))
    return promo


def _resolve(p: NS, prod: np.ndarray, day: np.ndarray) -> np.ndarray:
    """The product a buyer gets on `day`: itself, its successor once it is gone, or -1."""
    prod = np.asarray(prod)
    safe = np.maximum(prod, 0)
    gone = p.disc[safe] <= day
    s = p.succ[safe]
    ok_s = (s >= 0) & (p.launch[np.maximum(s, 0)] <= day)
    out = np.where(gone, np.where(ok_s, s, -1), prod)
    out = np.where(p.launch[np.maximum(out, 0)] > day, -1, out)
    return np.where(prod < 0, -1, out)


# ----------------------------------------------------------------------------- customers


def _customers(n: int, rng: np.random.Generator) -> NS:
    seg = rng.choice(len(SEGMENTS), n, p=SEG_SHARE)
    size = np.minimum(2.0 * (1.0 - rng.random(n)) ** (-1 / 1.15), 25_000.0)
    sites = 1 + np.minimum(rng.poisson((size / 120) ** 0.75), 59)
    disc = np.clip(0.025 * np.log2(size / 4) + rng.normal(0, 0.02, n), 0, 0.32)
    sens = np.clip(rng.beta(2, 4, n) + 0.8 * (0.12 - disc), 0, 1)
    return NS(n=n, seg=seg, size=size, sites=sites, disc=disc, sens=sens)


def _units(cust: NS, rng: np.random.Generator) -> NS:
    uc = np.repeat(np.arange(cust.n), cust.sites)
    n = uc.size
    w = rng.lognormal(0, 0.5, n)
    vol = np.maximum(cust.size[uc] * w / np.bincount(uc, w)[uc], 1.0)
    seg = cust.seg[uc]
    gap = np.clip(150 * (vol / 3) ** -0.55 * SEG_CADENCE[seg] * rng.lognormal(0, 0.3, n), 7, 180)
    gap = np.where(gap < 24, np.maximum(7, np.round(gap / 7) * 7), np.round(gap))
    first = np.searchsorted(uc, np.arange(cust.n))
    return NS(n=n, cust=uc, seg=seg, V=vol, G=gap, first=first,
              spend=420 * vol ** 0.9 * SEG_SPEND[seg] * rng.lognormal(0, 0.45, n),
              k=np.minimum(2 + rng.poisson(1.6 * vol ** 0.4), 40), pull=rng.random(n) < 0.35,
              wday=rng.choice(5, n, p=WEEKDAY_P))


class _Life:
    """Weekly life-cycle states: 0 prospect, 1 active, 2 declining, 3 churned."""

    def __init__(self, cust: NS, cal: NS, raises: np.ndarray, rng: np.random.Generator):
        n, weeks = cust.n, cal.W
        self.rng, self.W = rng, weeks
        pre = rng.random(n) < 0.6
        wk = np.ones(weeks)
        wk[cal.week_month == 8] = 0.7  # fewer new accounts in August and December
        wk[cal.week_month == 12] = 0.8
        wk *= 1 + 0.2 * np.arange(weeks) / weeks
        self.acq = np.where(pre, -rng.integers(1, 500, n), rng.choice(weeks, n, p=wk / wk.sum()))
        self.state = np.where(pre, 1, 0).astype(np.int8)
        self.since = self.acq.astype(float)
        size = cust.size / 10
        self.h_dec = 0.11 / 52 * rng.gamma(2.0, 0.5, n) * size ** -0.12 * SEG_CHURN[cust.seg]
        self.h_abr = 0.03 / 52 * rng.gamma(2.0, 0.5, n) * size ** -0.2
        self.h_bad = 0.25 / 52 * (1 + np.log10(cust.sites))
        self.sens, self.trend = cust.sens, rng.normal(0, 0.1, n)
        self.dec_len = rng.gamma(3.0, 9.0, n) + 4
        self.dec_start = np.zeros(n)
        d0 = pre & (rng.random(n) < 0.07)
        self.state[d0] = 2
        self.dec_start[d0] = -rng.uniform(0, 0.8, n)[d0] * self.dec_len[d0]
        self.bad_until = np.full(n, -1)
        self.ret = np.full(n, BIG)
        shock = np.zeros(weeks + 1)
        for day, raise_ in zip(cal.jan_days, raises[1:], strict=True):
            shock[day // 7:day // 7 + 10] = raise_ / 0.05  # 10 weeks after each 1 January raise
        self.shock = shock
        self.rec = {"episode": [], "churn": [], "return": [], "bad": []}

    def run(self) -> np.ndarray:
        intensity = np.zeros((self.state.size, self.W), np.float32)
        for w in range(self.W):
            r = self.rng.random((5, self.state.size))
            self._enter(w)
            alive = (self.state == 1) | (self.state == 2)
            bad = alive & (r[0] < self.h_bad)
            self.bad_until[bad] = w + 13
            self.rec["bad"].append(np.c_[np.flatnonzero(bad), np.full(bad.sum(), w)])
            self._transition(w, r, alive)
            intensity[:, w] = self._intensity(w)
        open_ = np.flatnonzero(self.state == 2)
        self.rec["episode"].append(np.c_[open_, self.dec_start[open_],
                                         self.dec_start[open_] + self.dec_len[open_]])
        return intensity

    def _enter(self, w: int) -> None:
        s = self.state
        back = (s == 3) & (self.ret == w)
        new = ((s == 0) & (self.acq == w)) | back
        self.rec["return"].append(np.c_[np.flatnonzero(back), np.full(back.sum(), w)])
        s[new] = 1
        self.since[new] = w
        self.h_dec[back] *= 1.3

    def _transition(self, w: int, r: np.ndarray, alive: np.ndarray) -> None:
        s = self.state
        recent = self.bad_until > w
        abrupt = alive & (r[1] < self.h_abr * (1 + 5 * recent))
        tenure = (w - self.since) < 26
        p_dec = (self.h_dec * (1 + 7 * recent) * (1 + 0.8 * tenure)
                 * (1 + 2 * self.sens * self.shock[w]))
        start = (s == 1) & ~abrupt & (r[2] < p_dec)
        dec = (s == 2) & ~abrupt
        recover = dec & (r[3] < 0.012)
        churn = dec & ~recover & ((w - self.dec_start) >= self.dec_len)
        ended = np.flatnonzero(recover | churn | (abrupt & (s == 2)))
        self.rec["episode"].append(np.c_[ended, self.dec_start[ended], np.full(ended.size, w)])
        gone = churn | abrupt
        self.rec["churn"].append(np.c_[np.flatnonzero(gone), np.full(gone.sum(), w)])
        wins = gone & (r[4] < np.where(churn, 0.20, 0.04))
        self.ret[wins] = w + 26 + np.round(self.rng.gamma(2.0, 13.0, wins.sum())).astype(int)
        s[start] = 2
        self.dec_start[start] = w
        s[recover] = 1
        s[gone] = 3

    def _intensity(self, w: int) -> np.ndarray:
        ramp = 1 - 0.6 * np.exp(-(w - self.since) / 6)
        prog = np.clip((w - self.dec_start) / self.dec_len, 0, 1)
        val = np.where(self.state == 1, ramp, np.where(self.state == 2, 1 - 0.85 * prog, 0))
        return val * np.exp(self.trend * w / 52)

    def records(self, key: str) -> np.ndarray:
        parts = [a for a in self.rec[key] if a.size]
        width = 3 if key == "episode" else 2
        return np.concatenate(parts) if parts else np.zeros((0, width))


def _next_active(intensity: np.ndarray) -> np.ndarray:
    n, weeks = intensity.shape
    out = np.full((n, weeks + 1), weeks, np.int32)
    for w in range(weeks - 1, -1, -1):
        out[:, w] = np.where(intensity[:, w] > 0, w, out[:, w + 1])
    return out


# ----------------------------------------------------------------------------- one-offs, samples


def _event_days(cum: NS, units: NS, cal: NS, rate: np.ndarray,
                rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    lam = rate * cum.total[units.cust] * 7 / 365
    eu = np.repeat(np.arange(units.n), rng.poisson(lam))
    week = _row_search(cum, units.cust[eu], rng.random(eu.size))
    day = _on_weekday(cal, week * 7 + 3, rng.choice(5, eu.size, p=WEEKDAY_P))
    day = cal.next_open[units.seg[eu], day]
    keep = day < cal.T
    return eu[keep], day[keep]


def _oneoffs(cum: NS, units: NS, cal: NS, p: NS, pick: NS,
             rng: np.random.Generator) -> NS:
    eu, day = _event_days(cum, units, cal, 0.5 * units.V ** 0.45 * SEG_ONEOFF[units.seg], rng)
    prod = pick.one.draw(units.seg[eu] * cal.M + cal.month[day], rng.random(eu.size))
    prod = _resolve(p, prod, day)
    keep = prod >= 0
    eu, day, prod = eu[keep], day[keep], prod[keep]
    vol, kind = units.V[eu], KIND[p.cat[prod]]
    q_cons = np.maximum(1, np.round(rng.lognormal(np.log(25 * vol ** 0.5 / p.price0[prod]), 0.6)))
    qty = np.select([kind == 1, kind == 2],
                    [1 + rng.poisson(0.04 * vol ** 0.5), 1 + np.minimum(
                        rng.poisson(0.12 * vol ** 0.5), 50)],
                    _round_qty(q_cons, p.pack[prod], p.step[prod]))
    return NS(u=eu, day=day, prod=prod, qty=qty.astype(float), sample=np.zeros(eu.size, bool))


def _random_samples(cum: NS, units: NS, cal: NS, pick: NS,
                    rng: np.random.Generator) -> NS:
    eu, day = _event_days(cum, units, cal, 0.05 * units.V ** 0.2, rng)
    prod = pick.new.draw(units.seg[eu] * cal.M + cal.month[day], rng.random(eu.size))
    keep = prod >= 0
    return NS(u=eu[keep], day=day[keep], prod=prod[keep], qty=np.ones(keep.sum()),
              sample=np.ones(keep.sum(), bool))


# ----------------------------------------------------------------------------- repertoire slots


def _base_slots(units: NS, acq_day: np.ndarray, life: _Life, cal: NS,
                rng: np.random.Generator) -> NS:
    k = units.k
    u0 = np.repeat(np.arange(units.n), k)
    j = np.arange(u0.size) - np.repeat(np.cumsum(k) - k, k)
    a0 = acq_day[units.cust[u0]]
    n_first = (1 + rng.binomial(2, 0.5, units.n))[u0]
    delay = np.where(j < n_first, 0, np.round(rng.exponential(75, u0.size)))
    s0 = np.where(a0 < 0, -1, a0 + delay)
    # repertoire growth: new items over the customer's time with us
    u1 = np.repeat(np.arange(units.n), rng.poisson(0.1 * k * cal.T / 365))
    lo = np.maximum(acq_day[units.cust[u1]], 0)
    s1 = lo + np.floor(rng.random(u1.size) * np.maximum(cal.T - lo, 1))
    # win-back: half the old list survives (see _life_cuts) plus 1-2 new items
    ret = life.records("return").astype(np.int64)
    c2 = ret[:, 0]
    ui, own = _ranges(units.first[c2], units.first[c2] + np.bincount(units.cust)[c2])
    cnt = 1 + rng.binomial(1, 0.5, ui.size)
    u2 = np.repeat(ui, cnt)
    s2 = np.repeat(ret[own, 1] * 7, cnt) + np.round(rng.exponential(20, u2.size))
    return NS(unit=np.r_[u0, u1, u2], start=np.r_[s0, s1, s2].astype(np.int64),
              n_init=u0.size, init_off=np.cumsum(k) - k)


def _draw_slot_products(sl: NS, units: NS, cal: NS, pick: NS, rng: np.random.Generator) -> None:
    month = cal.month[np.clip(sl.start, 0, cal.T - 1)]
    prod = pick.rep.draw(units.seg[sl.unit] * cal.M + month, rng.random(sl.unit.size))
    # sites of one customer share most of the first site's contract list
    first_u = units.first[units.cust[sl.unit[:sl.n_init]]]
    copy = np.flatnonzero((first_u != sl.unit[:sl.n_init]) & (rng.random(sl.n_init) < 0.75))
    fu = first_u[copy]
    src = sl.init_off[fu] + np.floor(rng.random(copy.size) * units.k[fu]).astype(int)
    prod[copy] = prod[src]
    sl.prod = prod


def _machine_slots(ev: NS, p: NS, rng: np.random.Generator) -> NS:
    m = np.flatnonzero(KIND[p.cat[ev.prod]] == 1)
    links = p.links[ev.prod[m]]
    n_links = np.maximum((links >= 0).sum(axis=1), 1)
    rows, col = np.nonzero(links >= 0)
    src = m[rows]
    start = ev.day[src] + rng.integers(3, 40, src.size)
    prod = _resolve(p, links[rows, col], start)
    spend = p.price0[ev.prod[src]] * ev.qty[src] * rng.uniform(0.3, 1.2, src.size)
    rate = spend / n_links[rows] / p.price0[links[rows, col]] / 365
    end = ev.day[src] + np.round(rng.gamma(4.0, 250.0, src.size))
    return NS(unit=ev.u[src], start=start.astype(np.int64), prod=prod, rate=rate,
              end=end.astype(np.int64))


def _discontinuation(sl: NS, p: NS, cal: NS, pick: NS, rng: np.random.Generator) -> None:
    n = sl.unit.size
    disc = p.disc[sl.prod]
    hit = (disc < sl.end) & (disc < cal.T)
    u = rng.random(n)
    succ = p.succ[sl.prod]
    alt_cat = np.array([CAT_NAMES.index(ALTERNATIVE[c]) if c in ALTERNATIVE else -1
                        for c in CAT_NAMES])[p.cat[sl.prod]]
    migrate = hit & (succ >= 0) & (u < 0.65)
    alt = hit & ~migrate & (alt_cat >= 0) & (u < np.where(succ >= 0, 0.80, 0.35))
    s_launch = p.launch[np.maximum(succ, 0)]
    early = migrate & (rng.random(n) < 0.3)
    switch = np.where(early, disc - np.floor(rng.random(n) * np.maximum(disc - s_launch, 1)), disc)
    gap = np.where(migrate, rng.gamma(1.5, 15.0, n), rng.gamma(2.0, 20.0, n))
    resume = np.round(switch + gap).astype(np.int64)
    rows = np.maximum(alt_cat, 0) * cal.M + cal.month[np.minimum(resume, cal.T - 1)]
    alt_prod = pick.cat.draw(rows, rng.random(n))
    prod_b = np.select([migrate, alt], [succ, alt_prod], -1)
    sl.switch = np.where(hit, switch, BIG).astype(np.int64)
    sl.resume = np.where(hit, resume, BIG)
    sl.prod_b = np.where(hit, prod_b, -1)
    sl.rfac = p.price0[sl.prod] / p.price0[np.maximum(sl.prod_b, 0)]
    sl.stockup = hit & (rng.random(n) < 0.25)


def _life_cuts(sl: NS, units: NS, life: _Life, rng: np.random.Generator) -> None:
    """Decline drops items at random dates; churn ends half of the list."""
    cust = units.cust[sl.unit]
    frame = pd.DataFrame({"slot": np.arange(sl.unit.size), "c": cust, "start": sl.start})
    ep = life.records("episode")
    eps = pd.DataFrame({"c": ep[:, 0].astype(int), "s": ep[:, 1] * 7, "e": ep[:, 2] * 7})
    m = frame.merge(eps, on="c")
    m = m[rng.random(len(m)) < 0.6]
    drop = np.round(m["s"] + rng.random(len(m)) * (m["e"] - m["s"]))
    drop = drop[drop > m["start"]]
    cut = drop.groupby(m.loc[drop.index, "slot"]).min()
    sl.end[cut.index.to_numpy()] = np.minimum(sl.end[cut.index.to_numpy()],
                                              cut.to_numpy().astype(np.int64))
    ch = life.records("churn")
    chs = pd.DataFrame({"c": ch[:, 0].astype(int), "d": ch[:, 1] * 7})
    m = frame.merge(chs, on="c")
    m = m[(rng.random(len(m)) < 0.5) & (m["d"] > m["start"])]
    cut = m.groupby("slot")["d"].min()
    sl.end[cut.index.to_numpy()] = np.minimum(sl.end[cut.index.to_numpy()],
                                              cut.to_numpy().astype(np.int64))


def _slots(units: NS, acq_day: np.ndarray, life: _Life, cal: NS, p: NS, pick: NS,
           machine_ev: NS, rng: np.random.Generator) -> NS:
    sl = _base_slots(units, acq_day, life, cal, rng)
    _draw_slot_products(sl, units, cal, pick, rng)
    mac = _machine_slots(machine_ev, p, rng)
    n_reg = sl.unit.size
    sl.unit, sl.prod = np.r_[sl.unit, mac.unit], np.r_[sl.prod, mac.prod]
    sl.start = np.r_[sl.start, mac.start]
    sl.machine = np.r_[np.zeros(n_reg, bool), np.ones(mac.unit.size, bool)]
    sl.end = np.r_[sl.start[:n_reg] + np.round(rng.exponential(5 * 365, n_reg)), mac.end]
    key = pd.Series(sl.unit.astype(np.int64) * p.n + sl.prod)
    keep = (sl.prod >= 0) & ~(key.duplicated().to_numpy() & ~sl.machine)
    share = rng.gamma(0.8, 1.0, n_reg)
    tot = np.bincount(sl.unit[:n_reg], share, minlength=units.n)
    rate_reg = units.spend[sl.unit[:n_reg]] * share / tot[sl.unit[:n_reg]] / 365
    sl.rate = np.r_[rate_reg / p.price0[np.maximum(sl.prod[:n_reg], 0)], mac.rate]
    for name in ("unit", "prod", "start", "end", "machine", "rate"):
        setattr(sl, name, getattr(sl, name)[keep])
    sl.start = np.maximum(sl.start, np.minimum(p.launch[sl.prod], BIG)).astype(np.int64)
    sl.end = sl.end.astype(np.int64)
    _discontinuation(sl, p, cal, pick, rng)
    _life_cuts(sl, units, life, rng)
    _finish_slots(sl, units, acq_day, rng)
    return sl


def _finish_slots(sl: NS, units: NS, acq_day: np.ndarray, rng: np.random.Generator) -> None:
    n = sl.unit.size
    gap = units.G[sl.unit]
    m = rng.choice([1, 2, 3, 4], n, p=[0.55, 0.25, 0.12, 0.08])
    sl.m = np.minimum(m, np.maximum(1, 180 // gap))
    sl.safety = rng.uniform(0.1, 0.5, n)
    old = (sl.start <= 0) & (acq_day[units.cust[sl.unit]] < 0) & ~sl.machine
    sl.stock = np.where(old, rng.random(n) * sl.rate * gap * (sl.m + 0.5), 0.0)
    order = np.argsort(sl.unit, kind="stable")
    for name in ("unit", "prod", "start", "end", "machine", "rate", "switch", "resume", "prod_b",
                 "rfac", "stockup", "m", "safety", "stock"):
        setattr(sl, name, getattr(sl, name)[order])
    sl.ptr = np.searchsorted(sl.unit, np.arange(units.n + 1))


def _adoption_samples(sl: NS, units: NS, p: NS, cal: NS, rng: np.random.Generator) -> NS:
    launch = p.launch[sl.prod]
    pick = ((launch >= 0) & (sl.start > 0) & (sl.start - launch < 365) & ~sl.machine
            & (sl.start < sl.end) & (rng.random(sl.unit.size) < 0.15))
    day = np.maximum(sl.start[pick] - rng.integers(14, 60, pick.sum()), np.maximum(launch[pick], 0))
    day = cal.next_open[units.seg[sl.unit[pick]], np.minimum(day, cal.H - 1)]
    keep = day < cal.T
    return NS(u=sl.unit[pick][keep], day=day[keep], prod=sl.prod[pick][keep],
              qty=np.ones(keep.sum()), sample=np.ones(keep.sum(), bool))


# ----------------------------------------------------------------------------- daily orders


class _OrderSim:
    """Day-by-day (s, S) replenishment of every site's repertoire, vectorised over sites."""

    def __init__(self, units: NS, sl: NS, p: NS, cal: NS, intensity: np.ndarray,
                 promo: np.ndarray, first: np.ndarray, rng: np.random.Generator):
        self.u, self.sl, self.p, self.cal, self.rng = units, sl, p, cal, rng
        self.intensity, self.promo = intensity, promo
        self.next_active = _next_active(intensity)
        self.next = first.astype(np.int64)
        self.last = np.minimum(self.next, cal.H - 1)
        self.stock = sl.stock.copy()
        self.out: list[tuple] = []
        self.occ: list[tuple] = []

    def run(self) -> None:
        for d in range(self.cal.T):
            us = np.flatnonzero(self.next == d)
            if us.size:
                self._day(d, us)

    def _day(self, d: int, us: np.ndarray) -> None:
        i = self.intensity[self.u.cust[us], d // 7].astype(float)
        off = i <= 0
        if off.any():
            self._sleep(d, us[off])
        us, i = us[~off], i[~off]
        if not us.size:
            return
        self._consume(d, us, i)
        keep = self.rng.random(us.size) >= 0.04 + 0.15 * (1 - np.minimum(i, 1))
        self._order(d, us[keep], i[keep])
        self.occ.append((us[keep], d))
        self._reschedule(d, us, i)

    def _snap(self, us: np.ndarray, day: np.ndarray, today: int) -> np.ndarray:
        seg = self.u.seg[us]
        day = np.minimum(day, self.cal.H - 1)
        back = self.cal.prev_open[seg, day]
        pull = self.u.pull[us] & self.cal.closure[seg, day] & (back > today)
        return np.where(pull, back, self.cal.next_open[seg, day])

    def _sleep(self, d: int, us: np.ndarray) -> None:
        w = min(d // 7 + 1, self.cal.W)
        nw = self.next_active[self.u.cust[us], w].astype(np.int64)
        day = _on_weekday(self.cal, nw * 7 + 3, self.rng.choice(5, us.size, p=WEEKDAY_P))
        day = np.where(nw < self.cal.W, np.maximum(day, d + 1), self.cal.H - 1)
        self.next[us] = np.where(nw < self.cal.W, self._snap(us, day, d), BIG)
        self.last[us] = np.minimum(self.next[us], self.cal.H - 1)
        idx, _ = _ranges(self.sl.ptr[us], self.sl.ptr[us + 1])
        self.stock[idx] = 0.0

    def _consume(self, d: int, us: np.ndarray, i: np.ndarray) -> None:
        idx, own = _ranges(self.sl.ptr[us], self.sl.ptr[us + 1])
        seg = self.u.seg[us]
        clock = (self.cal.cums[seg, d] - self.cal.cums[seg, self.last[us]]) * i
        use = self.sl.rate[idx] * clock[own] * self.rng.lognormal(0, 0.2, idx.size)
        floor = -self.sl.rate[idx] * self.u.G[us][own]
        st = np.maximum(self.stock[idx] - use, floor)
        st[self.sl.start[idx] > d] = 0.0
        self.stock[idx] = st
        self.last[us] = d

    def _order(self, d: int, us: np.ndarray, i: np.ndarray) -> None:
        idx, own = _ranges(self.sl.ptr[us], self.sl.ptr[us + 1])
        sl, p = self.sl, self.p
        after = d >= sl.switch[idx]
        prod = np.where(after, sl.prod_b[idx], sl.prod[idx])
        pp = np.maximum(prod, 0)
        live = ((sl.start[idx] <= d) & (d < sl.end[idx]) & (prod >= 0)
                & ~(after & (d < sl.resume[idx])) & (p.launch[pp] <= d) & (d < p.disc[pp]))
        season = self.cal.season[self.u.seg[us], d]
        base = sl.rate[idx] * (self.u.G[us] * season ** 0.5 * i ** 0.3)[own]  # use till next
        promo = self.promo[d, pp] > 0
        hoard = sl.stockup[idx] & ~after & (d >= sl.switch[idx] - 45)
        push = np.where(promo, 2.2, 1.0) * np.where(hoard, 3.0, 1.0)
        stock = self.stock[idx]
        due = live & (stock < base * (1 + sl.safety[idx]) * push)
        target = (base * (sl.m[idx] + 0.5 + sl.safety[idx]) * np.where(promo, 1.6, 1.0)
                  * np.where(hoard, 2.5, 1.0))
        fac = np.where(after, sl.rfac[idx], 1.0)[due]
        q = _round_qty(np.maximum(target - stock, 0)[due] * fac, p.pack[pp[due]], p.step[pp[due]])
        self.stock[idx[due]] += q / fac
        self.out.append((us[own[due]].astype(np.int32), np.full(q.size, d, np.int32),
                         prod[due].astype(np.int32), q))

    def _reschedule(self, d: int, us: np.ndarray, i: np.ndarray) -> None:
        gap = self.u.G[us]
        season = self.cal.season[self.u.seg[us], d]
        stretch = gap * np.maximum(i, 0.05) ** -0.7 * season ** -0.5
        weeks = 7 * np.maximum(1, np.round(stretch / 7 + self.rng.normal(0, 0.2, us.size)))
        free = np.round(stretch * self.rng.gamma(8.0, 1 / 8.0, us.size))
        nd = d + np.maximum(1, np.where(gap <= 21, weeks, free)).astype(np.int64)
        wday = np.where(gap <= 21, self.u.wday[us], self.rng.choice(5, us.size, p=WEEKDAY_P))
        nd = _on_weekday(self.cal, nd, wday)
        nd = np.where(nd <= d, nd + 7, nd)
        self.next[us] = self._snap(us, nd, d)

    def lines(self) -> NS:
        empty = (np.zeros(0, np.int32),) * 3 + (np.zeros(0),)
        u, d, prod, q = (np.concatenate(x) for x in zip(empty, *self.out, strict=True))
        occ_u = np.concatenate([np.zeros(0, np.int64)] + [a for a, _ in self.occ])
        occ_d = np.concatenate([np.zeros(0, np.int64)] + [np.full(a.size, b) for a, b in self.occ])
        return NS(u=u.astype(np.int64), day=d.astype(np.int64), prod=prod.astype(np.int64),
                  qty=q, occ_u=occ_u.astype(np.int64), occ_d=occ_d.astype(np.int64))


# ----------------------------------------------------------------------------- assembly


def _attach(occ_u: np.ndarray, occ_d: np.ndarray, ev: NS, horizon: int) -> tuple:
    """An event joins the site's next order within 10 days, else makes its own order."""
    key = np.sort(occ_u * horizon + occ_d)
    ek = ev.u * horizon + ev.day
    if key.size == 0:
        return ev.day, np.ones(ev.u.size, np.int64)
    pos = np.searchsorted(key, ek)
    cand = key[np.minimum(pos, key.size - 1)]
    ok = (pos < key.size) & (cand // horizon == ev.u) & (cand - ek <= 10)
    return np.where(ok, cand % horizon, ev.day), np.where(ok, 0, 1).astype(np.int64)


def _bundles(lines: NS, p: NS, rng: np.random.Generator) -> NS:
    partner = p.partner[lines.prod]
    hit = ~lines.sample & (partner >= 0) & (rng.random(lines.u.size) < p.partner_p[lines.prod])
    b = _resolve(p, partner[hit], lines.day[hit])
    ok = b >= 0
    q = lines.qty[hit] * p.ratio[lines.prod[hit]]
    q = _round_qty(np.maximum(np.round(q), 1), p.pack[np.maximum(b, 0)], p.step[np.maximum(b, 0)])
    add = NS(u=lines.u[hit][ok], day=lines.day[hit][ok], kind=lines.kind[hit][ok], prod=b[ok],
             qty=q[ok], sample=np.zeros(ok.sum(), bool))
    return _concat([lines, add])


def _concat(parts: list[NS]) -> NS:
    return NS(**{k: np.concatenate([getattr(x, k) for x in parts])
                 for k in ("u", "day", "kind", "prod", "qty", "sample")})


def _merge(lines: NS, horizon: int, n_prod: int) -> NS:
    """One line per order and product (the same item can come from a slot and a bundle)."""
    okey = (lines.u * horizon + lines.day) * 3 + lines.kind
    key = (okey * n_prod + lines.prod) * 2 + lines.sample
    codes, uniq = pd.factorize(key)
    qty = np.bincount(codes, lines.qty)
    sample, rest = uniq % 2, uniq // 2
    prod, okey = rest % n_prod, rest // n_prod
    day = (okey // 3) % horizon
    return NS(u=okey // 3 // horizon, day=day, okey=okey, prod=prod, qty=qty,
              sample=sample.astype(bool))


def _refunds(ln: NS, units: NS, life: _Life, cal: NS, rng: np.random.Generator) -> NS:
    paid = ~ln.sample
    cust = units.cust[ln.u]
    okeys, first = np.unique(ln.okey, return_index=True)
    ock = np.sort(cust[first] * cal.H + ln.day[first])
    bad = life.records("bad")
    bk = bad[:, 0].astype(np.int64) * cal.H + bad[:, 1].astype(np.int64) * 7 + rng.integers(
        0, 7, len(bad))
    pos = np.searchsorted(ock, bk)
    hitk = ock[np.minimum(pos, max(ock.size - 1, 0))] if ock.size else bk
    ok = (pos < ock.size) & (hitk // cal.H == bk // cal.H) & (hitk - bk <= 30)
    flagged = np.isin(cust * cal.H + ln.day, hitk[ok])
    n = ln.u.size
    r = rng.random(n)
    bad_line = paid & flagged & (rng.random(n) < 0.8)
    random_line = paid & ~bad_line & (r < 0.01)
    mode = rng.random(n)
    partial = random_line & (mode >= 0.7) & (mode < 0.9) & (ln.qty >= 2)
    price_fix = random_line & (mode >= 0.9)
    sel = bad_line | random_line
    qty = np.where(partial, np.maximum(np.floor(ln.qty * rng.uniform(0.2, 0.8, n)), 1), ln.qty)
    qty = np.where(price_fix, 0.0, qty)
    unit_net = ln.amount / np.where(ln.qty > 0, ln.qty, 1)
    amount = np.where(price_fix, np.round(ln.amount * rng.uniform(0.05, 0.3, n), 2),
                      np.round(qty * unit_net, 2))
    lag = np.where(bad_line, 1 + rng.gamma(1.5, 3.0, n), 2 + rng.gamma(2.0, 6.0, n))
    day = np.minimum(ln.day + np.round(lag).astype(np.int64), cal.H - 1)
    day = cal.next_open[units.seg[ln.u], day]
    sel &= (day < cal.T) & (amount > 0)
    return NS(u=ln.u[sel], day=day[sel], okey=(ln.u[sel] * cal.H + day[sel]) * 3 + 2,
              prod=ln.prod[sel], qty=0.0 - qty[sel], amount=-amount[sel])


def _price(ln: NS, units: NS, cust: NS, p: NS, cal: NS, promo: np.ndarray) -> None:
    net = (p.price[cal.year[ln.day], ln.prod] * (1 - cust.disc[units.cust[ln.u]])
           * (1 - promo[ln.day, ln.prod]))
    ln.amount = np.where(ln.sample, 0.0, np.round(ln.qty * net, 2))


def _frame(ln: NS, cr: NS, units: NS, acq_day: np.ndarray, pid: np.ndarray, cal: NS,
           rng: np.random.Generator) -> pd.DataFrame:
    u = np.r_[ln.u, cr.u]
    day = np.r_[ln.day, cr.day]
    okey = np.r_[ln.okey, cr.okey]
    rank = np.lexsort((rng.random(acq_day.size), acq_day))
    cid = np.empty(acq_day.size, np.int64)
    cid[rank] = 10_001 + np.arange(acq_day.size)
    prod = pid[np.r_[ln.prod, cr.prod]]
    order = np.lexsort((prod, okey, day))
    oid = 100_001 + pd.factorize(okey[order])[0].astype(np.int64)
    return pd.DataFrame({
        "customer_id": cid[units.cust[u[order]]],
        "order_id": oid,
        "date": pd.to_datetime(cal.t0 + day[order]),
        "product_id": prod[order],
        "quantity": np.r_[ln.qty, cr.qty][order].astype(float),
        "amount": np.r_[ln.amount, cr.amount][order].astype(float),
    })


# ----------------------------------------------------------------------------- public API


def generate(n_customers: int = 3000, start: str = "2022-01-01", end: str = "2024-12-31",
             seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Returns (transactions, products).

    transactions: one row per order line, columns exactly
        customer_id (int), order_id (int), date (datetime64, day), product_id (int),
        quantity (float), amount (float, net line amount in one currency; negative for refund
        lines; 0 for free samples)
    products: product_id, name, category, list_price (in force on the last day the product is
        sold inside the window), launched (date), discontinued (date or NaT), successor_id
        (product_id or <NA>); attrs["bundle_pairs"] lists the (product, partner) bundle pairs.
    Credit notes are orders of their own with negative quantity (0 for price corrections) and
    amount. Customers who place no order inside the window do not appear.
    """
    rngs = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(9)]
    t0 = np.datetime64(start, "D")
    n_days = int((np.datetime64(end, "D") - t0).astype(int)) + 1
    if n_days < 120 or n_customers < 1:
        raise ValueError("need at least one customer and a window of 120 days or more")
    cal = _calendar(t0, n_days)
    p = _catalogue(cal, rngs[0])
    products, pid = _products_frame(p, cal)
    pick = _pickers(p, cal)
    promo = _promotions(p, cal, rngs[1])
    cust = _customers(n_customers, rngs[2])
    raises = np.r_[0.0, (p.price[1:] / p.price[:-1]).mean(axis=1) - 1]
    life = _Life(cust, cal, raises, rngs[3])
    intensity = life.run()
    units = _units(cust, rngs[4])
    acq_day = np.where(life.acq < 0, -1, life.acq * 7 + rngs[4].integers(0, 7, cust.n))
    cum = _row_cdf(intensity * cal.week_season[cust.seg])
    oneoff = _oneoffs(cum, units, cal, p, pick, rngs[5])
    sl = _slots(units, acq_day, life, cal, p, pick, oneoff, rngs[6])
    events = _concat_events([oneoff, _random_samples(cum, units, cal, pick, rngs[5]),
                             _adoption_samples(sl, units, p, cal, rngs[5])])
    del cum
    first = _first_occasions(units, acq_day, cal, rngs[7])
    sim = _OrderSim(units, sl, p, cal, intensity, promo, first, rngs[7])
    sim.run()
    reg = sim.lines()
    del sim
    ev_day, ev_kind = _attach(reg.occ_u, reg.occ_d, events, cal.H)
    lines = _concat([NS(u=reg.u, day=reg.day, kind=np.zeros(reg.u.size, np.int64), prod=reg.prod,
                        qty=reg.qty, sample=np.zeros(reg.u.size, bool)),
                     NS(u=events.u, day=ev_day, kind=ev_kind, prod=events.prod, qty=events.qty,
                        sample=events.sample)])
    del reg
    ln = _merge(_bundles(lines, p, rngs[8]), cal.H, p.n)
    del lines
    _price(ln, units, cust, p, cal, promo)
    credit = _refunds(ln, units, life, cal, rngs[8])
    return _frame(ln, credit, units, acq_day, pid, cal, rngs[8]), products


def _concat_events(parts: list[NS]) -> NS:
    return NS(**{k: np.concatenate([np.asarray(getattr(x, k)) for x in parts])
                 for k in ("u", "day", "prod", "qty", "sample")})


def _first_occasions(units: NS, acq_day: np.ndarray, cal: NS,
                     rng: np.random.Generator) -> np.ndarray:
    a = acq_day[units.cust]
    day = np.where(a < 0, np.floor(rng.random(units.n) * units.G), a).astype(np.int64)
    day = np.where(a < 0, _on_weekday(cal, day, units.wday), day)
    return cal.next_open[units.seg, np.clip(day, 0, cal.H - 1)]


# ----------------------------------------------------------------------------- self-check


def _bundle_share(paid: pd.DataFrame, products: pd.DataFrame) -> float:
    pairs = products.attrs.get("bundle_pairs")
    if not pairs:
        return float("nan")
    pr = pd.DataFrame(pairs, columns=["product_id", "partner"])
    lines = paid[["order_id", "product_id"]].drop_duplicates()
    with_a = lines.merge(pr, on="product_id")
    both = with_a.merge(lines.rename(columns={"product_id": "partner"}), on=["order_id", "partner"])
    return both["order_id"].nunique() / max(lines["order_id"].nunique(), 1)


def _successor_uptake(paid: pd.DataFrame, products: pd.DataFrame) -> float:
    has = products.dropna(subset=["successor_id"])
    if has.empty:
        return float("nan")
    m = paid.merge(has[["product_id", "discontinued"]], on="product_id")
    m = m[m["date"] >= m["discontinued"] - pd.Timedelta(days=365)]
    buyers = m[["customer_id", "product_id"]].drop_duplicates()
    succ = has.set_index("product_id")["successor_id"].astype("int64")
    buyers = buyers.assign(successor=buyers["product_id"].map(succ))
    bought = paid[["customer_id", "product_id"]].drop_duplicates().rename(
        columns={"product_id": "successor"})
    took = buyers.merge(bought, on=["customer_id", "successor"])
    return len(took) / max(len(buyers), 1)


def _gaps(paid: pd.DataFrame) -> pd.Series:
    days = paid[["customer_id", "date"]].drop_duplicates().sort_values(["customer_id", "date"])
    gap = days.groupby("customer_id")["date"].diff().dt.days
    return gap.groupby(days["customer_id"]).max()


def sanity(transactions: pd.DataFrame, products: pd.DataFrame) -> dict:
    """Plain descriptive figures of a generated (or any) history, computed from the outputs."""
    t = transactions
    end = t["date"].max()
    paid = t[t["amount"] > 0]
    orders = paid.groupby("customer_id")["order_id"].nunique()
    first = paid.groupby(["customer_id", "product_id"])["date"].transform("min")
    last = paid.groupby("customer_id")["date"].max()
    prior = paid.loc[(paid["date"] > end - pd.Timedelta(days=730))
                     & (paid["date"] <= end - pd.Timedelta(days=365)), "customer_id"].unique()
    revenue = paid.groupby("customer_id")["amount"].sum().sort_values(ascending=False)
    order_day = paid.drop_duplicates("order_id")["date"]
    return {
        "customers": int(t["customer_id"].nunique()),
        "orders": int(t.loc[t["amount"] >= 0, "order_id"].nunique()),
        "credit_notes": int(t.loc[t["amount"] < 0, "order_id"].nunique()),
        "lines": len(t),
        "mean_orders_per_customer": round(float(orders.mean()), 2),
        "median_orders_per_customer": float(orders.median()),
        "repeat_customer_share": round(float((orders >= 2).mean()), 3),
        "reorder_line_share": round(float((paid["date"] > first).mean()), 3),
        "bundle_order_share": round(_bundle_share(paid, products), 3),
        "active_last_90d_share": round(float((last > end - pd.Timedelta(days=90)).mean()), 3),
        "prior_year_buyers_quiet_last_180d": round(float(
            (last[prior] <= end - pd.Timedelta(days=180)).mean()), 3),
        "prior_year_buyers_none_last_365d": round(float(
            (last[prior] <= end - pd.Timedelta(days=365)).mean()), 3),
        "winback_share_gap_over_300d": round(float((_gaps(paid) > 300).mean()), 3),
        "top_decile_revenue_share": round(float(
            revenue.iloc[: max(1, len(revenue) // 10)].sum() / revenue.sum()), 3),
        "refund_line_share": round(float((t["amount"] < 0).mean()), 4),
        "zero_amount_line_share": round(float((t["amount"] == 0).mean()), 4),
        "successor_uptake": round(_successor_uptake(paid, products), 3),
        "lines_per_order": round(len(paid) / max(paid["order_id"].nunique(), 1), 2),
        "december_order_share": round(float((order_day.dt.month == 12).mean()), 3),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Generate a synthetic B2B sales history.")
    ap.add_argument("out", help="folder for transactions.csv and products.csv")
    ap.add_argument("--customers", type=int, default=3000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--start", default="2022-01-01")
    ap.add_argument("--end", default="2024-12-31")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    tx, products = generate(args.customers, args.start, args.end, args.seed)
    took = time.perf_counter() - t0
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    tx.to_csv(out / "transactions.csv", index=False, date_format="%Y-%m-%d")
    products.to_csv(out / "products.csv", index=False, date_format="%Y-%m-%d")
    checks = sanity(tx, products)
    print(f"generated in {took:.1f} s -> {out}")
    for key in ("customers", "orders", "lines", "active_last_90d_share",
                "mean_orders_per_customer"):
        print(f"{key:>36}: {checks.pop(key)}")
    print("sanity:")
    for key, value in checks.items():
        print(f"{key:>36}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
