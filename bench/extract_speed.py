"""Benchmark reading a company's sales history from a real Odoo 18, both ways the engine can:
batched ``search_read`` of orders, lines and partners, and the columnar
``sale.order.line.ai_read_sales`` (keyset pages of 100,000 lines), with the database's own
``COPY`` of the same join as the ceiling; the columnar read in one stream and with ranges of
line ids read side by side (``--streams``; each read twice, in turns). Prints the figures and
writes bench/reports/extract_speed.md.

    .venv/bin/python bench/extract_speed.py --customers 2000 --order-lines 1000000

It creates and drops its own database. The history is seeded by `seed-odoo` (RPC, the ORM), then
grown to ``--order-lines`` by SQL copies of those ORM-made confirmed orders to other seeded
customers (bench/quote_suggestions.py's fill: every column identical but partner, name, date).
Both reads must give the same frame; the bench fails otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
from pathlib import Path

import pandas as pd
from odoo_bench import report_head, step_table, throwaway_odoo, timed
from quote_suggestions import FILL_SCRIPT, shell

from ai_engine import sales
from ai_engine.demo.seed_odoo import seed_odoo
from ai_engine.sales import sale_transactions

HERE = Path(__file__).resolve().parent

# Runs in `odoo shell`: the ceiling (COPY of the same join to nowhere) and ai_read_sales's own
# time, server side, without JSON-RPC.
CEILING_SCRIPT = r"""
import json, os, time
P = json.loads(%(params)r)
cr = env.cr
JOIN = '''
    SELECT l.id, l.order_id, p.commercial_partner_id, to_char(o.date_order, 'YYYY-MM-DD'),
           l.product_id, COALESCE(l.product_uom_qty, 0)::float8,
           COALESCE(l.price_subtotal, 0)::float8
           / CASE WHEN o.currency_rate > 0 THEN o.currency_rate::float8 ELSE 1.0 END
      FROM sale_order_line l JOIN sale_order o ON o.id = l.order_id
      JOIN res_partner p ON p.id = o.partner_id JOIN res_partner c ON c.id = p.commercial_partner_id
     WHERE l.company_id = %%s AND l.state = 'sale' AND l.display_type IS NULL
       AND c.ai_exclude_profiling IS NOT TRUE ORDER BY l.id'''
out = {}
with open(os.devnull, "w") as sink:
    for _ in range(2):  # the second, warm, counts
        t0 = time.perf_counter()
        cr._obj.copy_expert(cr.mogrify("COPY (" + JOIN + ") TO STDOUT", [P["company"]]).decode(),
                            sink)
        out["copy_s"] = time.perf_counter() - t0
cr.execute("SELECT count(*) FROM (" + JOIN + ") j", [P["company"]])
out["copy_lines"] = cr.fetchone()[0]
bot = env["res.users"].with_context(active_test=False).search([("login", "=", "ai-engine")])
engine = env["sale.order.line"].with_user(bot)
t0, after, n = time.perf_counter(), 0, 0
while after is not None:
    page = engine.ai_read_sales(P["company"], after_id=after, limit=P["page"])
    n += page["data"]["id"].count(",") + 1 if page["data"]["id"] else 0
    after = page["next_after_id"]
out["server_s"], out["server_lines"] = time.perf_counter() - t0, n
t0 = time.perf_counter()
json.dumps(engine.ai_read_sales(P["company"], after_id=0, limit=P["page"]))
out["json_page_s"] = time.perf_counter() - t0
print("RESULT=" + json.dumps(out))
"""


def run(args) -> dict:
    figures: dict = {}
    with throwaway_odoo() as (server, admin, engine):
        counts = timed("seed-odoo", figures, seed_odoo, admin, customers=args.customers,
                       seed=args.seed, years=args.years, tickets=0, progress=lambda _m: None)
        company_id = counts["company_id"]
        customers = admin.call("res.partner", "search", [("ref", "=like", "AICRM-SEED-%"),
                                                         ("is_company", "=", True)])
        # The fill counts whole lines per copied order: aim so that the copies land near
        # the target with the seeded orders' real mean.
        per_order = counts["order_lines"] / max(counts["orders"], 1)
        step = max(1, round(per_order))
        target = counts["order_lines"] + round((args.order_lines - counts["order_lines"])
                                               * step / per_order)
        fill = shell(server, FILL_SCRIPT, {"seed": args.seed, "target": target,
                                           "lines_per_order": step, "customers": customers})
        figures.update(counts, fill=fill)
        print(f"history: {fill['orders']} orders, {fill['lines']} lines "
              f"({fill['copied_orders']} orders copied in {fill['fill_s']:.0f} s)", flush=True)
        load_before = os.getloadavg()[0]
        figures["ceiling"] = shell(server, CEILING_SCRIPT, {"company": company_id,
                                                            "page": args.page})
        columns = None
        for round_ in range(2):
            for streams in args.streams:
                sales.READ_STREAMS = streams
                frame = timed(f"columns {streams} {round_}", figures, sale_transactions, engine,
                              company_id, read="columns")
                if columns is not None:
                    pd.testing.assert_frame_equal(frame, columns)
                columns = frame
        figures["columns"] = {streams: min(figures[f"columns {streams} {n}"] for n in range(2))
                              for streams in args.streams}
        if not args.skip_search_read:
            searched = timed("search_read", figures, sale_transactions, engine, company_id,
                             read="search_read")
            pd.testing.assert_frame_equal(columns, searched, check_exact=False, rtol=1e-12)
        figures["load"] = (load_before, os.getloadavg()[0])
        figures.update(lines=len(columns), peak_rss_mb=resource.getrusage(
            resource.RUSAGE_SELF).ru_maxrss / 1024)
    return figures


def report(f: dict, command: str) -> str:
    c, n = f["ceiling"], f["lines"]
    rows = [
        ("database", f"{f['fill']['lines']:,} order lines in {f['fill']['orders']:,} confirmed "
                     f"orders; {f['order_lines']:,} lines of {f['orders']:,} orders made by "
                     f"`seed-odoo` through the ORM ({f['seed-odoo']:.0f} s), the rest SQL "
                     f"copies of them ({f['fill']['fill_s']:.0f} s)"),
        ("extracted (every way, the same frame: checked)", f"{n:,} transactions"),
        *([("batched `search_read` (orders, lines, partners; 5,000 a call)",
            f"{f['search_read']:.1f} s, **{n / f['search_read']:,.0f} lines/s**")]
          if "search_read" in f else []),
        *((f"`sale.order.line.ai_read_sales`: columns as text, 100,000 lines a call, "
           f"{streams} stream{'s' if streams > 1 else ''} (engine, end to end; the better of "
           "two reads)",
           f"{seconds:.1f} s, **{n / seconds:,.0f} lines/s** (target >= 200,000)")
          for streams, seconds in f["columns"].items()),
        ("the same method in the server, no RPC (`odoo shell`)",
         f"{c['server_s']:.1f} s, {c['server_lines'] / c['server_s']:,.0f} lines/s; "
         f"one page of 100,000 (call + `json.dumps`) {c['json_page_s']:.2f} s"),
        ("ceiling: PostgreSQL `COPY (the same join) TO STDOUT`, warm",
         f"{c['copy_s']:.1f} s, {c['copy_lines'] / c['copy_s']:,.0f} lines/s"),
        ("engine peak RSS", f"{f['peak_rss_mb']:.0f} MB"),
        ("load average (1 min) before the reads / after", f"{f['load'][0]:.1f} / "
                                                          f"{f['load'][1]:.1f} on 2 cores"),
    ]
    return report_head("Sales extraction: search_read vs columns",
                       "Odoo 18.0 Community (the test harness's server, no cron threads), "
                       "PostgreSQL 15 on loopback, one engine process, other jobs sharing the "
                       "cores (load below)", command) + step_table(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=2000)
    parser.add_argument("--years", type=float, default=1.25)
    parser.add_argument("--order-lines", type=int, default=1000000)
    parser.add_argument("--page", type=int, default=100000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--skip-search-read", action="store_true",
                        help="leave out the (slow) batched search_read")
    parser.add_argument("--streams", type=int, nargs="+", default=[1, 2],
                        help="ranges of line ids read side by side, each count measured")
    parser.add_argument("--out", type=Path, default=HERE / "reports" / "extract_speed.md")
    args = parser.parse_args()
    figures = run(args)
    print(json.dumps({k: v for k, v in figures.items() if k != "fill"}, default=str))
    text = report(figures, ".venv/bin/python bench/extract_speed.py --customers "
                           f"{args.customers} --order-lines {args.order_lines}"
                           + (" --skip-search-read" if args.skip_search_read else ""))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
