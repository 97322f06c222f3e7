"""Odoo → frames for an insights run: the company's sales history, and its helpdesk tickets for
the churn model to try as features."""

from __future__ import annotations

import datetime as dt
import time

import pandas as pd

from ai_engine.insights.job import Inputs
from ai_engine.insights.state import load as load_state
from ai_engine.model_cache import cache_path
from ai_engine.odoo_client import OdooClient
from ai_engine.odoo_rows import m2o_id, selection_values
from ai_engine.sales import changed_customers_transactions
from ai_engine.shared_sales import company_transactions


def read_support(client: OdooClient, company_id: int, batch_size: int = 5000) -> pd.DataFrame:
    """One row per ticket with a customer: ``customer_id, date, sentiment`` (the stored score of
    the last helpdesk run, NaN before one) — the churn model's support features."""
    rows = [
        (m2o_id(rec["commercial_partner_id"]), rec["create_date"],
         rec["ai_sentiment_score"] if rec["ai_scored_at"] else float("nan"))
        for page in client.search_read_batched(
            "helpdesk.ticket", [("company_id", "in", [company_id, False]),
                                ("commercial_partner_id", "!=", False)],
            ["commercial_partner_id", "create_date", "ai_sentiment_score", "ai_scored_at"],
            batch_size)
        for rec in page
    ]
    frame = pd.DataFrame(rows, columns=["customer_id", "date", "sentiment"])
    frame["date"] = pd.to_datetime(frame["date"])
    return frame


def read(client: OdooClient, company_id: int, params: dict, log) -> Inputs:
    """Every customer's history; for a run of the changed customers (``scope: changes``) only
    theirs, with the models this worker saved at the company's last full run, when it has
    them (``state.load`` says why not: then every customer, as a full run)."""
    path = cache_path(client, company_id, "insights")
    if params.get("scope") == "changes":
        changes = read_changes(client, company_id, params, path, log)
        if changes is not None:
            return changes
    started = time.perf_counter()
    tx = company_transactions(client, company_id, params.get("company_orders"), log)
    log(f"Extracted {len(tx)} order lines of {tx['customer_id'].nunique()} customers "
        f"in {time.perf_counter() - started:.1f}s")
    if tx.empty:
        return Inputs(tx)
    if "helpdesk" not in selection_values(client, "ai.run", "task"):  # no ai_crm_helpdesk
        return Inputs(tx, state_path=path)
    support = read_support(client, company_id)
    if len(support):
        log(f"Read {len(support)} helpdesk tickets to try as churn features")
    return Inputs(tx, support if len(support) else None, state_path=path)


def read_changes(client: OdooClient, company_id: int, params: dict, path, log
                 ) -> Inputs | None:
    state, why = (None, "no earlier run to start from") if not params.get("changes_since") \
        else load_state(path, params, dt.date.today())
    if state is None:
        log(f"Every customer is scored: {why}")
        return None
    started = time.perf_counter()
    tx = changed_customers_transactions(client, company_id, params["changes_since"])
    log(f"Extracted {len(tx)} order lines of {tx['customer_id'].nunique()} customers whose "
        f"orders changed since {params['changes_since']} in {time.perf_counter() - started:.1f}s")
    return Inputs(tx, state=state)
