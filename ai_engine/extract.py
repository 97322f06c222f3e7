"""Odoo → pandas: the sales history of one company as the engine's transactions frame.

Only confirmed orders count (state ``sale``); amounts are converted to the company currency with
the rate Odoo stored on the order; customers are commercial partners (a company, not its
contact persons), and partners who objected to profiling are left out entirely.
"""

from __future__ import annotations

import pandas as pd

from ai_engine.odoo_client import OdooClient

TRANSACTION_COLUMNS = ["customer_id", "order_id", "date", "product_id", "quantity", "amount"]

ORDER_FIELDS = ["partner_id", "date_order", "currency_rate"]
LINE_FIELDS = ["order_id", "product_id", "product_uom_qty", "price_subtotal"]
PARTNER_FIELDS = ["commercial_partner_id", "ai_exclude_profiling"]


def confirmed_orders_domain(company_id: int) -> list:
    return [("state", "=", "sale"), ("company_id", "=", company_id)]


def _m2o_id(value) -> int | None:
    return value[0] if value else None


def _chunks(ids, size: int):
    """Plain ints in pages: numpy integers do not travel over JSON-RPC."""
    ids = [int(i) for i in ids]
    for start in range(0, len(ids), size):
        yield ids[start:start + size]


def read_orders(client: OdooClient, company_id: int, batch_size: int = 5000) -> pd.DataFrame:
    rows = [
        (rec["id"], _m2o_id(rec["partner_id"]), rec["date_order"], rec["currency_rate"] or 1.0)
        for page in client.search_read_batched(
            "sale.order", confirmed_orders_domain(company_id), ORDER_FIELDS, batch_size)
        for rec in page
    ]
    return pd.DataFrame(rows, columns=["order_id", "partner_id", "date_order", "currency_rate"])


def read_order_lines(client: OdooClient, company_id: int, batch_size: int = 5000) -> pd.DataFrame:
    domain = confirmed_orders_domain(company_id) + [("display_type", "=", False)]
    rows = [
        (_m2o_id(rec["order_id"]), _m2o_id(rec["product_id"]), rec["product_uom_qty"],
         rec["price_subtotal"])
        for page in client.search_read_batched("sale.order.line", domain, LINE_FIELDS, batch_size)
        for rec in page
    ]
    return pd.DataFrame(rows, columns=["order_id", "product_id", "quantity", "subtotal"])


def read_customers(client: OdooClient, partner_ids: list[int], batch_size: int = 5000
                   ) -> pd.DataFrame:
    """partner id → commercial partner id, with the commercial partner's exclusion flag."""
    rows = []
    for chunk in _chunks(partner_ids, batch_size):
        for rec in client.call("res.partner", "read", chunk, PARTNER_FIELDS,
                               context={"active_test": False}):
            rows.append((rec["id"], _m2o_id(rec["commercial_partner_id"])))
    partners = pd.DataFrame(rows, columns=["partner_id", "customer_id"])
    commercial_ids = sorted(set(partners["customer_id"].dropna().astype(int)))
    excluded = set()
    for chunk in _chunks(commercial_ids, batch_size):
        excluded.update(
            rec["id"] for rec in client.call("res.partner", "read", chunk, PARTNER_FIELDS[1:],
                                             context={"active_test": False})
            if rec["ai_exclude_profiling"]
        )
    partners["excluded"] = partners["customer_id"].isin(excluded)
    return partners


def sale_transactions(client: OdooClient, company_id: int, batch_size: int = 5000
                      ) -> pd.DataFrame:
    """One row per confirmed order line of ``company_id``, amounts in company currency."""
    orders = read_orders(client, company_id, batch_size)
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


def company_settings(client: OdooClient, company_id: int) -> dict:
    """The per-company knobs admins set in Settings (0 horizon = derive from the data)."""
    [company] = client.call(
        "res.company", "read", [company_id],
        ["ai_churn_horizon_days", "ai_min_repeat_customers", "currency_id"],
    )
    return {
        "horizon_days": company["ai_churn_horizon_days"] or None,
        "min_repeat_customers": company["ai_min_repeat_customers"] or 50,
    }


def read_products(client: OdooClient, product_ids: list[int], batch_size: int = 5000
                  ) -> pd.DataFrame:
    """Names and categories (for reasons) and whether each product may still be offered."""
    rows = []
    for chunk in _chunks(product_ids, batch_size):
        for rec in client.call("product.product", "read", chunk,
                               ["display_name", "categ_id", "active", "sale_ok"],
                               context={"active_test": False}):
            rows.append((rec["id"], rec["display_name"],
                         rec["categ_id"][1] if rec["categ_id"] else "",
                         bool(rec["active"] and rec["sale_ok"])))
    return pd.DataFrame(rows, columns=["product_id", "name", "category", "offerable"])


def read_segments(client: OdooClient, customer_ids: list[int], batch_size: int = 5000
                  ) -> pd.Series:
    """customer id → the segment the insights run gave it (for "customers like this one")."""
    values = {}
    for chunk in _chunks(customer_ids, batch_size):
        for rec in client.call("res.partner", "read", chunk, ["ai_segment_id"],
                               context={"active_test": False}):
            if rec["ai_segment_id"]:
                values[rec["id"]] = rec["ai_segment_id"][1]
    return pd.Series(values, dtype=object)


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
