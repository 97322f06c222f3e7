"""The engine's memory while it writes a run's suggestions: the 2 million rows of 100,000
customers (20 each) made into columns at once, as before, against one batch at a time
(``odoo_rows.write_frame``). The frame is the suggestions job's shape; the client answers like
Odoo and keeps nothing, so only the engine's side is measured. Prints the figures and writes
bench/reports/write_memory.md.

    .venv/bin/python bench/write_memory.py --customers 100000
"""

from __future__ import annotations

import argparse
import os
import platform
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

import numpy as np
import pandas as pd
from odoo_bench import write_report

from ai_engine.odoo_rows import write_frame, write_rows
from ai_engine.suggestions.load import suggestion_columns

HERE = Path(__file__).resolve().parent


class DiscardingOdoo:
    """Answers ``ai_write`` as Odoo does, after encoding the batch as JSON-RPC would."""

    def call(self, model, method, run_id, rows):
        import json

        json.dumps(rows)
        return {"written": len(next(iter(rows.values()))), "skipped_excluded": 0}


def suggestions_frame(customers: int, per_customer: int = 20) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    n = customers * per_customer
    products = rng.integers(1, 20000, n)
    return pd.DataFrame({
        "partner_id": np.repeat(np.arange(1, customers + 1), per_customer),
        "product_id": products, "rank": np.tile(np.arange(1, per_customer + 1), customers),
        "score": rng.random(n).round(4), "source": "affinity",
        "reason_code": [{"code": "bought_with", "product": str(p), "percent": 38}
                        for p in rng.integers(1, 20000, n)]})


def measure(way: str, customers: int) -> dict:
    frame = suggestions_frame(customers)
    Path("/proc/self/clear_refs").write_text("5")  # the peak from here on (Linux)
    base = _status_mb("VmRSS")
    client = DiscardingOdoo()
    if way == "at once":
        written = write_rows(client, "ai.customer.suggestion", 1, suggestion_columns(frame))
    else:
        written = write_frame(client, "ai.customer.suggestion", 1, frame, suggestion_columns)
    return {"way": way, "rows": written["written"], "frame_mb": base,
            "peak_over_frame_mb": _status_mb("VmHWM") - base}


def _status_mb(key: str) -> float:
    line = next(line for line in Path("/proc/self/status").read_text().splitlines()
                if line.startswith(key + ":"))
    return int(line.split()[1]) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100000)
    parser.add_argument("--out", type=Path, default=HERE / "reports" / "write_memory.md")
    args = parser.parse_args()
    load = os.getloadavg()[0]
    results = []
    for way in ("at once", "one batch at a time"):
        with ProcessPoolExecutor(1, mp_context=get_context("spawn")) as pool:
            results.append(pool.submit(measure, way, args.customers).result())
    text = (f"# Engine memory while writing a run's suggestions\n\nMeasured on "
            f"{platform.machine()} (2 cores, 24 GB), load average {load:.1f}.\n\nCommand: "
            f"`.venv/bin/python bench/write_memory.py --customers {args.customers}`\n\n"
            f"{results[0]['rows']:,} suggestion rows ({args.customers:,} customers × 20), "
            "encoded as JSON-RPC would and discarded.\n\n| columns made | process before "
            "writing (the frame) | peak added by writing |\n| --- | ---: | ---: |\n")
    for r in results:
        text += (f"| {r['way']} | {r['frame_mb']:,.0f} MB | "
                 f"**{r['peak_over_frame_mb']:,.0f} MB** |\n")
    write_report(args.out, text)


if __name__ == "__main__":
    main()
