"""Benchmark the real chain on a real Odoo 18: seed N customers, then time extract, score and
write-back as the engine does them in a run. Prints the figures and writes
bench/reports/odoo_pipeline.md.

    .venv/bin/python bench/odoo_pipeline.py --customers 20000

Needs an installed Odoo 18 (found like the test command finds it) and PostgreSQL; it creates and
drops its own database.
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
from pathlib import Path

from odoo_bench import report_head, step_table, throwaway_odoo, timed

from ai_engine import dispatch
from ai_engine.demo.seed_odoo import seed_odoo
from ai_engine.insights import load as insights_load
from ai_engine.insights.job import score_customers
from ai_engine.sales import sale_transactions

HERE = Path(__file__).resolve().parent


def run(customers: int, seed: int, years: float) -> dict:
    figures: dict = {}
    with throwaway_odoo() as (_server, admin, engine):
        counts = timed("seed-odoo", figures, seed_odoo, admin, customers=customers, seed=seed,
                       years=years, tickets=0, progress=lambda _m: None)
        company_id = counts["company_id"]
        tx = timed("extract", figures, sale_transactions, engine, company_id)
        result = timed("train + score", figures, score_customers, tx, dt.date.today())
        run_id = engine.call("ai.run", "action_queue", "insights", company_id, "manual")
        engine.call("ai.run", "ai_claim_next", "bench", ["insights"])
        written = timed("write-back", figures, insights_load.write, engine, run_id, result,
                        lambda _m: None)
        timed("publish", figures, engine.call, "ai.run", "ai_finish", run_id, {})
        dispatch.queue_runs(engine, "suggestions", [company_id])
        outcome = timed("suggestions task (extract + learn + write lists)", figures,
                        dispatch.process_next, engine, "bench")
        figures.update(counts)
        figures["suggestions_metrics"] = outcome.metrics
        figures.update(
            extracted_lines=len(tx), scored=len(result.scores), written=written,
            write_rate=written / figures["write-back"],
            extract_rate=len(tx) / figures["extract"],
            peak_rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            method=result.metrics.get("method"),
        )
    return figures


def report(figures: dict, customers: int, years: float) -> str:
    f = figures
    rows = [
        ("seeded", f"{f['customers']} customers, {f['contacts']} contact persons, "
                   f"{f['orders']} confirmed orders, {f['order_lines']} order lines, "
                   f"{f['products']} products"),
        ("seed-odoo (RPC, orders created in batches of 500)",
         f"{f['seed-odoo']:.0f} s, {f['orders'] / f['seed-odoo']:,.0f} orders/s"),
        ("extract (`sales.sale_transactions`: `ai_read_sales` columns, else search_read)",
         f"{f['extract']:.1f} s, {f['extract_rate']:,.0f} lines/s"),
        (f"train + score ({f['method']})",
         f"{f['train + score']:.1f} s for {f['scored']} customers"),
        ("write-back (`ai.partner.insight.ai_write`, staged in batches of 5,000)",
         f"{f['write-back']:.2f} s, **{f['write_rate']:,.0f} customers/s** (target >= 5,000)"),
        ("publish (`ai.run.ai_finish`: the staged snapshot replaces the previous one)",
         f"{f['publish']:.2f} s"),
        ("suggestions task (extract + learn + stage and publish affinities and lists)",
         f"{f['suggestions task (extract + learn + write lists)']:.1f} s: "
         f"{f['suggestions_metrics']['suggestions']:,} suggestions, "
         f"{f['suggestions_metrics']['affinities']:,} affinities"),
        ("engine peak RSS", f"{f['peak_rss_mb']:.0f} MB"),
    ]
    return report_head("Engine <-> Odoo pipeline benchmark",
                       "Odoo 18.0 Community, PostgreSQL on loopback, one engine process",
                       f".venv/bin/python bench/odoo_pipeline.py --customers {customers} "
                       f"--years {years}") + step_table(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=0)
    # 1.25 years of the generator's history for 20k customers is about 200k order lines.
    parser.add_argument("--years", type=float, default=1.25)
    parser.add_argument("--out", type=Path, default=HERE / "reports" / "odoo_pipeline.md")
    args = parser.parse_args()
    figures = run(args.customers, args.seed, args.years)
    text = report(figures, args.customers, args.years)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
