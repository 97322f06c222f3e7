"""Load test: salespeople refreshing their quotations' suggestions at the same time against a
multi-worker Odoo 18 (``--workers``). Server-side time per refresh comes from Odoo's own request
log (SQL time + the rest, as Odoo measures it), beside the time each user waited. Prints the
figures and writes bench/reports/quote_load.md.

    .venv/bin/python bench/quote_load.py --users 20 --workers 4

It creates and drops its own database: ``seed-odoo`` customers and orders, a real suggestions
run of the engine (the stored lists the quotation reads), one salesperson user per simulated
user with quotations of their own. Each user logs in with a session of its own and refreshes
one of its quotations ``--refreshes`` times (a ``web_read`` of the Suggested Products field,
as the form does after a line changes), pausing between refreshes for a random think time
(mean ``--think`` seconds; 0: back to back, a saturation test). Bounded: users × refreshes
requests per scenario, nothing else.

Each load is run twice: refreshing the suggestions, then reading only the quotation's name
the same way (same users, same pace). The second is Odoo's floor at that load, what any
``web_read`` costs there (session, routing, access, JSON); no feature can answer faster, so
the suggestions' own cost is the difference.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import random
import re
import statistics
import subprocess
import threading
import time
import urllib.request
from pathlib import Path

from odoo_bench import report_head, step_table, throwaway_odoo, timed, write_report
from odoo_server import _free_port

from ai_engine import dispatch
from ai_engine.demo.seed_odoo import QUIET, seed_odoo

HERE = Path(__file__).resolve().parent
PASSWORD = "bench-salesperson"
# What each scenario reads of a quotation: the suggestions, or only its name (Odoo's floor).
# The call's URL names the read (Odoo ignores what follows call_kw/), so the log tells them apart.
READS = {"suggestions": {"ai_suggestions": {}}, "name": {"name": {}}}


READ_LABELS = {"suggestions": "suggestions", "name": "the name only"}


def request_line(read: str) -> re.Pattern:
    """Odoo's request log line: "POST /web/dataset/call_kw/sale.order/web_read/suggestions
    HTTP/1.1" 200 - 17 0.006 0.014 (queries, SQL seconds, the rest of the request's seconds)."""
    return re.compile(rf'"POST /web/dataset/call_kw/sale\.order/web_read/{read} HTTP/1\.1" '
                      r'200 - (\d+) ([\d.]+) ([\d.]+)')


def prepare(admin, engine, args) -> dict[str, list[int]]:
    """Customers and orders, a suggestions run, the salespeople and their quotations."""
    counts = seed_odoo(admin, customers=args.customers, seed=args.seed, years=1.25, tickets=0,
                       progress=lambda _m: None)
    dispatch.queue_runs(engine, "suggestions", [counts["company_id"]])
    outcome = dispatch.process_next(engine, "bench")
    assert outcome and outcome.state == "done", outcome
    rnd = random.Random(args.seed)
    customers = admin.call("res.partner", "search", [("ref", "=like", "AICRM-SEED-%"),
                                                     ("is_company", "=", True)])
    products = admin.call("product.product", "search", [("sale_ok", "=", True)])
    [group] = admin.call("ir.model.data", "search_read", [("module", "=", "sales_team"),
                                                          ("name", "=", "group_sale_salesman")],
                         ["res_id"])
    group = group["res_id"]
    quotes: dict[str, list[int]] = {}
    for n in range(args.users):
        login = f"bench-sales-{n}"
        uid = admin.call("res.users", "create", {
            "name": f"Salesperson {n}", "login": login, "password": PASSWORD,
            "groups_id": [(6, 0, [group])]}, context=QUIET)
        quotes[login] = [admin.call("sale.order", "create", {
            "partner_id": rnd.choice(customers), "user_id": uid,
            "order_line": [(0, 0, {"product_id": p})
                           for p in rnd.sample(products, rnd.randint(1, 3))]},
            context=QUIET) for _ in range(args.quotes_per_user)]
    return quotes


def start_workers(server, workers: int, logfile: Path) -> subprocess.Popen:
    """The same database served by a prefork Odoo (``--workers``) that logs every request."""
    process = subprocess.Popen(
        [server.python, "-m", "odoo", "server", *server.db_args(), "--http-port",
         str(server.port), "--gevent-port", str(_free_port()), "--http-interface", "127.0.0.1",
         "--db-filter", f"^{server.db}$", "--workers", str(workers), "--max-cron-threads", "0",
         "--log-level=info", "--logfile", str(logfile)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{server.url}/web/health", timeout=2)
            return process
        except OSError:
            time.sleep(0.5)
    process.terminate()
    raise RuntimeError("the multi-worker Odoo did not start within 120 s")


class Salesperson(threading.Thread):
    """One user: logs in, then refreshes its quotations' suggestions, pausing between."""

    def __init__(self, url: str, db: str, login: str, quotes: list[int], args, seed: int):
        super().__init__()
        self.url, self.db, self.login, self.quotes, self.args = url, db, login, quotes, args
        self.rnd = random.Random(seed)
        self.waits: list[float] = []
        self.shown: list[int] = []
        self.errors: list[str] = []
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def post(self, path: str, params: dict):
        body = json.dumps({"jsonrpc": "2.0", "method": "call", "params": params}).encode()
        request = urllib.request.Request(self.url + path, body,
                                         {"Content-Type": "application/json"})
        with self.opener.open(request, timeout=60) as response:
            answer = json.load(response)
        if "error" in answer:
            raise RuntimeError(answer["error"]["data"]["message"])
        return answer["result"]

    def run(self) -> None:
        self.post("/web/session/authenticate",
                  {"db": self.db, "login": self.login, "password": PASSWORD})
        for _ in range(self.args.refreshes):
            if self.args.think:
                time.sleep(self.rnd.uniform(0, 2 * self.args.think))
            started = time.perf_counter()
            try:
                [record] = self.post(f"/web/dataset/call_kw/sale.order/web_read/{self.args.read}",
                                     {"model": "sale.order", "method": "web_read",
                                      "args": [[self.rnd.choice(self.quotes)]],
                                      "kwargs": {"specification": READS[self.args.read]}})
                if self.args.read == "suggestions":
                    self.shown.append(len(record["ai_suggestions"] or []))
            except Exception as exc:  # counted and reported: a load test must not stop at one
                self.errors.append(repr(exc))
            self.waits.append(time.perf_counter() - started)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


def scenario(server, quotes: dict, args, think: float, logfile: Path,
             read: str = "suggestions") -> dict:
    """Every user at once; the server-side times of this scenario's requests from the log."""
    before = logfile.stat().st_size if logfile.exists() else 0
    run_args = argparse.Namespace(**{**vars(args), "think": think, "read": read})
    users = [Salesperson(server.url, server.db, login, ids, run_args, n)
             for n, (login, ids) in enumerate(quotes.items())]
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    for user in users:
        user.start()
    for user in users:
        user.join()
    elapsed = time.perf_counter() - started
    time.sleep(1)  # the workers' last log lines
    with logfile.open() as log:
        log.seek(before)
        server_ms = [(float(sql) + float(rest)) * 1000
                     for _q, sql, rest in request_line(read).findall(log.read())]
    waits = [w * 1000 for user in users for w in user.waits]
    shown = [n for user in users for n in user.shown]
    return {
        "think": think, "read": read, "requests": len(waits), "elapsed": elapsed,
        "errors": [e for user in users for e in user.errors],
        "server": {"n": len(server_ms), "p50": statistics.median(server_ms),
                   "p95": percentile(server_ms, 0.95), "max": max(server_ms)},
        "client": {"p50": statistics.median(waits), "p95": percentile(waits, 0.95),
                   "max": max(waits)},
        "shown": statistics.mean(shown) if shown else 0,
        "load": (load_before, os.getloadavg()[0]),
    }


def run(args) -> dict:
    figures: dict = {}
    logfile = Path(f"/tmp/ai_crm_quote_load_{os.getpid()}.log")
    with throwaway_odoo() as (server, admin, engine):
        quotes = timed("prepare", figures, prepare, admin, engine, args)
        server.halt()  # the same database, now served by several worker processes
        process = start_workers(server, args.workers, logfile)
        try:
            scenario(server, quotes, argparse.Namespace(**{**vars(args), "refreshes": 2}), 0,
                     logfile)  # warm-up: each worker loads the registry once
            figures["scenarios"] = [scenario(server, quotes, args, think, logfile, read)
                                    for think in args.thinks for read in READS]
        finally:
            process.terminate()
            process.wait(timeout=60)
            logfile.unlink(missing_ok=True)
    return figures


def report(f: dict, args) -> str:
    rows = [("database", f"{args.customers:,} customers seeded, a suggestions run of the engine, "
                         f"{args.users} salespeople with {args.quotes_per_user} quotations each "
                         f"({f['prepare']:.0f} s)"),
            ("server", f"`odoo server --workers {args.workers} --max-cron-threads 0`")]
    for s in f["scenarios"]:
        pace = (f"think time {s['think']:.1f} s on average" if s["think"]
                else "back to back (saturation)")
        what = (f"{s['shown']:.1f} suggestions shown on average" if s["read"] == "suggestions"
                else "only the quotation's name read: Odoo's floor at this load")
        target = " (target <= 30)" if s["read"] == "suggestions" else ""
        rows += [
            (f"**{args.users} users, {pace}, {READ_LABELS[s['read']]}**",
             f"{s['requests']} refreshes in {s['elapsed']:.1f} s "
             f"({s['requests'] / s['elapsed']:.1f}/s), {len(s['errors'])} errors, {what}"),
            ("server-side per request (Odoo's request log: SQL + the rest)",
             f"p50 {s['server']['p50']:.1f} ms, **p95 {s['server']['p95']:.1f} ms**{target}, "
             f"max {s['server']['max']:.1f} ms, {s['server']['n']} requests"),
            ("what the user waited (round trip on loopback)",
             f"p50 {s['client']['p50']:.1f} ms, p95 {s['client']['p95']:.1f} ms, "
             f"max {s['client']['max']:.1f} ms"),
            ("load average (1 min) before / after", f"{s['load'][0]:.1f} / {s['load'][1]:.1f} "
                                                     "on 2 cores"),
        ]
    return report_head("Quotation suggestions under concurrent users",
                       f"Odoo 18.0 Community with {args.workers} HTTP workers, PostgreSQL 15 on "
                       "loopback, the load script on the same machine",
                       f".venv/bin/python bench/quote_load.py --users {args.users} "
                       f"--workers {args.workers}") + step_table(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--customers", type=int, default=1000)
    parser.add_argument("--quotes-per-user", type=int, default=5)
    parser.add_argument("--refreshes", type=int, default=50)
    parser.add_argument("--thinks", type=float, nargs="+", default=[1.0, 0.0],
                        help="mean think times to run, in seconds (0: back to back)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=HERE / "reports" / "quote_load.md")
    args = parser.parse_args()
    figures = run(args)
    text = report(figures, args)
    write_report(args.out, text)


if __name__ == "__main__":
    main()
