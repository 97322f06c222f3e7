"""Benchmark helpdesk runs on a real Odoo 18: seed customers and tickets, time a first run over
every ticket (extract, analyse, write back), then a customer writes on some tickets and the
next run analyses only those. Prints the figures and writes bench/reports/helpdesk_odoo.md.

    .venv/bin/python bench/helpdesk_odoo.py --customers 2000 --tickets 3000

Needs an installed Odoo 18 (found like the test command finds it) and PostgreSQL; it creates and
drops its own database.
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "ai_engine" / "tests"))

from odoo_server import find_odoo, make_server  # noqa: E402

from ai_engine import runner  # noqa: E402
from ai_engine.odoo_client import OdooClient, OdooSettings  # noqa: E402
from ai_engine.seed import seed_odoo  # noqa: E402


def helpdesk_run(engine, company_id: int, since) -> tuple[float, dict, str]:
    log = runner.RunLog()
    started = time.perf_counter()
    written, metrics = runner.run_helpdesk(engine, company_id, {"since": since}, log)
    return time.perf_counter() - started, {**metrics, "written": written}, log.text()


def run(customers: int, tickets: int, changed: int) -> dict:
    found = find_odoo()
    if not found:
        sys.exit("No Odoo 18 found: install one (see README) to run this benchmark.")
    server = make_server(found)
    figures: dict = {}
    try:
        server.install()
        server.start()
        admin = OdooClient(OdooSettings(server.url, server.db, "admin", "admin",
                                        timeout=3600)).connect()
        engine = OdooClient(OdooSettings(server.url, server.db, "ai-engine", server.api_key,
                                         timeout=3600)).connect()
        started = time.perf_counter()
        counts = seed_odoo(admin, customers=customers, years=2.0, tickets=tickets,
                           progress=lambda _m: None)
        figures["seed"] = time.perf_counter() - started
        company_id = counts["company_id"]
        first_started = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        figures["first"] = helpdesk_run(engine, company_id, None)
        ids = admin.call("helpdesk.ticket", "search", [("partner_id", "!=", False)],
                         limit=changed, order="id desc")
        for ticket in admin.call("helpdesk.ticket", "read", ids, ["partner_id"]):
            admin.call("helpdesk.ticket", "message_post", [ticket["id"]],
                       body="Still nothing. This is unacceptable!", message_type="comment",
                       author_id=ticket["partner_id"][0], subtype_xmlid="mail.mt_comment")
        figures["incremental"] = helpdesk_run(engine, company_id,
                                              first_started.strftime("%Y-%m-%d %H:%M:%S"))
        figures.update(counts)
    finally:
        server.stop()
    return figures


def report(f: dict, customers: int, tickets: int, changed: int) -> str:
    first_s, first, first_log = f["first"]
    inc_s, inc, inc_log = f["incremental"]
    rows = [
        ("seeded", f"{f['customers']} customers, {f['orders']} orders, {f['tickets']} tickets "
                   f"({f['solved_tickets']} solved and answered) in {f['seed']:.0f} s"),
        ("first run: tickets analysed and written", f"{first['written']}"),
        ("first run: whole task (extract, analyse, write back)",
         f"{first_s:.1f} s, **{first['written'] / first_s:,.0f} tickets/s** (target >= 50)"),
        ("first run: category back-test top-1 vs majority",
         f"{first['category_backtest']['top1_accuracy']:.3f} vs "
         f"{first['category_backtest']['majority_baseline']:.3f}"),
        (f"incremental run after {changed} new customer messages: tickets analysed",
         f"{inc['n_changed']} of {inc['n_tickets']}"),
        ("incremental run: whole task", f"{inc_s:.1f} s"),
    ]
    table = "\n".join(f"| {step} | {figure} |" for step, figure in rows)
    return (
        "# Helpdesk runs against a real Odoo\n\n"
        f"Measured {dt.date.today()} on {platform.machine()} (2 cores, 24 GB), Odoo 18.0 "
        "Community with OCA helpdesk_mgmt, PostgreSQL on loopback, one engine process.\n\n"
        f"Command: `.venv/bin/python bench/helpdesk_odoo.py --customers {customers} "
        f"--tickets {tickets} --changed {changed}`\n\n"
        "| step | figure |\n| --- | --- |\n" + table + "\n\n"
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
