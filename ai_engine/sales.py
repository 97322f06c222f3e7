"""Odoo → pandas: the sales history of one company as the engine's transactions frame (read by
the insights and the suggestions runs).

Only confirmed orders count (state ``sale``); amounts are converted to the company currency with
the rate Odoo stored on the order; customers are commercial partners (a company, not its
contact persons), and partners who objected to profiling are left out entirely.
"""

from __future__ import annotations

import pandas as pd

from ai_engine.errors import DataError
from ai_engine.odoo_client import OdooClient
from ai_engine.odoo_rows import m2o_id, read_by_ids

TRANSACTION_COLUMNS = ["customer_id", "order_id", "date", "product_id", "quantity", "amount"]

ORDER_FIELDS = ["partner_id", "date_order", "currency_rate"]
LINE_FIELDS = ["order_id", "product_id", "product_uom_qty", "price_subtotal"]


def confirmed_orders_domain(company_id: int) -> list:
    return [("state", "=", "sale"), ("company_id", "=", company_id)]


def read_orders(client: OdooClient, company_id: int, batch_size: int = 5000) -> pd.DataFrame:
    rows = [
        (rec["id"], m2o_id(rec["partner_id"]), rec["date_order"], rec["currency_rate"] or 1.0)
        for page in client.search_read_batched(
            "sale.order", confirmed_orders_domain(company_id), ORDER_FIELDS, batch_size)
        for rec in page
    ]
    return pd.DataFrame(rows, columns=["order_id", "partner_id", "date_order", "currency_rate"])


def read_order_lines(client: OdooClient, company_id: int, batch_size: int = 5000) -> pd.DataFrame:
    domain = confirmed_orders_domain(company_id) + [("display_type", "=", False)]
    rows = [
        (m2o_id(rec["order_id"]), m2o_id(rec["product_id"]), rec["product_uom_qty"],
         rec["price_subtotal"])
        for page in client.search_read_batched("sale.order.line", domain, LINE_FIELDS, batch_size)
        for rec in page
    ]
    return pd.DataFrame(rows, columns=["order_id", "product_id", "quantity", "subtotal"])


def read_customers(client: OdooClient, partner_ids: list[int], batch_size: int = 5000
                   ) -> pd.DataFrame:
    """partner id → commercial partner id, with the commercial partner's exclusion flag."""
    partners = pd.DataFrame(
        [(rec["id"], m2o_id(rec["commercial_partner_id"]))
         for rec in read_by_ids(client, "res.partner", partner_ids, ["commercial_partner_id"],
                                batch_size)],
        columns=["partner_id", "customer_id"])
    commercial_ids = sorted(set(partners["customer_id"].dropna().astype(int)))
    excluded = {rec["id"] for rec in read_by_ids(client, "res.partner", commercial_ids,
                                                 ["ai_exclude_profiling"], batch_size)
                if rec["ai_exclude_profiling"]}
    partners["excluded"] = partners["customer_id"].isin(excluded)
    return partners


def sale_transactions(client: OdooClient, company_id: int, batch_size: int = 5000,
                      company_orders: int | None = None) -> pd.DataFrame:
    """One row per confirmed order line of ``company_id``, amounts in company currency.
    ``company_orders``: how many confirmed orders Odoo counts for the company (the run's
    params), so that an engine user who cannot see them fails the run instead of finishing it
    as a company without sales."""
    orders = read_orders(client, company_id, batch_size)
    if orders.empty and company_orders:
        raise DataError(
            f"The engine's Odoo user sees none of the company's {company_orders} confirmed sale "
            f"orders: give it this company (Settings → Users, or run `ai-engine setup-odoo "
            f"--company-id {company_id}`). Nothing was changed.")
    if orders.empty:
        return pd.DataFrame(columns=TRANSACTION_COLUMNS)
    lines = read_order_lines(client, company_id, batch_size)
    customers = read_customers(client, sorted(set(orders["partner_id"].dropna().astype(int))),
                               batch_size)
    orders = orders.merge(customers, on="partner_id", how="inner")
    orders = orders[~orders["excluded"]]
    frame = lines.merge(orders, on="order_id", how="inner")
    rate = frame["currency_rate"].where(frame["currency_rate"] > 0, 1.0)
    frame["amount"] = frame["subtotal"] / rate
    # Odoo sends naive UTC datetimes as text; a calendar day is the unit of recency.
    frame["date"] = pd.to_datetime(frame["date_order"]).dt.normalize()
    return frame[TRANSACTION_COLUMNS].sort_values(["date", "order_id"]).reset_index(drop=True)
