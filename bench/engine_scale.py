"""How the engine's two nightly tasks grow with the company: time and peak memory of an insights
run and a product suggestions run (each the job's own ``run``, back-test included, no Odoo) at
20,000, 50,000 and 100,000 customers of the engine's generator (about 11 order lines per
customer, 15 months), beside an earlier release measured in the same run on the same data.

    .venv/bin/python bench/engine_scale.py --against f774105   (about 25 minutes on 2 cores)

Each task runs in a fresh process that loads the history and runs the job; its peak memory is
the process's high-water mark (VmHWM), history included. The earlier release runs from a
temporary git worktree of ``--against``. Prints the table and writes
bench/reports/engine_scale.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import pickle
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
REPORT = HERE / "reports" / "engine_scale.md"
SIZES = (20_000, 50_000, 100_000)
TODAY = "2025-01-01"

# Runs in the child: load the history, run one task's job, print seconds and peak memory.
CHILD = """
import json, pickle, sys, time
import pandas as pd
task, path, today = sys.argv[1], sys.argv[2], pd.Timestamp(sys.argv[3])
tx, products = pickle.load(open(path, "rb"))
started = time.perf_counter()
if task == "insights":
    from ai_engine.insights import job
    result = job.run(job.Inputs(tx), {}, today, lambda message: None)
    customers = len(result.scores)
else:
    from ai_engine.suggestions import job
    events = pd.DataFrame(columns=["shown_at", "action", "source"])
    result = job.run(job.Inputs(tx, products.assign(offerable=True), None, events), {},
                     today, lambda message: None)
    customers = result.metrics["n_customers"]
seconds = time.perf_counter() - started
status = dict(line.split(":", 1) for line in open("/proc/self/status"))
print(json.dumps({"seconds": seconds, "peak_gb": int(status["VmHWM"].split()[0]) / 1e6,
                  "customers": customers}))
"""


def history(customers: int, folder: Path, products: int | None = None) -> tuple[Path, int]:
    from ai_engine.datasets.synthetic import generate_history
    from ai_engine.datasets.synthetic_catalogue import generate_products

    tx, catalogue = generate_history(customers, start="2023-10-01", end="2024-12-31",
                                     seed=0), generate_products(0)
    if products:
        tx, catalogue = spread_catalogue(tx, catalogue, products)
    path = folder / f"history-{customers}.pkl"
    with path.open("wb") as out:
        pickle.dump((tx, catalogue), out)
    return path, len(tx)


def spread_catalogue(tx, catalogue, products: int, seed: int = 0):
    """The catalogue copied to about ``products`` products, each line's product replaced by a
    random copy of itself: what bench/odoo_scale.py's SQL copies make of the same history
    (the generator alone has 140 products)."""
    import numpy as np

    per = max(1, products // len(catalogue))
    position = catalogue.reset_index(drop=True).reset_index().set_index("product_id")["index"]
    copy = np.random.default_rng(seed).integers(0, per, len(tx))
    tx = tx.assign(product_id=(tx["product_id"].map(position) * per + copy).astype("int64"))
    copies = catalogue.loc[catalogue.index.repeat(per)].reset_index(drop=True)
    return tx, copies.assign(product_id=np.arange(len(copies), dtype="int64"))


def measure(code_root: Path, task: str, path: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": str(code_root), "OMP_NUM_THREADS": "1"}
    done = subprocess.run([sys.executable, "-c", CHILD, task, str(path), TODAY], env=env,
                          capture_output=True, text=True, cwd=code_root)
    if done.returncode != 0:
        raise SystemExit(f"{task} at {path.name} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def worktree(ref: str, folder: Path) -> Path:
    target = folder / "earlier"
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(target), ref],
                   check=True, capture_output=True)
    return target


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--against", help="git ref of the earlier release to measure beside")
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--products", type=int, help="spread the 140-product catalogue over "
                        "about this many copies, as the Odoo bench does (default: as generated)")
    parser.add_argument("--out", type=lambda p: Path(p).resolve(), default=REPORT)
    args = parser.parse_args()
    head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                          capture_output=True, text=True).stdout.strip()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        earlier = worktree(args.against, folder) if args.against else None
        try:
            for customers in args.sizes:
                path, lines = history(customers, folder, args.products)
                for task in ("insights", "suggestions"):
                    row = {"customers": customers, "lines": lines, "task": task,
                           "now": measure(ROOT, task, path),
                           "earlier": measure(earlier, task, path) if earlier else None}
                    print(json.dumps(row), flush=True)
                    rows.append(row)
        finally:
            if earlier:
                subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force",
                                str(earlier)], capture_output=True)
    write_report(rows, head, args.against, args.products, args.out)


def write_report(rows: list[dict], head: str, against: str | None, products: int | None,
                 out: Path) -> None:
    load = os.getloadavg()
    earlier = f"`{against}`" if against else "—"
    lines = [
        "# Engine at scale (no Odoo)", "",
        f"Measured {dt.date.today()} on {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, OMP_NUM_THREADS=1; load average at the end "
        f"{load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f} (1 / 5 / 15 min). This release: "
        f"`{head}`; earlier release: {earlier}, same data, same run.", "",
        "Command: `.venv/bin/python bench/engine_scale.py"
        + (f" --against {against}" if against else "")
        + (f" --products {products} --out {out.relative_to(ROOT)}" if products else "")
        + "`", "",
        *([f"Catalogue: the generator's 140 products copied to about {products:,}, each order "
           "line's product a random copy of itself (what bench/odoo_scale.py's SQL copies make "
           "of a history).", ""] if products else []),
        "Each cell: the job's `run` (back-test included), seconds, and the process's peak "
        "memory with the history loaded; target at 100,000 customers: at most 2 GB.", "",
        "| customers | order lines | task | time | peak memory | earlier: time | earlier: peak "
        "| memory ratio |",
        "| ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        now, old = row["now"], row["earlier"]
        cells = [f"{row['customers']:,}", f"{row['lines']:,}", row["task"],
                 f"{now['seconds']:.0f} s", f"{now['peak_gb']:.2f} GB"]
        if old:
            cells += [f"{old['seconds']:.0f} s", f"{old['peak_gb']:.2f} GB",
                      f"{now['peak_gb'] / old['peak_gb']:.2f}×"]
        else:
            cells += ["—", "—", "—"]
        lines.append("| " + " | ".join(cells) + " |")
    out.write_text("\n".join(lines) + "\n")
    print(f"wrote {out.relative_to(ROOT)} in {time.process_time():.0f}s of CPU")


if __name__ == "__main__":
    main()
