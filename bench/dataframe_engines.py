"""Which DataFrame engine for the engine's hot path: the per-customer summary of a company's
order lines (orders per customer, spend, first and last order, orders in the last 90 days, mean
gap), the same computation in pandas (NumPy dtypes, as the engine runs it), pandas with Arrow
dtypes, Polars and DuckDB, on the engine generator's history. Prints the figures and writes
bench/reports/dataframe_engines.md.

    .venv/bin/python bench/dataframe_engines.py --customers 100000

Each engine runs in a process of its own (its peak memory is its own), three times; the best
time counts, and every engine's answer must equal pandas' (the bench fails otherwise). Needs
the bench extra (``pip install -e 'ai_engine[bench]'``: pyarrow, polars, duckdb).
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

import numpy as np
import pandas as pd
from odoo_bench import write_report

from ai_engine.datasets.synthetic import generate_history

HERE = Path(__file__).resolve().parent
COLUMNS = ["frequency", "monetary", "first", "last", "orders_90d", "mean_gap_days"]


def summary_pandas(tx: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    orders = tx.groupby(["customer_id", "order_id"], sort=False).agg(
        date=("date", "max"), net=("amount", "sum")).reset_index()
    bought = orders[orders["net"] > 0]
    per = bought.groupby("customer_id")
    out = pd.DataFrame({"frequency": per.size(), "first": per["date"].min(),
                        "last": per["date"].max(),
                        "orders_90d": (bought["date"] > as_of - pd.Timedelta(days=90))
                        .groupby(bought["customer_id"]).sum()})
    out["monetary"] = tx.groupby("customer_id")["amount"].sum().reindex(out.index)
    # The mean of the gaps between consecutive orders telescopes to (last - first) / (n - 1).
    out["mean_gap_days"] = ((out["last"] - out["first"]).dt.days
                            / (out["frequency"] - 1).where(out["frequency"] > 1))
    return out[COLUMNS].sort_index()


def summary_arrow(tx: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    """pandas on Arrow-backed columns (``dtype_backend="pyarrow"``), the same code."""
    return summary_pandas(tx.convert_dtypes(dtype_backend="pyarrow"), as_of)


def summary_polars(tx: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    import polars as pl

    frame = pl.from_pandas(tx)
    orders = frame.group_by("customer_id", "order_id").agg(
        pl.col("date").max(), pl.col("amount").sum().alias("net"))
    bought = orders.filter(pl.col("net") > 0)
    out = bought.group_by("customer_id").agg(
        pl.len().alias("frequency"), pl.col("date").min().alias("first"),
        pl.col("date").max().alias("last"),
        (pl.col("date") > as_of - pd.Timedelta(days=90)).sum().alias("orders_90d"),
    ).join(frame.group_by("customer_id").agg(pl.col("amount").sum().alias("monetary")),
           on="customer_id", how="left").with_columns(
        mean_gap_days=pl.when(pl.col("frequency") > 1).then(
            (pl.col("last") - pl.col("first")).dt.total_days() / (pl.col("frequency") - 1)))
    return out.to_pandas().set_index("customer_id")[COLUMNS].sort_index()


def summary_duckdb(tx: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    import duckdb

    con = duckdb.connect()
    con.register("tx", tx)
    out = con.execute("""
        WITH orders AS (SELECT customer_id, order_id, max(date) AS date, sum(amount) AS net
                          FROM tx GROUP BY ALL),
             bought AS (SELECT customer_id, count(*) AS frequency, min(date) AS first,
                               max(date) AS last,
                               count(*) FILTER (WHERE date > ?::TIMESTAMP - INTERVAL 90 DAY)
                                   AS orders_90d
                          FROM orders WHERE net > 0 GROUP BY ALL),
             spend AS (SELECT customer_id, sum(amount) AS monetary FROM tx GROUP BY ALL)
        SELECT b.*, s.monetary,
               CASE WHEN frequency > 1 THEN date_diff('day', first, last) / (frequency - 1)
               END AS mean_gap_days
          FROM bought b LEFT JOIN spend s USING (customer_id)""", [as_of.to_pydatetime()]).df()
    return out.set_index("customer_id")[COLUMNS].sort_index()


ENGINES = {"pandas (NumPy dtypes, as the engine runs)": summary_pandas,
           "pandas, Arrow dtypes": summary_arrow, "Polars": summary_polars,
           "DuckDB": summary_duckdb}


def measure(name: str, customers: int, seed: int) -> dict:
    """In a fresh process: the history, then the engine three times; the best time, the
    process's peak memory above the history's, and the answer to compare."""
    tx = generate_history(n_customers=customers, seed=seed)[
        ["customer_id", "order_id", "date", "amount"]]
    as_of = tx["date"].max().normalize()
    # Linux: "5" resets the peak (VmHWM) to the current size, so the generator's own peak
    # does not count.
    Path("/proc/self/clear_refs").write_text("5")
    base = _status_mb("VmRSS")
    times = []
    for _ in range(3):
        started = time.perf_counter()
        out = ENGINES[name](tx, as_of)
        times.append(time.perf_counter() - started)
    return {"name": name, "lines": len(tx), "best_s": min(times),
            "peak_over_history_mb": max(0.0, _status_mb("VmHWM") - base), "answer": out}


def _status_mb(key: str) -> float:
    line = next(line for line in Path("/proc/self/status").read_text().splitlines()
                if line.startswith(key + ":"))
    return int(line.split()[1]) / 1024


def same_answer(ours: pd.DataFrame, reference: pd.DataFrame) -> bool:
    ours = ours.copy()
    for column in ("first", "last"):
        ours[column] = pd.to_datetime(ours[column]).astype("datetime64[ns]")
    numbers = ["frequency", "monetary", "orders_90d", "mean_gap_days"]
    return (ours.index.astype(str).equals(reference.index.astype(str))
            and np.allclose(ours[numbers].astype(float), reference[numbers].astype(float),
                            equal_nan=True)
            and (ours[["first", "last"]].to_numpy() == reference[["first", "last"]]
                 .astype("datetime64[ns]").to_numpy()).all())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=HERE / "reports" / "dataframe_engines.md")
    args = parser.parse_args()
    load = os.getloadavg()[0]
    results = []
    for name in ENGINES:
        with ProcessPoolExecutor(1, mp_context=get_context("spawn")) as pool:
            results.append(pool.submit(measure, name, args.customers, args.seed).result())
        print(name, f"{results[-1]['best_s']:.2f} s", flush=True)
    reference = results[0]["answer"]
    for result in results:
        if not same_answer(result["answer"], reference):
            raise SystemExit(f"{result['name']} answered differently from pandas")
    text = (f"# DataFrame engines for the per-customer summary\n\nMeasured on {platform.machine()} "
            f"(2 cores, 24 GB); load average (1 min) at the start {load:.1f}.\n\nCommand: "
            f"`.venv/bin/python bench/dataframe_engines.py --customers {args.customers}`\n\n"
            f"The engine generator's history of {args.customers:,} customers "
            f"({results[0]['lines']:,} order lines); every engine's answer equals pandas' "
            "(checked).\n\n| engine | best of 3 | against pandas | peak memory above the "
            "history |\n| --- | ---: | ---: | ---: |\n")
    for result in results:
        text += (f"| {result['name']} | {result['best_s']:.2f} s | "
                 f"{reference_time(results) / result['best_s']:.1f}× | "
                 f"{result['peak_over_history_mb']:,.0f} MB |\n")
    write_report(args.out, text)


def reference_time(results: list[dict]) -> float:
    return results[0]["best_s"]


if __name__ == "__main__":
    main()
