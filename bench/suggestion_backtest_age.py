"""How much a suggestions back-test's answer moves from one night to the next: the back-test
(``suggestions/evaluate.suggestion_backtest``) made on the history as it stood each night for
two weeks, on the engine's generator and on the independent B2B generator. A suggestions run
makes it once every ``BACKTEST_EVERY_DAYS`` and uses it again the nights between
(``suggestions/job.recent_backtest``); this shows what that costs: how often the serving
choice of a later night differs from the first night's, and how far its hit rates move.
Prints the figures and writes bench/reports/suggestion_backtest_age.md.

    .venv/bin/python bench/suggestion_backtest_age.py   (about 5 minutes on 2 cores)
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "generators"))

from b2b_history import generate as generate_b2b  # noqa: E402
from odoo_bench import report_head, write_report  # noqa: E402

from ai_engine.datasets.synthetic import generate_history  # noqa: E402
from ai_engine.suggestions.evaluate import suggestion_backtest  # noqa: E402
from ai_engine.suggestions.job import BACKTEST_EVERY_DAYS  # noqa: E402

KEYS = ("suggestions_repeat", "suggestions_new")
FIGURES = (("model", "hr_at_10_repeat"), ("own_history", "hr_at_10_repeat"),
           ("model", "hr_at_10_never_bought"), ("popularity", "hr_at_10_never_bought"))


def histories(customers: int):
    yield ("Engine generator (ai_engine/datasets/synthetic.py), seed 0 — tuned-on",
           generate_history(customers, start="2023-10-01", end="2024-12-31", seed=0), None)
    tx, products = generate_b2b(customers, "2022-01-01", "2024-12-31", 7)
    yield ("Independent B2B generator (bench/generators/b2b_history.py), seed 7 — never-seen",
           tx, products[["product_id", "name", "category"]])


def nights(tx: pd.DataFrame, products, days: int) -> list[dict]:
    tx = tx[tx["product_id"].notna()]
    last = tx["date"].max().normalize()
    rows = []
    for night in range(days - 1, -1, -1):  # the history as it stood each night, oldest first
        today = last - pd.Timedelta(days=night)
        started = time.perf_counter()
        backtest = suggestion_backtest(tx[tx["date"] < today], products, None)
        rows.append({"today": today, "seconds": time.perf_counter() - started,
                     "cut": backtest["cut"],
                     "serving": {k: backtest["serving"][k]["served"] for k in KEYS},
                     **{f"{m}.{f}": backtest[m][f] for m, f in FIGURES}})
        print(f"{today:%Y-%m-%d} {rows[-1]['serving']} {rows[-1]['seconds']:.1f}s", flush=True)
    return rows


def section(title: str, rows: list[dict]) -> str:
    text = (f"### {title}\n\n| night | cut | repeat slots: model / own products | never-bought "
            "slots: model / best sellers | serves (repeat, never-bought) | same as "
            f"{BACKTEST_EVERY_DAYS} nights' first? |\n| --- | --- | --- | --- | --- | --- |\n")
    # Each night's serving back-test: the one made on the first night of its week.
    served_by = [rows[n - n % BACKTEST_EVERY_DAYS] for n in range(len(rows))]
    for row, first in zip(rows, served_by, strict=True):
        same = "yes" if row["serving"] == first["serving"] else "**no**"
        text += (f"| {row['today']:%Y-%m-%d} | {row['cut']} | "
                 f"{row['model.hr_at_10_repeat']} / {row['own_history.hr_at_10_repeat']} | "
                 f"{row['model.hr_at_10_never_bought']} / "
                 f"{row['popularity.hr_at_10_never_bought']} | "
                 f"{row['serving']['suggestions_repeat']}, {row['serving']['suggestions_new']} "
                 f"| {same} |\n")
    moved = {key: max(abs((row[key] or 0) - (first[key] or 0))
                      for row, first in zip(rows, served_by, strict=True))
             for key in (f"{m}.{f}" for m, f in FIGURES)}
    differ = sum(row["serving"] != first["serving"]
                 for row, first in zip(rows, served_by, strict=True))
    text += (f"\nNights served by a back-test of up to {BACKTEST_EVERY_DAYS - 1} days before "
             f"whose choice differs from that night's own: **{differ} of {len(rows)}**. "
             "Largest move of a hit rate from the back-test that served it: "
             + ", ".join(f"{key.replace('.hr_at_10_', ' ')} {value:.3f}"
                         for key, value in moved.items())
             + f". One back-test: {sum(r['seconds'] for r in rows) / len(rows):.1f} s on "
             "average.\n\n")
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=3000)
    parser.add_argument("--nights", type=int, default=14)
    parser.add_argument("--out", type=Path, default=HERE / "reports" /
                        "suggestion_backtest_age.md")
    args = parser.parse_args()
    text = report_head("Suggestions back-test: how its answer ages",
                       "Python only, no Odoo",
                       f".venv/bin/python bench/suggestion_backtest_age.py --customers "
                       f"{args.customers} --nights {args.nights}")
    text += (f"{args.customers:,} customers per history. Each night the back-test learns from "
             "the orders before its cut (the last fifth of orders left out) and is checked on "
             "each customer's next order; HR@10 per kind of slot, beside its baseline.\n\n")
    for title, tx, products in histories(args.customers):
        text += section(title, nights(tx, products, args.nights))
    write_report(args.out, text)


if __name__ == "__main__":
    main()
