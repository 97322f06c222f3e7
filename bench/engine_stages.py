"""Time each stage of contact insights on the benchmark's history (no Odoo needed): summary,
clusters, churn training, churn scoring, reasons, back-test. Prints the figures and writes
bench/reports/engine_stages.md.

    .venv/bin/python bench/engine_stages.py --customers 20000 --years 1.25

Same generator, size and span as bench/odoo_pipeline.py, so the two reports add up.
"""

from __future__ import annotations

import argparse
import datetime as dt
import time
from pathlib import Path

import pandas as pd

from ai_engine.datasets.synthetic import generate_history
from ai_engine.features.churn_features import default_horizon
from ai_engine.features.rfm import customer_summary
from ai_engine.insights.job import score_customers
from ai_engine.models.churn import ChurnModel
from ai_engine.models.clusters import BehaviourClusters

HERE = Path(__file__).resolve().parent


def stages(tx: pd.DataFrame, as_of: pd.Timestamp) -> dict[str, float]:
    seconds: dict[str, float] = {}

    def timed(name, func, *args, **kwargs):
        started = time.perf_counter()
        result = func(*args, **kwargs)
        seconds[name] = time.perf_counter() - started
        return result

    summary = timed("RFM summary", customer_summary, tx, as_of)
    summary = summary[summary["frequency"] > 0]
    timed("behaviour clusters (fit + describe)", BehaviourClusters().fit, summary)
    horizon = default_horizon(tx)
    model = timed("churn: train (snapshots, BG/NBD, logistic regression)",
                  ChurnModel(horizon_days=horizon).fit, tx, as_of)
    timed("churn: score", model.churn_probability, summary)
    timed("churn: reasons (occlusion)", model.reasons, summary)
    timed("whole score_customers incl. back-test", score_customers, tx, as_of)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=20000)
    parser.add_argument("--years", type=float, default=1.25)
    args = parser.parse_args()
    end = dt.date.today()
    start = end - dt.timedelta(days=round(365 * args.years))
    tx = generate_history(n_customers=args.customers, start=start, end=end, seed=0)
    seconds = stages(tx, pd.Timestamp(end))
    rows = "\n".join(f"| {name} | {value:.2f} s |" for name, value in seconds.items())
    text = (f"# Engine stages\n\n{args.customers:,} customers, {len(tx):,} order lines "
            f"({args.years} years of generated history), measured {end} on 2 cores.\n\n"
            f"Command: `.venv/bin/python bench/engine_stages.py --customers {args.customers} "
            f"--years {args.years}`\n\n| stage | time |\n| --- | --- |\n{rows}\n")
    out = HERE / "reports" / "engine_stages.md"
    out.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
