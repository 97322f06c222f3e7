"""Benchmark the quotation's suggestions on a real Odoo 18 at scale, side by side with the OCA
module ``sale_order_product_recommendation``. Prints the figures and writes
bench/reports/quote_suggestions.md.

    .venv/bin/python bench/quote_suggestions.py --products 20000 --customers 100000 \
        --order-lines 1000000

It creates and drops its own database. Products, customers and the first order history are
created through RPC (batched ``create``, as the seed command does); the engine's stored results
are written by the engine user through the real bulk methods (``ai_write`` of
``ai.product.affinity`` and ``ai.customer.suggestion``, staged in a run and published).
Creating orders through the ORM runs at a few thousand lines a
second here, so the ORM part of the history is capped by time (``--orm-seconds``) and the rest up
to ``--order-lines`` is filled by copying those ORM-made orders in SQL to other customers (same
columns, new partner and date). The timings run inside ``odoo shell`` (server side, no RPC).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

import pandas as pd  # noqa: E402
from odoo_bench import new_server, odoo_deps  # noqa: E402

from ai_engine.demo.seed_odoo import QUIET  # noqa: E402
from ai_engine.odoo_client import OdooClient  # noqa: E402
from ai_engine.odoo_rows import columns, write_rows  # noqa: E402
from ai_engine.suggestions import load  # noqa: E402

OCA_MODULE = "sale_order_product_recommendation"
OCA_REQUIREMENT = "odoo-addon-sale_order_product_recommendation==18.0.*"
CATEGORIES = ["Hardware", "Software", "Office", "Cleaning", "Food", "Tools", "Garden", "Safety"]
SOURCES = ["history", "affinity", "segment", "category"]


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def create_batched(client: OdooClient, model: str, vals_list: list[dict], batch: int) -> list:
    ids: list[int] = []
    for start in range(0, len(vals_list), batch):
        created = client.call(model, "create", vals_list[start:start + batch], context=QUIET)
        ids.extend(created if isinstance(created, list) else [created])
    return ids


def fetch_oca(notes: list[str]) -> str | None:
    """Download the OCA wheel and unpack it into an addons directory of our own, the way the
    test command provides helpdesk_mgmt (scripts/odoo_deps.py says why not ``pip install``)."""
    target = Path(tempfile.mkdtemp(prefix="oca_reco_"))
    try:
        wheel = odoo_deps.unpack(OCA_REQUIREMENT, OCA_MODULE, target)
    except odoo_deps.DownloadError as exc:
        notes.append(str(exc).strip()[-500:])
        return None
    notes.append(f"OCA module from {wheel}, unpacked into its own addons path")
    return str(target)


def seed(server, args, rnd: random.Random, figures: dict) -> dict:
    admin = server.client("admin", "admin", timeout=3600)
    engine = server.client("ai-engine", server.api_key, timeout=3600)
    [user] = admin.call("res.users", "read", [admin.uid], ["company_id"])
    company_id = user["company_id"][0]

    started = time.perf_counter()
    categ_ids = create_batched(admin, "product.category", [{"name": c} for c in CATEGORIES], 100)
    product_vals = [{
        "name": f"Bench product {n:05d}", "default_code": f"BP{n:05d}", "type": "consu",
        "categ_id": categ_ids[n % len(categ_ids)], "list_price": round(rnd.uniform(2, 500), 2),
    } for n in range(args.products)]
    product_ids = create_batched(admin, "product.product", product_vals, 1000)
    figures["products_s"] = time.perf_counter() - started
    log(f"{len(product_ids)} products in {figures['products_s']:.0f} s")

    started = time.perf_counter()
    partner_vals = [{"name": f"Bench customer {n:06d}", "is_company": True, "customer_rank": 1,
                     "ref": f"BC{n:06d}"} for n in range(args.customers)]
    customer_ids = create_batched(admin, "res.partner", partner_vals, 2000)
    figures["customers_s"] = time.perf_counter() - started
    log(f"{len(customer_ids)} customers in {figures['customers_s']:.0f} s")

    started = time.perf_counter()
    affinities = pd.DataFrame([
        {"product_id": pid, "related_product_id": rel, "rank": rank,
         "score": round(1.0 / rank, 4), "customers_both": 50 - rank,
         "confidence": round(0.6 / rank, 4), "lift": 3.0}
        for pid in product_ids
        for rank, rel in enumerate(rnd.sample(product_ids, args.neighbours + 1), start=1)
        if rel != pid and rank <= args.neighbours])
    # Written the way the engine writes them: staged in a suggestions run, then published.
    run_id = engine.call("ai.run", "action_queue", "suggestions", company_id, "manual")
    engine.call("ai.run", "ai_claim_next", "bench", ["suggestions"])
    written = write_rows(engine, "ai.product.affinity", run_id,
                         columns(affinities, load.AFFINITY_KEYS))["written"]
    figures["affinities"] = written
    figures["affinities_s"] = time.perf_counter() - started
    log(f"{written} affinities in {figures['affinities_s']:.0f} s")

    started = time.perf_counter()
    popular = [{"partner_id": False, "product_id": pid, "rank": rank, "score": 1.0 / rank,
                "reason": {"code": "top_seller"}, "source": "popular"}
               for rank, pid in enumerate(rnd.sample(product_ids, 60), start=1)]
    personal = [{"partner_id": cid, "product_id": pid, "rank": rank,
                 "score": round(1.0 / rank, 4),
                 "reason": {"code": "reorder_cycle", "cycle": 30, "days": 27},
                 "source": SOURCES[rank % len(SOURCES)]}
                for cid in customer_ids
                for rank, pid in enumerate(rnd.sample(product_ids, args.per_customer), start=1)]
    written = write_rows(engine, "ai.customer.suggestion", run_id, popular + personal)["written"]
    engine.call("ai.run", "ai_finish", run_id, {"partners_scored": len(customer_ids)})
    figures["suggestions"] = written
    figures["suggestions_s"] = time.perf_counter() - started
    log(f"{written} stored suggestions in {figures['suggestions_s']:.0f} s")

    # Order history through the ORM: confirmed orders of LINES_PER_ORDER delivered lines in the
    # last 150 days (inside the OCA wizard's default 6-month window), capped by time.
    started = time.perf_counter()
    orm_orders = orm_lines = 0
    now = dt.datetime.now()
    while (orm_lines < args.order_lines
           and time.perf_counter() - started < args.orm_seconds):
        vals = []
        for _ in range(100):
            qty = [rnd.randint(1, 5) for _ in range(args.lines_per_order)]
            vals.append({
                "partner_id": rnd.choice(customer_ids), "company_id": company_id,
                "date_order": (now - dt.timedelta(days=rnd.uniform(1, 150))).strftime(
                    "%Y-%m-%d %H:%M:%S"),
                "order_line": [(0, 0, {"product_id": pid, "product_uom_qty": q,
                                       "qty_delivered": q})
                               for pid, q in zip(rnd.sample(product_ids, len(qty)), qty,
                                                 strict=True)],
            })
        ids = admin.call("sale.order", "create", vals, context=QUIET)
        admin.call("sale.order", "write", ids, {"state": "sale"}, context=QUIET)
        orm_orders += len(ids)
        orm_lines += len(ids) * args.lines_per_order
    figures["orm_s"] = time.perf_counter() - started
    figures.update(orm_orders=orm_orders, orm_lines=orm_lines)
    log(f"ORM history: {orm_orders} orders, {orm_lines} lines in {figures['orm_s']:.0f} s "
        f"({orm_lines / figures['orm_s']:.0f} lines/s)")
    return {"company_id": company_id, "product_ids": product_ids, "customer_ids": customer_ids}


# Runs in `odoo shell`: copy the ORM-made confirmed orders (all columns but the partner, name
# and date) to random other customers until the order lines reach the target; an order's lines
# get ids in its order's sequence, as the ORM gives them.
FILL_SCRIPT = r"""
import json, random, time
from odoo.tools import SQL
P = json.loads(%(params)r)
rnd = random.Random(P["seed"])
cr = env.cr
started = time.perf_counter()
cr.execute("SELECT id FROM sale_order WHERE state = 'sale' ORDER BY id")
sources = [r[0] for r in cr.fetchall()]
cr.execute("SELECT count(*) FROM sale_order_line")
have = cr.fetchone()[0]
copies = max(0, (P["target"] - have) // P["lines_per_order"])
if copies and sources:
    cr.execute("SELECT nextval('sale_order_id_seq') FROM generate_series(1, %%s)", [copies])
    new_ids = [r[0] for r in cr.fetchall()]
    cr.execute("CREATE TEMP TABLE bench_copy (new_id int, src_id int, partner_id int, shift int)")
    cr.execute(
        "INSERT INTO bench_copy SELECT * FROM unnest(%%s::int[], %%s::int[], %%s::int[], "
        "%%s::int[])",
        [new_ids, [sources[n %% len(sources)] for n in range(copies)],
         [rnd.choice(P["customers"]) for _ in range(copies)],
         [rnd.randint(-20, 20) for _ in range(copies)]])
    def columns(table, skip):
        cr.execute("SELECT column_name FROM information_schema.columns WHERE table_name = %%s "
                   "AND table_schema = current_schema()", [table])
        return [r[0] for r in cr.fetchall() if r[0] not in skip]
    so = columns("sale_order", {"id", "name", "partner_id", "partner_invoice_id",
                                "partner_shipping_id", "date_order"})
    cr.execute(SQL(
        "INSERT INTO sale_order (id, name, partner_id, partner_invoice_id, partner_shipping_id, "
        "date_order, %%s) SELECT m.new_id, 'SQ' || m.new_id, m.partner_id, m.partner_id, "
        "m.partner_id, LEAST(o.date_order + make_interval(days => m.shift), "
        "now() AT TIME ZONE 'UTC'), %%s "
        "FROM bench_copy m JOIN sale_order o ON o.id = m.src_id",
        SQL(", ").join(SQL.identifier(c) for c in so),
        SQL(", ").join(SQL.identifier("o", c) for c in so)))
    sol = columns("sale_order_line", {"id", "order_id", "order_partner_id"})
    cr.execute(SQL(
        "INSERT INTO sale_order_line (order_id, order_partner_id, %%s) "
        "SELECT m.new_id, m.partner_id, %%s FROM bench_copy m "
        "JOIN sale_order_line l ON l.order_id = m.src_id ORDER BY m.new_id, l.id",
        SQL(", ").join(SQL.identifier(c) for c in sol),
        SQL(", ").join(SQL.identifier("l", c) for c in sol)))
    cr.commit()
cr.execute("ANALYZE")
cr.commit()  # odoo shell rolls back on exit, and the statistics ANALYZE writes with it
cr.execute("SELECT count(*) FROM sale_order_line")
lines = cr.fetchone()[0]
cr.execute("SELECT count(*) FROM sale_order WHERE state = 'sale'")
orders = cr.fetchone()[0]
print("RESULT=" + json.dumps({"copied_orders": copies, "lines": lines, "orders": orders,
                              "fill_s": time.perf_counter() - started}))
"""


# Runs in `odoo shell` as the admin user: create the quotes, then time each refresh with a
# cold ORM cache (as a new request has) — ai_crm's compute, then the OCA wizard's generation.
MEASURE_SCRIPT = r"""
import json, random, time
from odoo import Command
P = json.loads(%(params)r)
rnd = random.Random(P["seed"])
uenv = env(user=env.ref("base.user_admin").id, context=dict(env.context, **P["quiet"]))
customers = rnd.sample(P["customers"], P["quotes"] + P["warmup"])
orders = []
for cid in customers:
    products = rnd.sample(P["products"], rnd.randint(1, 3))
    orders.append(uenv["sale.order"].create({
        "partner_id": cid,
        "order_line": [Command.create({"product_id": p}) for p in products],
    }).id)
env.cr.commit()
cr = env.cr
cr.execute("SELECT m.order_partner_id, count(*) FROM sale_order_line m "
           "JOIN sale_order o ON o.id = m.order_id WHERE o.state = 'sale' "
           "AND m.order_partner_id = ANY(%%s) GROUP BY 1", [customers[P["warmup"]:]])
history = dict(cr.fetchall())

def timed(run):
    out = []
    for n, oid in enumerate(orders):
        uenv.invalidate_all()
        order = uenv["sale.order"].browse(oid)
        q0 = cr.sql_log_count
        t0 = time.perf_counter()
        shown = run(order)
        ms = (time.perf_counter() - t0) * 1000
        if n >= P["warmup"]:
            out.append([ms, cr.sql_log_count - q0, shown])
    return out

import odoo.sql_db as sql_db
def traced(run):
    # One extra, untimed refresh of the last quote with every statement and its time.
    trace, original = [], sql_db.Cursor.execute
    def execute(self, query, params=None, log_exceptions=True):
        t0 = time.perf_counter()
        try:
            return original(self, query, params, log_exceptions)
        finally:
            text = " ".join(str(getattr(query, "code", query)).split())
            trace.append([round((time.perf_counter() - t0) * 1000, 2), text[:150],
                          text, getattr(query, "params", params)])
    uenv.invalidate_all()
    sql_db.Cursor.execute = execute
    try:
        run(uenv["sale.order"].browse(orders[-1]))
    finally:
        sql_db.Cursor.execute = original
    # The plan of the slowest SELECT, executed again.
    slowest = max((t for t in trace if t[2].startswith("SELECT")), key=lambda t: t[0])
    cr.execute("EXPLAIN (ANALYZE, BUFFERS) " + slowest[2], slowest[3])
    plan = [slowest[2]] + [r[0] for r in cr.fetchall()]
    return {"statements": [t[:2] for t in trace], "plan": plan}

def profiled(run):
    # Another untimed refresh of the last quote under cProfile: where the Python time goes.
    import cProfile, io, pstats
    uenv.invalidate_all()
    profile = cProfile.Profile()
    profile.enable()
    run(uenv["sale.order"].browse(orders[-1]))
    profile.disable()
    text = io.StringIO()
    pstats.Stats(profile, stream=text).sort_stats("cumulative").print_stats(25)
    return text.getvalue()

def ai_refresh(order):
    order.invalidate_recordset(["ai_suggestions"])
    return len(order.ai_suggestions)

def timed_lines_cached():
    # Same, but the quote's lines are already in the cache, as in a form request that also
    # reads them: the core one2many read of the lines is then not counted.
    out = []
    for n, oid in enumerate(orders):
        uenv.invalidate_all()
        order = uenv["sale.order"].browse(oid)
        order.order_line.product_id.ids
        q0 = cr.sql_log_count
        t0 = time.perf_counter()
        shown = ai_refresh(order)
        ms = (time.perf_counter() - t0) * 1000
        if n >= P["warmup"]:
            out.append([ms, cr.sql_log_count - q0, shown])
    return out

result = {"ai": timed(ai_refresh), "ai_trace": traced(ai_refresh),
          "ai_profile": profiled(ai_refresh), "ai_cached": timed_lines_cached(),
          "history": [history.get(c, 0) for c in customers[P["warmup"]:]]}
if P["oca"]:
    def oca_generate(order):
        wizard = uenv["sale.order.recommendation"].with_context(
            active_id=order.id, active_model="sale.order").create({})
        wizard.generate_recommendations()
        uenv.flush_all()
        return len(wizard.line_ids) - len(order.order_line)
    result["oca"] = timed(oca_generate)
    result["oca_trace"] = traced(oca_generate)
    cr.rollback()
print("RESULT=" + json.dumps(result))
"""


def shell(server, script: str, params: dict) -> dict:
    out = server.odoo("shell", "--no-http", "--log-level=warn",
                      stdin=script % {"params": json.dumps(params)})
    return json.loads(next(line[7:] for line in out.splitlines() if line.startswith("RESULT=")))


def summary(samples: list) -> dict:
    ms = sorted(s[0] for s in samples)
    queries = [s[1] for s in samples]
    return {
        "n": len(ms), "p50": statistics.median(ms),
        "p95": ms[min(len(ms) - 1, round(0.95 * len(ms)) - 1)], "max": ms[-1],
        "q_median": statistics.median(queries), "q_max": max(queries),
        "shown": statistics.mean(s[2] for s in samples),
    }


def run(args) -> dict:
    rnd = random.Random(args.seed)
    figures: dict = {"notes": [], "load_before": os.getloadavg()}
    server = new_server()
    oca_path = None if args.no_oca else fetch_oca(figures["notes"])
    if oca_path:
        server.addons_path += "," + oca_path
    try:
        started = time.perf_counter()
        server.install()
        figures["install_s"] = time.perf_counter() - started
        figures["oca"] = False
        if oca_path:
            try:
                server.odoo("-i", OCA_MODULE, "--without-demo=all", "--stop-after-init",
                            "--no-http", "--log-level=warn")
                figures["oca"] = True
            except RuntimeError as exc:
                figures["notes"].append(f"installing {OCA_MODULE} failed: {str(exc)[-800:]}")
        log(f"installed (OCA module: {figures['oca']})")
        server.start()
        ids = seed(server, args, rnd, figures)
        fill = shell(server, FILL_SCRIPT, {
            "seed": args.seed, "target": args.order_lines,
            "lines_per_order": args.lines_per_order, "customers": ids["customer_ids"],
        })
        figures.update(fill)
        log(f"history: {fill['orders']} confirmed orders, {fill['lines']} order lines "
            f"({fill['copied_orders']} orders copied in SQL in {fill['fill_s']:.0f} s)")
        figures["load_measure"] = os.getloadavg()
        result = shell(server, MEASURE_SCRIPT, {
            "seed": args.seed + 1, "quotes": args.quotes, "warmup": 5, "oca": figures["oca"],
            "customers": ids["customer_ids"], "products": ids["product_ids"], "quiet": QUIET,
        })
        figures["load_after"] = os.getloadavg()
        figures["ai"] = summary(result["ai"])
        figures["ai_profile"] = result["ai_profile"]
        figures["ai_cached"] = summary(result["ai_cached"])
        figures["traces"] = {k: result[k] for k in ("ai_trace", "oca_trace") if k in result}
        if "oca" in result:
            figures["oca_sum"] = summary(result["oca"])
        hist = result["history"]
        figures["history"] = {"mean": statistics.mean(hist), "max": max(hist),
                              "with": sum(1 for h in hist if h)}
    finally:
        server.stop()
    return figures


def report(f: dict, args, command: str) -> str:
    def row(name, s):
        return (f"| {name} | {s['n']} | {s['p50']:.1f} | **{s['p95']:.1f}** | {s['max']:.1f} | "
                f"{s['q_median']:.0f} (max {s['q_max']}) | {s['shown']:.1f} |")
    rows = [row("ai_crm `sale.order.ai_suggestions` (stored results), cold cache", f["ai"]),
            row("ai_crm, same, the quote's lines already in the cache", f["ai_cached"])]
    if "oca_sum" in f:
        rows.append(row(f"OCA `{OCA_MODULE}` wizard: create + generate_recommendations",
                        f["oca_sum"]))
    else:
        rows.append(f"| OCA `{OCA_MODULE}` | not measured | | | | | |")
    h = f["history"]
    lines = [
        "# Quote suggestions: server-side refresh time at scale",
        "",
        f"Measured {dt.date.today()} on {platform.machine()} ({os.cpu_count()} cores), Odoo 18.0 "
        "Community, PostgreSQL on loopback. Load average (1/5/15 min) before: "
        f"{'/'.join(f'{x:.1f}' for x in f['load_before'])}, at measurement: "
        f"{'/'.join(f'{x:.1f}' for x in f['load_measure'])}, after: "
        f"{'/'.join(f'{x:.1f}' for x in f['load_after'])} (another benchmark may share the "
        "machine).",
        "",
        f"Command: `{command}`",
        "",
        "## Database",
        "",
        f"- {args.products:,} products in {len(CATEGORIES)} categories "
        f"({f['products_s']:.0f} s by RPC), {args.customers:,} customer companies "
        f"({f['customers_s']:.0f} s).",
        f"- Stored engine results written by the engine user through the real bulk methods: "
        f"{f['affinities']:,} affinities (`ai.product.affinity.ai_write`, "
        f"{f['affinities_s']:.0f} s) and "
        f"{f['suggestions']:,} customer suggestions incl. the popular list "
        f"(`ai.customer.suggestion.ai_write` + publish, {f['suggestions_s']:.0f} s).",
        f"- Order history: **{f['lines']:,} order lines** in {f['orders']:,} confirmed orders. "
        f"{f['orm_lines']:,} lines ({f['orm_orders']:,} orders of {args.lines_per_order} lines) "
        f"were created through the ORM by RPC in {f['orm_s']:.0f} s "
        f"({f['orm_lines'] / f['orm_s']:,.0f} lines/s, capped by `--orm-seconds`); the other "
        f"{f['copied_orders']:,} orders are SQL copies of those ORM orders (every column "
        f"identical except partner, name and date, {f['fill_s']:.0f} s), because the ORM rate "
        "cannot reach 1M lines in a session. All lines are delivered and dated in the last "
        "~150 days, so they are inside the OCA wizard's 6-month window.",
        f"- The {f['ai']['n']} measured customers have {h['mean']:.1f} history lines on average "
        f"(max {h['max']}); {h['with']} of them have any.",
        "",
        "ai_crm's compute does not read order history at all: it reads the quote's own lines, "
        "the stored `ai_product_affinity` rows of those products and the stored "
        "`ai_customer_suggestion` rows of the customer and of the popular list (index scans on "
        "`(company_id, product_id|partner_id, rank)`), then one product search. The history size "
        "therefore matters only for the OCA module, which aggregates the customer's order lines "
        "of the last months on every generation.",
        "",
        "## Result",
        "",
        f"{args.quotes} draft quotes of random customers with 1-3 random product lines, created "
        "in `odoo shell` as the admin user. Each refresh starts with a cold ORM cache "
        "(`env.invalidate_all()`, as a new request) and is timed with `time.perf_counter()`; "
        "queries are counted with `cr.sql_log_count`. 5 warm-up quotes are not counted.",
        "",
        "| what | quotes | p50 ms | p95 ms | max ms | SQL queries per refresh (median) | "
        "products suggested (mean) |",
        "| --- | --- | --- | --- | --- | --- | --- |",
        *rows,
        "",
        "Target: <= 30 ms server-side p95 per quote refresh. The OCA row includes creating the "
        "wizard, its recommendation lines (with pricelist prices) and flushing them, which is "
        "what its button does; its list also repeats the quote's own lines, which are not "
        "counted in the last column.",
    ]
    for key, title in (("ai_trace", "ai_crm"), ("oca_trace", "OCA")):
        if key in f["traces"]:
            trace = f["traces"][key]["statements"]
            lines += ["", f"### SQL of one {title} refresh (untimed extra run, last quote): "
                      f"{len(trace)} statements, {sum(t[0] for t in trace):.1f} ms in SQL", "",
                      "| ms | statement (first 150 characters) |", "| --- | --- |",
                      *[f"| {ms:.2f} | `{text}` |" for ms, text in trace],
                      "", "Plan of its slowest SELECT, run again with `EXPLAIN (ANALYZE, "
                      "BUFFERS)`:", "", "```", *f["traces"][key]["plan"], "```"]
    lines += ["", "### cProfile of one ai_crm refresh (untimed extra run, cumulative, top 25)",
              "", "```", *[ln.rstrip() for ln in f["ai_profile"].strip().splitlines()], "```"]
    if f["notes"]:
        lines += ["", "## Notes", "", *[f"- {n}" for n in f["notes"]]]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=20000)
    parser.add_argument("--customers", type=int, default=100000)
    parser.add_argument("--order-lines", type=int, default=1000000)
    parser.add_argument("--orm-seconds", type=float, default=240)
    parser.add_argument("--lines-per-order", type=int, default=10)
    parser.add_argument("--neighbours", type=int, default=20)
    parser.add_argument("--per-customer", type=int, default=20)
    parser.add_argument("--quotes", type=int, default=300)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-oca", action="store_true")
    parser.add_argument("--out", type=Path, default=HERE / "reports" / "quote_suggestions.md")
    args = parser.parse_args()
    command = ".venv/bin/python bench/quote_suggestions.py " + " ".join(sys.argv[1:])
    figures = run(args)
    text = report(figures, args, command.strip())
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
