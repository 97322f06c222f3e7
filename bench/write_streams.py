"""Write-back speed against a real Odoo by the number of ``ai_write`` calls in flight
(``odoo_rows.write_frame(streams=…)``): a run's suggestion rows (every customer × every
product of a ``seed-odoo`` database), written with 1, 2 and 3 streams in turn, each twice.
Prints the figures and writes bench/reports/write_streams.md.

    .venv/bin/python bench/write_streams.py   (about 4 minutes on 2 cores)

Each round stages the rows for a run of its own and publishes them (the previous round's rows
retire), as a suggestions run does; the seconds are the write-back's alone.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import numpy as np
import pandas as pd
from odoo_bench import report_head, throwaway_odoo, write_report

from ai_engine.demo.seed_odoo import seed_odoo
from ai_engine.odoo_rows import write_frame
from ai_engine.suggestions.load import suggestion_columns

HERE = Path(__file__).resolve().parent
ROUNDS = (1, 2, 3, 1, 2, 3)


def suggestion_rows(partners: list[int], products: list[int]) -> pd.DataFrame:
    """One row per customer × product, in the shape the suggestions job stores."""
    customer, product = (grid.ravel() for grid in np.meshgrid(partners, products, indexing="ij"))
    return pd.DataFrame({
        "partner_id": customer, "product_id": product,
        "rank": np.tile(np.arange(1, len(products) + 1), len(partners)),
        "score": np.random.default_rng(0).random(len(customer)).round(4), "source": "history",
        "reason_code": [{"code": "bought_before", "orders": 3, "days": 40}] * len(customer)})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1000)
    parser.add_argument("--out", type=Path, default=HERE / "reports" / "write_streams.md")
    args = parser.parse_args()
    rounds = []
    with throwaway_odoo() as (_server, admin, engine):
        company = seed_odoo(admin, customers=args.customers, seed=0, years=1.0, tickets=10,
                            progress=lambda _m: None)["company_id"]
        partners = admin.call("res.partner", "search", [("customer_rank", ">", 0),
                                                        ("parent_id", "=", False)])
        products = admin.call("product.product", "search", [("sale_ok", "=", True)])
        frame = suggestion_rows(partners, products)
        load_before = os.getloadavg()[0]
        for streams in ROUNDS:
            engine.call("ai.run", "action_queue", "suggestions", company, "manual", "full")
            claim = engine.call("ai.run", "ai_claim_next", "bench", ["suggestions"], "bench")
            started = time.perf_counter()
            written = write_frame(engine, "ai.customer.suggestion", claim["id"], frame,
                                  suggestion_columns, streams=streams)["written"]
            seconds = time.perf_counter() - started
            engine.call("ai.run", "ai_finish", claim["id"],
                        {"partners_scored": len(partners), "metrics": {}, "log": ""})
            rounds.append({"streams": streams, "rows": written, "seconds": seconds})
            print(f"{streams} stream(s): {written:,} rows in {seconds:.1f} s", flush=True)
    text = report_head("Write-back speed by calls in flight",
                       "Odoo 18.0 Community (the test harness's server: one process, threaded), "
                       "PostgreSQL 15 on loopback", ".venv/bin/python bench/write_streams.py")
    text += (f"{len(partners):,} customers × {len(products):,} products = {len(frame):,} "
             "suggestion rows per round, staged for a run and published.\n\n"
             "| streams | round | seconds | rows/s |\n| ---: | ---: | ---: | ---: |\n")
    for n, r in enumerate(rounds, 1):
        text += f"| {r['streams']} | {n} | {r['seconds']:.1f} | {r['rows'] / r['seconds']:,.0f} |\n"
    text += f"\nLoad average (1 min) before the rounds: {load_before:.1f}.\n"
    write_report(args.out, text)


if __name__ == "__main__":
    main()
