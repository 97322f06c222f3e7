"""Benchmark helpdesk runs on a real Odoo 18: seed customers and tickets, time a first run over
every ticket (extract, analyse, write back), then a customer writes on some tickets and the
next run analyses only those. Prints the figures and writes bench/reports/helpdesk_odoo.md.

    .venv/bin/python bench/helpdesk_odoo.py --customers 2000 --tickets 3000

Needs an installed Odoo 18 (found like the test command finds it) and PostgreSQL; it creates and
drops its own database.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from odoo_bench import report_head, step_table, throwaway_odoo

from ai_engine import dispatch
from ai_engine.demo.seed_odoo import seed_odoo

HERE = Path(__file__).resolve().parent


def helpdesk_run(engine, company_id: int) -> tuple[float, dict, str]:
    """A helpdesk run as the worker does it: queued, claimed (Odoo hands over since when to
    look), analysed, written, reported."""
    dispatch.queue_runs(engine, "helpdesk", [company_id])
    started = time.perf_counter()
    outcome = dispatch.process_next(engine, "bench")
    [run] = engine.call("ai.run", "read", [outcome.run_id], ["log"])
    return (time.perf_counter() - started,
            {**outcome.metrics, "written": outcome.partners_scored}, run["log"])


def run(customers: int, tickets: int, changed: int) -> dict:
    figures: dict = {}
    with throwaway_odoo() as (_server, admin, engine):
        started = time.perf_counter()
        counts = seed_odoo(admin, customers=customers, years=2.0, tickets=tickets,
                           progress=lambda _m: None)
        figures["seed"] = time.perf_counter() - started
        company_id = counts["company_id"]
        # Odoo keeps write dates to the second and a run re-analyses tickets written at or
        # after its `since`: start in a later second than the seeding's last writes, as a
        # scheduled run would (else those tickets count as edited since the first run).
        time.sleep(1.1)
        figures["first"] = helpdesk_run(engine, company_id)
        ids = admin.call("helpdesk.ticket", "search", [("partner_id", "!=", False)],
                         limit=changed, order="id desc")
        for ticket in admin.call("helpdesk.ticket", "read", ids, ["partner_id"]):
            admin.call("helpdesk.ticket", "message_post", [ticket["id"]],
                       body="Still nothing. This is unacceptable!", message_type="comment",
                       author_id=ticket["partner_id"][0], subtype_xmlid="mail.mt_comment")
        figures["incremental"] = helpdesk_run(engine, company_id)
        figures.update(counts)
    return figures


def report(f: dict, customers: int, tickets: int, changed: int) -> str:
    first_s, first, first_log = f["first"]
    inc_s, inc, inc_log = f["incremental"]
    backtest = first["category_backtest"]  # None below 50 categorised tickets
    rows = [
        ("seeded", f"{f['customers']} customers, {f['orders']} orders, {f['tickets']} tickets "
                   f"({f['solved_tickets']} solved and answered) in {f['seed']:.0f} s"),
        ("first run: tickets analysed and written", f"{first['written']}"),
        ("first run: whole task (extract, analyse, write back)",
         f"{first_s:.1f} s, **{first['written'] / first_s:,.0f} tickets/s** (target >= 50)"),
        ("first run: category back-test top-1 vs majority",
         f"{backtest['top1_accuracy']:.3f} vs {backtest['majority_baseline']:.3f}"
         if backtest else "too few categorised tickets to back-test"),
        (f"incremental run after {changed} new customer messages: tickets analysed",
         f"{inc['n_changed']} of {inc['n_tickets']}"),
        ("incremental run: whole task", f"{inc_s:.1f} s"),
    ]
    return (
        report_head("Helpdesk runs against a real Odoo",
                    "Odoo 18.0 Community with OCA helpdesk_mgmt, PostgreSQL on loopback, one "
                    "engine process",
                    f".venv/bin/python bench/helpdesk_odoo.py --customers {customers} "
                    f"--tickets {tickets} --changed {changed}")
        + step_table(rows) + "\n"
        "First run log:\n\n```\n" + first_log + "\n```\n\nIncremental run log:\n\n```\n"
        + inc_log + "\n```\n"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=2000)
    parser.add_argument("--tickets", type=int, default=3000)
    parser.add_argument("--changed", type=int, default=50)
    parser.add_argument("--out", type=Path, default=HERE / "reports" / "helpdesk_odoo.md")
    args = parser.parse_args()
    figures = run(args.customers, args.tickets, args.changed)
    text = report(figures, args.customers, args.tickets, args.changed)
    args.out.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
