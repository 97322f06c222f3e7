"""Benchmark a nightly refresh of every task against a real Odoo 18 at growing size: per task
the extract, learn + score and write-back seconds, the records written per second and the
engine's peak memory, at 20,000, 50,000 and 100,000 customers. Prints the figures and writes
bench/reports/odoo_scale.md.

    .venv/bin/python bench/odoo_scale.py --customers 20000 50000 100000

For each size it creates and drops its own database: ``seed-odoo`` makes a small history through
the ORM (``--orm-customers``), then SQL copies of those ORM-made records grow it to the size
asked (customers, products, about ten order lines per customer, a ticket per two customers):
copies of companies, of product templates and their variant, of confirmed orders to random
customers with the lines' products spread over the copies of the same product
(bench/quote_suggestions.py's fill), of tickets. The copies make the volume real; what the
models learn from them is not a meaningful history, so no quality figure is reported here.
Each task runs as a worker runs it (claimed, extracted, learned, written, published), in a
process of its own so that its peak memory is its own.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

from odoo_bench import report_head, throwaway_odoo, timed, write_report
from quote_suggestions import FILL_SCRIPT, shell

from ai_engine import dispatch
from ai_engine.demo.seed_odoo import seed_odoo
from ai_engine.odoo_client import OdooClient, OdooSettings

HERE = Path(__file__).resolve().parent
TASKS = ["insights", "suggestions", "helpdesk", "retention"]

# Runs in `odoo shell` before each script below: copies of rows in SQL.
COPY_ROWS = r"""
import json, random, time
from odoo.tools import SQL
P = json.loads(%(params)r)
rnd = random.Random(P["seed"])
cr = env.cr
started = time.perf_counter()

def table_columns(table, skip):
    cr.execute("SELECT column_name FROM information_schema.columns WHERE table_name = %%s "
               "AND table_schema = current_schema()", [table])
    return [r[0] for r in cr.fetchall() if r[0] not in skip]

# n copies of rows of table, cycling through sources, listed in bench_map (new_id, src_id,
# k: the copy's number, pick: one of picks at random); overrides: column -> SQL over s (the
# source row) and m (its bench_map row).
def copy_rows(table, sources, n, overrides, picks=(0,)):
    cr.execute(SQL("SELECT nextval(%%s) FROM generate_series(1, %%s)", f"{table}_id_seq", n))
    new_ids = [r[0] for r in cr.fetchall()]
    cr.execute("DROP TABLE IF EXISTS bench_map")
    cr.execute("CREATE TABLE bench_map (new_id int, src_id int, k int, pick int)")
    cr.execute("INSERT INTO bench_map SELECT * FROM unnest(%%s::int[], %%s::int[], %%s::int[], "
               "%%s::int[])", [new_ids, [sources[i %% len(sources)] for i in range(n)],
                              [i // len(sources) + 1 for i in range(n)],
                              [rnd.choice(picks) for _ in range(n)]])
    kept = table_columns(table, {"id", *overrides})
    cr.execute(SQL("INSERT INTO %%s (id, %%s) SELECT m.new_id, %%s FROM bench_map m "
                   "JOIN %%s s ON s.id = m.src_id",
                   SQL.identifier(table),
                   SQL(", ").join(SQL.identifier(c) for c in [*overrides, *kept]),
                   SQL(", ").join([*(SQL(code) for code in overrides.values()),
                                   *(SQL.identifier("s", c) for c in kept)]),
                   SQL.identifier(table)))
"""

# Companies, products and tickets copied to the sizes asked (orders are FILL_SCRIPT's).
GROW_SCRIPT = COPY_ROWS + r"""
out = {}
# Companies, each its own commercial partner.
SEEDED = "SELECT id FROM res_partner WHERE ref LIKE 'AICRM-SEED-%%' AND is_company ORDER BY id"
cr.execute(SEEDED)
companies = [r[0] for r in cr.fetchall()]
copy_rows("res_partner", companies, P["customers"] - len(companies), {
    "name": "s.name || ' ' || m.k", "complete_name": "s.complete_name || ' ' || m.k",
    "ref": "s.ref || '-' || m.k", "commercial_partner_id": "m.new_id"})
cr.execute(SEEDED)
out["customer_ids"] = [r[0] for r in cr.fetchall()]

# Products: each saleable template copied with its variant; bench_spread maps a source
# product and a copy number to the copy (0: the source itself), for the lines' spread.
cr.execute("SELECT product_tmpl_id FROM product_product p JOIN product_template t "
           "ON t.id = p.product_tmpl_id WHERE t.sale_ok ORDER BY 1")
templates = [r[0] for r in cr.fetchall()]
out["per_source"] = per_source = max(1, P["products"] // len(templates))
copy_rows("product_template", templates, len(templates) * (per_source - 1), {
    "name": "jsonb_build_object('en_US', (s.name->>'en_US') || ' ' || m.k)"})
variant = table_columns("product_product", {"id", "product_tmpl_id"})
cr.execute(SQL("INSERT INTO product_product (product_tmpl_id, %%s) SELECT m.new_id, %%s "
               "FROM bench_map m JOIN product_product s ON s.product_tmpl_id = m.src_id",
               SQL(", ").join(SQL.identifier(c) for c in variant),
               SQL(", ").join(SQL.identifier("s", c) for c in variant)))
cr.execute("CREATE TABLE bench_spread AS "
           "SELECT id AS src, 0 AS k, id AS product FROM product_product "
           "WHERE product_tmpl_id = ANY(%%s) UNION ALL "
           "SELECT sp.id, m.k, np.id FROM bench_map m "
           "JOIN product_product sp ON sp.product_tmpl_id = m.src_id "
           "JOIN product_product np ON np.product_tmpl_id = m.new_id", [templates])
out["products"] = len(templates) * per_source

# Tickets: copies of the ORM-made ones, each for a customer picked at random.
cr.execute("SELECT id FROM helpdesk_ticket ORDER BY id")
tickets = [r[0] for r in cr.fetchall()]
if tickets and P["tickets"] > len(tickets):
    copy_rows("helpdesk_ticket", tickets, P["tickets"] - len(tickets), {
        "number": "'HT' || m.new_id", "partner_id": "m.pick",
        "commercial_partner_id": "m.pick"}, picks=out["customer_ids"])
cr.execute("SELECT count(*) FROM helpdesk_ticket")
out["tickets"] = cr.fetchone()[0]
cr.execute("SELECT COALESCE(max(id), 0) FROM sale_order")
out["last_orm_order"] = cr.fetchone()[0]
cr.commit()
out["grow_s"] = time.perf_counter() - started
print("RESULT=" + json.dumps(out))
"""

# After FILL_SCRIPT: each copied order's lines take a copy of their product (by line id).
SPREAD_SCRIPT = r"""
import json, time
P = json.loads(%(params)r)
cr = env.cr
started = time.perf_counter()
cr.execute("UPDATE sale_order_line l SET product_id = s.product FROM bench_spread s "
           "WHERE l.order_id > %%s AND s.src = l.product_id AND s.k = l.id %%%% %%s",
           [P["last_orm_order"], P["per_source"]])
cr.execute("DROP TABLE bench_spread")
cr.execute("DROP TABLE bench_map")
# A history, not today's edits: nothing of it was written in the last day (as on a real
# database at night, where only the day's orders are recent).
cr.execute("UPDATE sale_order SET write_date = LEAST(write_date, "
           "now() AT TIME ZONE 'UTC' - interval '1 day')")
cr.commit()
cr.execute("ANALYZE")
cr.commit()
cr.execute("SELECT count(DISTINCT product_id) FROM sale_order_line")
print("RESULT=" + json.dumps({"spread_s": time.perf_counter() - started,
                              "products_sold": cr.fetchone()[0]}))
"""

# 1 % of the customers change: each gets a new confirmed order today (a copy of one of the
# company's orders, lines included) and half as many new tickets arrive.
CHANGE_SCRIPT = COPY_ROWS + r"""
cr.execute("SELECT id FROM res_partner WHERE ref LIKE 'AICRM-SEED-%%%%' AND is_company "
           "ORDER BY random() LIMIT %%s", [P["customers"]])
customers = [r[0] for r in cr.fetchall()]
cr.execute("SELECT id FROM sale_order WHERE state = 'sale' ORDER BY random() LIMIT %%s",
           [len(customers)])
now = "now() AT TIME ZONE 'UTC'"
copy_rows("sale_order", [r[0] for r in cr.fetchall()], len(customers), {
    "name": "'SC' || m.new_id", "partner_id": "m.pick", "partner_invoice_id": "m.pick",
    "partner_shipping_id": "m.pick", "date_order": now, "create_date": now, "write_date": now},
    picks=customers)
line = table_columns("sale_order_line", {"id", "order_id", "order_partner_id", "create_date",
                                         "write_date"})
cr.execute(SQL("INSERT INTO sale_order_line (order_id, order_partner_id, create_date, "
               "write_date, %%s) SELECT m.new_id, m.pick, now() AT TIME ZONE 'UTC', "
               "now() AT TIME ZONE 'UTC', %%s FROM bench_map m "
               "JOIN sale_order_line l ON l.order_id = m.src_id",
               SQL(", ").join(SQL.identifier(c) for c in line),
               SQL(", ").join(SQL.identifier("l", c) for c in line)))
cr.execute("SELECT id FROM helpdesk_ticket ORDER BY random() LIMIT %%s", [P["tickets"]])
copy_rows("helpdesk_ticket", [r[0] for r in cr.fetchall()], P["tickets"], {
    "number": "'HC' || m.new_id", "partner_id": "m.pick", "commercial_partner_id": "m.pick",
    "create_date": now, "write_date": now, "ai_scored_at": "NULL"}, picks=customers)
cr.execute("DROP TABLE bench_map")
cr.commit()
print("RESULT=" + json.dumps({"customers": len(customers), "tickets": P["tickets"]}))
"""


def measured_task(url: str, db: str, api_key: str, task: str, company_id: int,
                  scope: str = "full") -> dict:
    """One run of ``task`` as a worker does it, in this (fresh) process: seconds per stage,
    what it wrote, its peak memory."""
    client = OdooClient(OdooSettings(url=url, db=db, login="ai-engine", api_key=api_key,
                                     timeout=3600)).connect()
    client.call("ai.run", "action_queue", task, company_id, "manual", scope)
    claim = client.call("ai.run", "ai_claim_next", "bench", [task], f"bench-{task}-{scope}")
    feature, log, f = dispatch.TASKS[task], dispatch.RunLog(), {"task": task, "scope": scope}
    params = claim.get("params") or {}
    started = time.perf_counter()
    inputs = timed("extract", f, feature.extract.read, client, company_id, params, log)
    result = timed("learn + score", f, feature.job.run, inputs, params, dt.date.today(), log)
    written = timed("write-back", f, feature.load.write, client, claim["id"], result, log)
    timed("publish", f, client.call, "ai.run", "ai_finish", claim["id"],
          {"partners_scored": written, "metrics": result.metrics, "log": log.text()})
    f.update(total=time.perf_counter() - started, written=written,
             records=records_written(task, written, result.metrics), log=log.text(),
             peak_rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return f


def records_written(task: str, written: int, metrics: dict) -> int:
    """Rows the task wrote to Odoo (the suggestions task counts customers, not its rows)."""
    if task == "suggestions":
        return metrics.get("suggestions", 0) + metrics.get("affinities", 0)
    return written


def run_size(args, customers: int) -> dict:
    figures: dict = {"customers": customers}
    # The models a full insights run keeps for runs of changes: this bench's own directory,
    # which the task processes inherit.
    os.environ["AI_ENGINE_STATE_DIR"] = tempfile.mkdtemp(prefix="ai_engine_state_")
    with throwaway_odoo() as (server, admin, _engine):
        counts = timed("seed-odoo", figures, seed_odoo, admin, customers=args.orm_customers,
                       seed=args.seed, years=args.years, tickets=args.orm_customers // 2,
                       progress=lambda _m: None)
        company_id = counts["company_id"]
        grown = shell(server, GROW_SCRIPT, {"seed": args.seed, "customers": customers,
                                            "products": args.products,
                                            "tickets": customers // 2})
        per_order = counts["order_lines"] / max(counts["orders"], 1)
        step = max(1, round(per_order))
        target = round(customers * args.lines_per_customer * step / per_order)
        fill = shell(server, FILL_SCRIPT, {"seed": args.seed, "target": target,
                                           "lines_per_order": step,
                                           "customers": grown.pop("customer_ids")})
        spread = shell(server, SPREAD_SCRIPT, {"last_orm_order": grown["last_orm_order"],
                                               "per_source": grown["per_source"]})
        figures.update(grown=grown, fill=fill, spread=spread, load_before=os.getloadavg()[0])
        print(f"{customers} customers: {fill['lines']} lines, {grown['tickets']} tickets, "
              f"{spread['products_sold']} products sold", flush=True)
        time.sleep(1.1)  # the helpdesk run looks at what changed since a second-precise time
        def measured(task, scope="full"):
            with ProcessPoolExecutor(1, mp_context=get_context("spawn")) as pool:
                done = pool.submit(measured_task, server.url, server.db, server.api_key, task,
                                   company_id, scope).result()
            print(json.dumps({k: v for k, v in done.items() if k != "log"}), flush=True)
            return done

        figures["tasks"] = [measured(task) for task in TASKS]
        figures["load_after"] = os.getloadavg()[0]
        # The next night, as a worker that keeps its state directory runs it: the sales
        # history it read is brought up to date, not read again; the suggestions task uses
        # the week's back-test again; insights learn again as every night; the helpdesk
        # learns the desk again, as it does once a day (its models are 24 hours old by then,
        # so the worker drops them: here they are removed), and analyses what changed.
        # Nights after it (``--nights``) show the steady state: from the third night on, the
        # suggestions' staged rows fill the room the rows retired the night before left.
        figures["next_nights"] = []
        for _night in range(args.nights - 1):
            for kept in Path(os.environ["AI_ENGINE_STATE_DIR"]).glob("*/helpdesk-company-*"):
                kept.unlink()
            figures["next_nights"].append([measured(task) for task in TASKS])
        figures["changed"] = shell(server, CHANGE_SCRIPT, {
            "seed": args.seed + 1, "customers": customers // 100, "tickets": customers // 200})
        time.sleep(1.1)
        figures["changes"] = [measured("insights", "changes"), measured("helpdesk")]
    return figures


def task_row(head: str, t: dict) -> str:
    rate = t["records"] / t["write-back"] if t["write-back"] else 0
    return (f"| {head} | {t['task']} | {t['extract']:.1f} | {t['learn + score']:.1f} | "
            f"{t['write-back']:.1f} ({t['records']:,} at {rate:,.0f}/s) | "
            f"{t['publish']:.1f} | {t['total']:.1f} | {t['peak_rss_mb']:,.0f} |\n")


def next_night_rows(size: dict) -> str:
    """Each night after the first: its tasks and their total."""
    text = ""
    for number, tasks in enumerate(size["next_nights"], start=2):
        name = "the next night" if number == 2 else f"night {number}"
        text += f"| | | | | *{name}* | | | | | | |\n"
        for t in tasks:
            text += task_row(" | | |", t)
        night = sum(t["total"] for t in tasks)
        text += (f"| | | | | **all tasks, {name}** | | | | | **{night:.0f} s "
                 f"({night / 60:.1f} min)** | |\n")
    return text


def report(sizes: list[dict], command: str) -> str:
    text = report_head(
        "A nightly refresh of every task against a real Odoo, by size",
        "Odoo 18.0 Community with OCA helpdesk_mgmt (the test harness's server: one process, no "
        "cron threads), PostgreSQL 15 on loopback, each task in an engine process of its own",
        command)
    text += ("| customers | order lines | products sold | tickets | task | extract s | "
             "learn + score s | write-back s (records/s) | publish s | task s | "
             "peak memory MB |\n| ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | "
             "---: | ---: |\n")
    for size in sizes:
        head = (f"{size['customers']:,} | {size['fill']['lines']:,} | "
                f"{size['spread']['products_sold']:,} | {size['grown']['tickets']:,}")
        for t in size["tasks"]:
            text += task_row(head, t)
            head = " | | |"
        total = sum(t["total"] for t in size["tasks"])
        peak = max(t["peak_rss_mb"] for t in size["tasks"])
        text += (f"| | | | | **all tasks** | | | | | **{total:.0f} s ({total / 60:.1f} min)** | "
                 f"**{peak:,.0f}** |\n")
        text += next_night_rows(size)
    text += ("\n## After 1 % of the customers changed\n\nEach of about 1 % of the customers "
             "gets a new confirmed order today, and half as many new tickets arrive; then the "
             "hourly runs: contact insights of the changed customers (with the models the full "
             "run above kept) and the helpdesk run (new or changed tickets).\n\n"
             "| customers | task | extract s | learn + score s | write-back s | publish s | "
             "task s | written |\n| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |\n")
    for size in sizes:
        for t in size["changes"]:
            what = ("contact insights, changed customers" if t["scope"] == "changes"
                    else "helpdesk, new or changed tickets")
            text += (f"| {size['customers']:,} | {what} | {t['extract']:.1f} "
                     f"| {t['learn + score']:.1f} | {t['write-back']:.1f} | {t['publish']:.1f} "
                     f"| {t['total']:.1f} | {t['written']:,} |\n")
        total = sum(t["total"] for t in size["changes"])
        text += (f"| {size['customers']:,} | **both** | | | | | **{total:.1f} s** (target <= 15) "
                 "| |\n")
    text += "\nLoad average (1 min) before the tasks / after, per size: " + ", ".join(
        f"{s['customers']:,}: {s['load_before']:.1f} / {s['load_after']:.1f}" for s in sizes)
    text += ("\n\nThe history at each size: `seed-odoo` (ORM) made "
             + ", ".join(f"{s['seed-odoo']:.0f} s" for s in sizes)
             + " of it; SQL copies the rest. Run logs of the largest size:\n\n")
    for t in [*sizes[-1]["tasks"], *(t for night in sizes[-1]["next_nights"] for t in night),
              *sizes[-1]["changes"]]:
        text += f"```\n{t['log'].strip()}\n```\n\n"
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, nargs="+", default=[20000, 50000, 100000])
    parser.add_argument("--orm-customers", type=int, default=1000)
    parser.add_argument("--products", type=int, default=20000)
    parser.add_argument("--lines-per-customer", type=float, default=10.0)
    parser.add_argument("--years", type=float, default=1.25)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--nights", type=int, default=2,
                        help="nights of every task (the first, then regular ones), at least 1")
    parser.add_argument("--out", type=Path, default=HERE / "reports" / "odoo_scale.md")
    args = parser.parse_args()
    if args.nights < 1:
        parser.error("--nights: at least 1")
    sizes = [run_size(args, customers) for customers in args.customers]
    command = (".venv/bin/python bench/odoo_scale.py --customers "
               + " ".join(map(str, args.customers))
               + (f" --nights {args.nights}" if args.nights != 2 else ""))
    text = report(sizes, command)
    write_report(args.out, text)


if __name__ == "__main__":
    main()
