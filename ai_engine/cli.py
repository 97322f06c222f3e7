"""``ai-engine``: the Typer app. Commands stay thin: they parse options, call the pipeline or the
report, and print. Add commands with ``@app.command()`` and ``@fail_cleanly``."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.console import Console
from rich.table import Table

from ai_engine.errors import AiEngineError, DataError

app = typer.Typer(help="ai_crm sidecar engine: customer insights from sales history.",
                  no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)
console = Console()
err_console = Console(stderr=True)


def fail_cleanly(command):
    """Deliberate engine errors become one red line on stderr and exit code 2 (no traceback)."""
    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except AiEngineError as exc:
            err_console.print(f"[bold red]Error:[/] {exc}", highlight=False, soft_wrap=True)
            raise typer.Exit(code=2) from None
    return wrapper


def _parse_date(value: str | None, option: str) -> pd.Timestamp | None:
    if not value:
        return None
    try:
        return pd.Timestamp(value.strip()).normalize()
    except ValueError:
        raise DataError(f"{option} must be a date like 2024-12-31, not {value!r}.") from None


def _summary_table(result) -> Table:
    m = result.metrics
    table = Table(title=f"Scored {m['n_customers']} customers as of {m['as_of']}",
                  show_header=False)
    table.add_row("Churn horizon", f"{result.horizon_days} days")
    table.add_row("Churn method", m["method"])
    table.add_row("Mean churn probability", f"{m['mean_churn_probability']:.1%}")
    risk = result.scores["churn_risk"].value_counts()
    table.add_row("High / medium / low risk",
                  " / ".join(str(int(risk.get(k, 0))) for k in ("high", "medium", "low")))
    back = m.get("backtest")
    if back:
        table.add_row("Backtest AUC model vs recency",
                      f"{back['model']['auc']:.3f} vs {back['baseline']['auc']:.3f}")
    for note in m.get("notes", []):
        table.add_row("Note", note)
    return table


def _emit(result, as_json: bool, extra: dict | None = None) -> None:
    if as_json:
        typer.echo(json.dumps({**result.metrics, **(extra or {})}, default=str))
    else:
        console.print(_summary_table(result))
        for key, value in (extra or {}).items():
            console.print(f"{key}: {value}", highlight=False)


@app.command()
@fail_cleanly
def score(
    transactions: Annotated[Path, typer.Option("--transactions", "-t",
                                               help="Transactions CSV.")],
    as_of: Annotated[str | None, typer.Option(
        "--as-of", help="Score date YYYY-MM-DD (default: the last date in the file).")] = None,
    horizon_days: Annotated[int | None, typer.Option(
        "--horizon-days", help="Churn horizon (default: from the customers' usual gaps).")] = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="Scores CSV to write.")] = Path(
        "scores.csv"),
    min_repeat_customers: Annotated[int, typer.Option(
        help="Below this many repeat customers, use the transparent rule.")] = 50,
    backtest: Annotated[bool, typer.Option(help="Measure the model on the past (slower).")] = True,
    as_json: Annotated[bool, typer.Option("--json", help="Print the metrics as JSON.")] = False,
):
    """Score customers from a transactions CSV and write the scores CSV."""
    from ai_engine.io import read_transactions, write_scores
    from ai_engine.pipeline import score_customers

    tx = read_transactions(transactions)
    result = score_customers(tx, as_of=_parse_date(as_of, "--as-of"), horizon_days=horizon_days,
                             min_repeat_customers=min_repeat_customers, backtest=backtest)
    path = write_scores(result.scores, out)
    _emit(result, as_json, {"scores": str(path)})


@app.command()
@fail_cleanly
def demo(
    customers: Annotated[int, typer.Option("--customers", min=1,
                                           help="Customers to generate.")] = 2000,
    out_dir: Annotated[Path, typer.Option("--out-dir", help="Output folder.")] = Path(
        "ai-engine-demo"),
    seed: Annotated[int, typer.Option("--seed", help="Random seed of the history.")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="Print the metrics as JSON.")] = False,
):
    """Generate a realistic history, score it at its last date, write CSVs and the HTML report."""
    from ai_engine.datasets.synthetic import generate_history
    from ai_engine.io import write_scores
    from ai_engine.pipeline import score_customers
    from ai_engine.report import write_report

    out_dir.mkdir(parents=True, exist_ok=True)
    with console.status("Generating history…"):
        tx = generate_history(n_customers=customers, seed=seed)
    tx.to_csv(out_dir / "transactions.csv", index=False, date_format="%Y-%m-%d")
    with console.status("Scoring…") as status:
        result = score_customers(tx, as_of=tx["date"].max(),
                                 progress=lambda msg: status.update(f"Scoring: {msg}…"))
    write_scores(result.scores, out_dir / "scores.csv")
    write_scores(result.scores, out_dir / "scores_full.csv", all_columns=True)
    (out_dir / "metrics.json").write_text(json.dumps(result.metrics, indent=2, default=str))
    with console.status("Writing report…"):
        report = write_report(result, tx, out_dir)
    _emit(result, as_json, {"transactions": str(out_dir / "transactions.csv"),
                            "scores": str(out_dir / "scores.csv"), "report": str(report)})
