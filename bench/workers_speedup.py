"""Two workers against one: the nightly runs (contact insights, product suggestions) of several
Odoo databases, processed once by one worker and once by two worker processes that claim runs
from the same queues (``ai.run.ai_claim_next``), on real Odoo 18 servers, one per database.

    .venv/bin/python bench/workers_speedup.py --databases 4 --customers 1500   (~15 minutes)

Each database gets ai_crm, the engine user and ``seed-odoo``'s history; the bench queues both
tasks in every database, lets the worker(s) empty the queues, and times it. A worker visits the
databases in turn and takes the next claimable run of each until every queue is empty: what
several worker services on several machines do, with the claim's row lock deciding who runs
what. Prints the figures and writes bench/reports/workers_speedup.md.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import time
from contextlib import ExitStack
from pathlib import Path

from odoo_bench import new_server, report_head

from ai_engine import dispatch
from ai_engine.demo.seed_odoo import seed_odoo

HERE = Path(__file__).resolve().parent
REPORT = HERE / "reports" / "workers_speedup.md"
TASKS = ("insights", "suggestions")


def work(servers: list[tuple[str, str, str]], name: str, done: list) -> None:
    """One worker: visit every database and run what it can claim until no queue has work.
    A run that waits for another's task is not claimable yet; the loop comes back to it."""
    from ai_engine.odoo_client import OdooClient, OdooSettings

    clients = [OdooClient(OdooSettings(url=url, db=db, login="ai-engine", api_key=key,
                                       timeout=900)).connect() for url, db, key in servers]
    while True:
        ran = False
        for client in clients:
            started = time.perf_counter()
            outcome = dispatch.process_next(client, name)
            if outcome is not None:
                ran = True
                done.append((name, client.settings.db, outcome.task, outcome.state,
                             time.perf_counter() - started))
        if not ran and not any(client.call("ai.run", "search_count",
                                           [("state", "in", ["queued", "running"])])
                               for client in clients):
            return
        if not ran:
            time.sleep(0.5)  # the other worker holds what is left


def queue_all(servers) -> None:
    from ai_engine.odoo_client import OdooClient, OdooSettings

    for url, db, key in servers:
        client = OdooClient(OdooSettings(url=url, db=db, login="ai-engine", api_key=key)).connect()
        company = client.call("res.users", "read", [client.uid], ["company_id"])[0]["company_id"]
        for task in TASKS:
            dispatch.queue_runs(client, task, [company[0]])


def timed_round(servers, workers: int) -> tuple[float, list]:
    queue_all(servers)
    manager = multiprocessing.Manager()
    done = manager.list()
    started = time.perf_counter()
    processes = [multiprocessing.Process(target=work, args=(servers, f"bench-{i}", done))
                 for i in range(workers)]
    for process in processes:
        process.start()
    for process in processes:
        process.join()
    return time.perf_counter() - started, list(done)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--databases", type=int, default=4)
    parser.add_argument("--customers", type=int, default=1500)
    parser.add_argument("--years", type=float, default=1.25)
    args = parser.parse_args()
    with ExitStack() as stack:
        servers = []
        for i in range(args.databases):
            server = new_server()
            stack.callback(server.stop)
            server.install()
            server.start()
            admin = server.client("admin", "admin", 1800)
            counts = seed_odoo(admin, customers=args.customers, seed=i, years=args.years,
                               tickets=0, progress=lambda _m: None)
            print(f"{server.db}: {counts['orders']} orders, {counts['order_lines']} lines",
                  flush=True)
            servers.append((server.url, server.db, server.api_key))
        one, runs_one = timed_round(servers, 1)
        print(f"one worker: {one:.1f} s", flush=True)
        two, runs_two = timed_round(servers, 2)
        print(f"two workers: {two:.1f} s, speed-up {one / two:.2f}×", flush=True)
    write_report(args, one, two, runs_one, runs_two)


def write_report(args, one: float, two: float, runs_one: list, runs_two: list) -> None:
    load = os.getloadavg()
    lines = [report_head(
        "Two workers against one",
        f"{args.databases} Odoo 18 databases (one server process each, threaded) with "
        f"{args.customers:,} seeded customers each ({args.years} years of history), PostgreSQL "
        f"and the servers on the same machine; load average at the end {load[0]:.2f} / "
        f"{load[1]:.2f} / {load[2]:.2f}",
        f".venv/bin/python bench/workers_speedup.py --databases {args.databases} "
        f"--customers {args.customers}"),
        "| workers | runs | all queues empty after | speed-up |", "| ---: | ---: | ---: | ---: |",
        f"| 1 | {len(runs_one)} | {one:.1f} s | 1.00× |",
        f"| 2 | {len(runs_two)} | {two:.1f} s | {one / two:.2f}× |", "",
        "Runs of the two-worker round (worker, database, task, state, seconds):", "",
        "| worker | database | task | state | seconds |", "| --- | --- | --- | --- | ---: |",
        *(f"| {w} | {db} | {task} | {state} | {sec:.1f} |"
          for w, db, task, state, sec in runs_two), ""]
    REPORT.write_text("\n".join(lines))
    print(f"wrote {REPORT}")


if __name__ == "__main__":
    main()
