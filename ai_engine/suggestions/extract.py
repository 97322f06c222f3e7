"""Odoo → frames for a suggestions run: the order lines with a product, the products (names,
categories, may they still be offered), the customers' segments and what salespeople did with
the suggestions shown on their quotes."""

from __future__ import annotations

import pandas as pd

from ai_engine import model_cache
from ai_engine.insights.published import read_published
from ai_engine.odoo_client import OdooClient
from ai_engine.odoo_rows import read_by_ids
from ai_engine.shared_sales import company_transactions
from ai_engine.suggestions.job import Inputs


def read_products(client: OdooClient, product_ids: list[int], batch_size: int = 5000
                  ) -> pd.DataFrame:
    """Names and categories (for reasons) and whether each product may still be offered."""
    rows = [(rec["id"], rec["display_name"], rec["categ_id"][1] if rec["categ_id"] else "",
             bool(rec["active"] and rec["sale_ok"]))
            for rec in read_by_ids(client, "product.product", product_ids,
                                   ["display_name", "categ_id", "active", "sale_ok"], batch_size,
                                   names=True)]
    return pd.DataFrame(rows, columns=["product_id", "name", "category", "offerable"])


def read_segments(client: OdooClient, company_id: int, customer_ids: list[int]
                  ) -> pd.Series:
    """customer id → the segment the company's insights run gave it ("customers like this
    one")."""
    published = read_published(client, company_id, customer_ids)["segment"].dropna()
    return published.astype(object)


def suggestion_events(client: OdooClient, company_id: int, batch_size: int = 5000
                      ) -> pd.DataFrame:
    """What salespeople did with suggestions: one row per quote × product shown."""
    rows = [
        (rec["create_date"], rec["action"], rec["source"] or "")
        for page in client.search_read_batched(
            "ai.suggestion.event", [("company_id", "=", company_id)],
            ["create_date", "action", "source"], batch_size)
        for rec in page
    ]
    frame = pd.DataFrame(rows, columns=["shown_at", "action", "source"])
    frame["shown_at"] = pd.to_datetime(frame["shown_at"])
    return frame


def read(client: OdooClient, company_id: int, params: dict, log) -> Inputs:
    tx = company_transactions(client, company_id, params.get("company_orders"), log)
    tx = tx[tx["product_id"].notna()]
    log(f"Extracted {len(tx)} order lines with a product")
    if tx.empty:
        return Inputs(tx)
    products = read_products(client, sorted(tx["product_id"].astype(int).unique()))
    segments = read_segments(client, company_id, sorted(tx["customer_id"].astype(int).unique()))
    path = model_cache.cache_path(client, company_id, "suggestions-backtest")
    kept, _why = model_cache.load(path)  # none: this run back-tests
    return Inputs(tx, products, segments, suggestion_events(client, company_id), kept, path)
