"""The generated office-supply catalogue: 35 product nouns in 7 categories, 4 grades each, and
how the products relate (what is used up on a rhythm, bought together, or bought later).

``datasets/synthetic.py`` draws the sales history from it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

# category → (typical list price, product nouns)
CATALOGUE = {
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
GRADES = ["Basic", "Classic", "Pro", "Premium"]

# How products relate, as office-supply shops see it. Per noun: the days a typical office takes
# to use it up (None: equipment, bought when needed rather than on a rhythm), what goes into the
# same order with it (noun → probability) and what follows in a later order (noun →
# (probability, mean days later)).
ROLES: dict[str, tuple[float | None, dict, dict]] = {
    "Notebook": (60, {"Ballpoint pens": 0.25}, {}),
    "Copy paper": (30, {"Toner": 0.15, "Sticky notes": 0.1}, {}),
    "Legal pad": (60, {"Ballpoint pens": 0.25}, {}),
    "Sticky notes": (45, {"Highlighters": 0.2}, {}),
    "Planner": (365, {"Fineliners": 0.3}, {}),
    "Ballpoint pens": (45, {"Notebook": 0.1}, {}),
    "Markers": (90, {"Sticky notes": 0.15}, {}),
    "Fineliners": (90, {}, {}),
    "Pencils": (90, {}, {}),
    "Highlighters": (90, {"Sticky notes": 0.15}, {}),
    "Desk organiser": (None, {"Tray": 0.3, "Stapler": 0.15}, {}),
    "Stapler": (None, {"Tray": 0.15}, {}),
    "Lamp": (None, {}, {}),
    "Monitor stand": (None, {"Lamp": 0.15}, {"Docking station": (0.1, 30)}),
    "Tray": (None, {"Label roll": 0.15}, {}),
    "Toner": (75, {"Drum unit": 0.12, "Copy paper": 0.25}, {}),
    "Ink cartridge": (45, {"Photo paper": 0.3, "Copy paper": 0.15}, {}),
    "Label roll": (60, {}, {}),
    "Drum unit": (300, {"Toner": 0.6}, {}),
    "Photo paper": (120, {"Ink cartridge": 0.4}, {}),
    "Headset": (None, {"Webcam": 0.25}, {}),
    "Webcam": (None, {"Headset": 0.35}, {}),
    "Keyboard": (None, {"Docking station": 0.15}, {"Headset": (0.15, 30)}),
    "Docking station": (None, {"Keyboard": 0.35, "Monitor stand": 0.3},
                        {"Headset": (0.25, 20), "Webcam": (0.2, 20)}),
    "Shredder": (None, {}, {}),
    "Office chair": (None, {"Standing desk": 0.1}, {"Desk organiser": (0.15, 20)}),
    "Standing desk": (None, {"Monitor stand": 0.35, "Lamp": 0.3, "Office chair": 0.3},
                      {"Desk organiser": (0.3, 20), "Lamp": (0.2, 25)}),
    "Filing cabinet": (None, {"Label roll": 0.35, "Tray": 0.3}, {"Label roll": (0.3, 30)}),
    "Bookcase": (None, {"Filing cabinet": 0.15}, {"Tray": (0.15, 20)}),
    "Meeting table": (None, {"Office chair": 0.6}, {"Cups": (0.3, 15), "Coffee beans": (0.25, 15)}),
    "Coffee beans": (21, {"Cups": 0.2, "Biscuits": 0.25}, {}),
    "Tea assortment": (30, {"Biscuits": 0.3, "Cups": 0.15}, {}),
    "Water bottles": (14, {}, {}),
    "Biscuits": (21, {"Coffee beans": 0.1}, {}),
    "Cups": (45, {}, {}),
}


def generate_products(seed: int = 0) -> pd.DataFrame:
    """The catalogue: ``product_id, name, category, list_price`` (20 grades × nouns)."""
    rng = np.random.default_rng(seed)
    rows = []
    for category, (price, nouns) in CATALOGUE.items():
        for noun in nouns:
            for g, grade in enumerate(GRADES):
                jitter = rng.lognormal(0.0, 0.15)
                rows.append({"name": f"{noun} {grade}", "category": category,
                             "list_price": round(price * (1 + 0.45 * g) * jitter, 2)})
    products = pd.DataFrame(rows)
    products.insert(0, "product_id", np.arange(1, len(products) + 1))
    return products
