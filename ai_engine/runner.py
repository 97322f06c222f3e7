"""Orchestrates runs queued in Odoo (``ai.run``): claim → extract → score → load → finish.

The worker never decides what to run: Odoo's queue does (cron or "Run now"), and the claim is
atomic on the server, so several workers can poll the same database safely.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from ai_engine import extract, extract_helpdesk, load
from ai_engine.errors import AiEngineError
from ai_engine.evaluate_reco import suggestion_backtest
from ai_engine.features.baskets import acceptance_by_week
from ai_engine.odoo_client import OdooClient, OdooError
from ai_engine.pipeline import score_customers

_logger = logging.getLogger(__name__)


@dataclass
class RunLog:
    """Timestamped lines kept for the run's log in Odoo, echoed to the engine's own log."""

    lines: list[str] = field(default_factory=list)

    def __call__(self, message: str) -> None:
        _logger.info(message)
        self.lines.append(f"{dt.datetime.now():%Y-%m-%d %H:%M:%S} {message}")

    def text(self) -> str:
        return "\n".join(self.lines)


@dataclass
class RunOutcome:
    run_id: int
    task: str
    company_id: int
    state: str
    partners_scored: int = 0
    metrics: dict = field(default_factory=dict)
    error: str = ""


def run_insights(client: OdooClient, company_id: int, params: dict, log: RunLog,
                 today: dt.date | None = None) -> tuple[int, dict]:
    """Contact insights for one company. Returns (partners written, metrics).

    ``params``: the company's settings that Odoo hands over with the claimed run.
    """
    today = today or dt.date.today()
    started = time.perf_counter()
    tx = extract.sale_transactions(client, company_id)
    log(f"Extracted {len(tx)} order lines of {tx['customer_id'].nunique()} customers "
        f"in {time.perf_counter() - started:.1f}s")
    if tx.empty:
        log("No confirmed sale orders: nothing to score.")
        return 0, {"n_customers": 0, "notes": ["no confirmed sale orders yet"]}
    support = extract_helpdesk.read_support(client, company_id)
    if len(support):
        log(f"Read {len(support)} helpdesk tickets to try as churn features")
    started = time.perf_counter()
    result = score_customers(tx, as_of=today, horizon_days=params.get("horizon_days") or None,
                             min_repeat_customers=params.get("min_repeat_customers") or 50,
                             support=support if len(support) else None)
    log(f"Scored {len(result.scores)} customers in {time.perf_counter() - started:.1f}s "
        f"(horizon {result.horizon_days} days)")
    for note in result.metrics.get("notes", []):
        log(note)
    started = time.perf_counter()
    written = load.apply_insights(client, company_id, result.scores)
    log(f"Wrote {written} partners in {time.perf_counter() - started:.1f}s")
    return written, result.metrics


def run_recommend(client: OdooClient, company_id: int, params: dict, log: RunLog,
                  today: dt.date | None = None) -> tuple[int, dict]:
    """Product suggestions for one company: affinities, per-customer and popular lists."""
    from ai_engine.models.recommender import BasketRecommender

    today = today or dt.date.today()
    tx = extract.sale_transactions(client, company_id)
    tx = tx[tx["product_id"].notna()]
    log(f"Extracted {len(tx)} order lines with a product")
    if tx.empty:
        log("No confirmed order lines with products: nothing to learn.")
        return 0, {"n_customers": 0, "notes": ["no confirmed order lines with products"]}
    products = extract.read_products(client, sorted(tx["product_id"].astype(int).unique()))
    segments = extract.read_segments(client, sorted(tx["customer_id"].astype(int).unique()))
    started = time.perf_counter()
    model = BasketRecommender().fit(tx, as_of=today, products=products, segments=segments)
    log(f"Learned from {tx['order_id'].nunique()} orders in {time.perf_counter() - started:.1f}s")
    blocked = products.loc[~products["offerable"], "product_id"].tolist()
    tables = model.compact_tables(top=20)
    personal = tables["customer_suggestions"]
    personal = personal[~personal["product_id"].astype(int).isin(blocked)]
    popular = model.recommend(customer_ids=["__cold_start__"], top=20, exclude=blocked)
    suggestions = pd.concat([
        personal.assign(partner_id=personal["customer_id"].astype(int)),
        popular.assign(partner_id=0),
    ], ignore_index=True)
    # The popular list has no partner: Odoo wants False there (pandas would turn it into 0).
    partner = suggestions["partner_id"].astype(object)
    suggestions["partner_id"] = partner.where(partner != 0, False)
    suggestions["product_id"] = suggestions["product_id"].astype(int)
    affinities = tables["product_affinities"].astype({"product_id": int,
                                                      "related_product_id": int})
    started = time.perf_counter()
    n_aff = load.replace_grouped(client, "ai.product.affinity", "ai_replace_affinities",
                                 company_id, affinities, "product_id", load.AFFINITY_KEYS)
    n_sug = load.replace_grouped(client, "ai.customer.suggestion", "ai_replace_suggestions",
                                 company_id, suggestions, "partner_id", load.SUGGESTION_KEYS)
    log(f"Wrote {n_aff} affinities and {n_sug} suggestions in "
        f"{time.perf_counter() - started:.1f}s")
    started = time.perf_counter()
    backtest = suggestion_backtest(tx, products, segments)
    if backtest:
        log(f"Back-tested on orders from {backtest['cut']} in "
            f"{time.perf_counter() - started:.1f}s")
    metrics = {"n_customers": int(personal["customer_id"].nunique()),
               "n_products": int(len(products)), "affinities": n_aff, "suggestions": n_sug,
               "suggestion_backtest": backtest,
               "acceptance_by_week": acceptance_by_week(
                   extract.suggestion_events(client, company_id))}
    return metrics["n_customers"], metrics


def run_helpdesk(client: OdooClient, company_id: int, params: dict, log: RunLog,
                 today: dt.date | None = None) -> tuple[int, dict]:
    """Helpdesk ticket insights for the tickets that changed since the last helpdesk run."""
    from ai_engine.helpdesk import ticket_insights
    from ai_engine.text.sentiment import SentimentScorer

    started = time.perf_counter()
    tickets = extract_helpdesk.read_tickets(client, company_id)
    if tickets.empty:
        log("No helpdesk tickets: nothing to analyse.")
        return 0, {"n_tickets": 0}
    messages = extract_helpdesk.read_messages(client, tickets["ticket_id"])
    customers = sorted(tickets["customer_id"].dropna().astype(int).unique())
    standing = extract_helpdesk.read_customer_standing(client, customers)
    log(f"Extracted {len(tickets)} tickets and {len(messages)} messages in "
        f"{time.perf_counter() - started:.1f}s")
    since = pd.Timestamp(params["since"]) if params.get("since") else None
    result = ticket_insights(tickets, messages, standing, SentimentScorer(), since=since,
                             today=pd.Timestamp(today or dt.date.today()))
    log(f"Analysed {result.metrics['n_changed']} new or changed tickets"
        + (f" (since {since})" if since is not None else "")
        + f" at {result.metrics['tickets_per_second']} tickets/s")
    started = time.perf_counter()
    written = load.apply_ticket_insights(client, company_id, result.ticket_rows,
                                         result.customer_rows)
    log(f"Wrote {written} tickets and {len(result.customer_rows)} customers' ticket moods in "
        f"{time.perf_counter() - started:.1f}s")
    return written, result.metrics


TASKS: dict[str, Callable[..., tuple[int, dict]]] = {"insights": run_insights,
                                                      "recommend": run_recommend,
                                                      "helpdesk": run_helpdesk}


def default_worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def process_next(client: OdooClient, worker: str | None = None) -> RunOutcome | None:
    """Claim and execute the oldest queued run; None when the queue is empty."""
    claim = client.call("ai.run", "ai_claim_next", worker or default_worker_name(), list(TASKS))
    if not claim:
        return None
    run_id, task, company_id = claim["id"], claim["task"], claim["company_id"]
    log = RunLog()
    log(f"Run {run_id}: {task} for company {company_id}")
    try:
        written, metrics = TASKS[task](client, company_id, claim.get("params") or {}, log)
    except (AiEngineError, ValueError) as exc:
        return _fail(client, run_id, task, company_id, str(exc), log)
    except Exception as exc:  # a bug: keep the traceback in the run for whoever reads it
        log(traceback.format_exc())
        return _fail(client, run_id, task, company_id, f"Unexpected error: {exc!r}", log)
    client.call("ai.run", "ai_finish", run_id,
                {"partners_scored": written, "metrics": metrics, "log": log.text()})
    return RunOutcome(run_id, task, company_id, "done", written, metrics)


def _fail(client, run_id, task, company_id, error, log) -> RunOutcome:
    log(f"Failed: {error}")
    client.call("ai.run", "ai_fail", run_id, error, log.text())
    return RunOutcome(run_id, task, company_id, "failed", error=error)


def queue_runs(client: OdooClient, task: str = "insights",
               company_ids: list[int] | None = None) -> list[int]:
    """Queue ``task`` for the given companies (default: every company the user may access)."""
    if not company_ids:
        [user] = client.call("res.users", "read", [client.uid], ["company_ids"])
        company_ids = user["company_ids"]
    return [client.call("ai.run", "action_queue", task, company_id, "manual")
            for company_id in company_ids]


def run_pending(client: OdooClient, worker: str | None = None) -> list[RunOutcome]:
    """Process queued runs until the queue is empty (``ai-engine run``)."""
    outcomes = []
    while (outcome := process_next(client, worker)) is not None:
        outcomes.append(outcome)
    return outcomes


def work_forever(client: OdooClient, poll_seconds: float = 30.0, worker: str | None = None,
                 max_idle_polls: int | None = None,
                 sleep: Callable[[float], None] = time.sleep) -> None:
    """``ai-engine worker``: poll the queue; survive Odoo being briefly unreachable."""
    idle = 0
    while max_idle_polls is None or idle < max_idle_polls:
        try:
            outcome = process_next(client, worker)
        except OdooError as exc:
            _logger.warning("Queue poll failed: %s", exc)
            outcome = None
        idle = 0 if outcome else idle + 1
        if not outcome:
            sleep(poll_seconds)
