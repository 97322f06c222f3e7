"""One extraction of a company's sales history serves every task of the night on this worker.

The first task that reads the history (contact insights, in the declared order) reads it whole
and keeps it in the worker's cache (``model_cache``); the tasks after it (product suggestions,
retention) take that copy and bring it up to date instead of reading it again: the customers
whose orders changed since it was read are read again whole (``ai_read_sales``'s
``changed_since``), and the customers who objected to profiling since then are dropped. The
answer is the history as a full read would give it now, but for orders deleted since the copy
(Odoo deletes only draft and cancelled orders, which the history never holds). A copy older
than ``MAX_AGE_HOURS`` is not used: the next task reads the history whole again.
"""

from __future__ import annotations

import datetime as dt
import time

import pandas as pd

from ai_engine import model_cache
from ai_engine.odoo_client import OdooClient
from ai_engine.sales import (
    changed_customers_transactions,
    confirmed_orders_domain,
    sale_transactions,
)

MAX_AGE_HOURS = 12
# Reading the changed customers again costs more per line than a plain read (their orders
# are looked up first): past this share of the company's orders changed, read everything.
MAX_CHANGED_SHARE = 0.05
# Odoo stamps changes with its own clock: look back a little further than the copy's time,
# so that a clock a few minutes apart re-reads a customer twice rather than missing one.
CLOCK_MARGIN = dt.timedelta(minutes=10)


def company_transactions(client: OdooClient, company_id: int, company_orders: int | None,
                         log) -> pd.DataFrame:
    """``sales.sale_transactions`` of the company, from this worker's recent copy when it has
    one (brought up to date), else read whole (and kept for the next tasks)."""
    path = model_cache.cache_path(client, company_id, "sales")
    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    copy, _why = model_cache.load(path)
    if copy is not None and now - copy["read_at"] <= dt.timedelta(hours=MAX_AGE_HOURS):
        since = f"{copy['read_at'] - CLOCK_MARGIN:%Y-%m-%d %H:%M:%S}"
        if _few_changed(client, company_id, since, company_orders):
            return _brought_up_to_date(client, company_id, copy, since, log)
        log("Many orders changed since an earlier task read the sales history: read whole")
    tx = sale_transactions(client, company_id, company_orders=company_orders)
    model_cache.keep(path, {"read_at": now, "transactions": tx}, log)
    return tx


def _few_changed(client: OdooClient, company_id: int, since: str, company_orders: int | None
                 ) -> bool:
    """Whether reading the changed customers again costs less than reading everything."""
    changed = client.call("sale.order", "search_count", [("company_id", "=", company_id),
                                                         ("write_date", ">=", since)])
    total = company_orders or client.call("sale.order", "search_count",
                                          confirmed_orders_domain(company_id))
    return changed <= MAX_CHANGED_SHARE * max(total, 1)


def _brought_up_to_date(client: OdooClient, company_id: int, copy: dict, since: str, log
                        ) -> pd.DataFrame:
    started = time.perf_counter()
    changed = changed_customers_transactions(client, company_id, since)
    objected = set(client.call("res.partner", "search", [("ai_exclude_profiling", "=", True)],
                               context={"active_test": False}))
    tx = up_to_date(copy["transactions"], changed, objected)
    log(f"Sales history read at {copy['read_at']:%H:%M} UTC by an earlier task, brought up to "
        f"date: {changed['customer_id'].nunique()} customers whose orders changed read again in "
        f"{time.perf_counter() - started:.1f}s")
    return tx


def up_to_date(copy: pd.DataFrame, changed: pd.DataFrame, objected: set[int]) -> pd.DataFrame:
    """The copy with the changed customers' whole history replaced by ``changed``, and the
    customers in ``objected`` left out; in ``sale_transactions``' order."""
    gone = set(changed["customer_id"]) | objected
    kept = copy[~copy["customer_id"].isin(gone)]
    fresh = changed[~changed["customer_id"].isin(objected)]
    if fresh.empty:  # nothing to add (an empty read has no dtypes worth keeping)
        return kept.reset_index(drop=True)
    return (pd.concat([kept, fresh], ignore_index=True)
            .sort_values(["date", "order_id"], kind="stable").reset_index(drop=True))
