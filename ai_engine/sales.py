"""Odoo → pandas: the sales history of one company as the engine's transactions frame (read by
the insights and the suggestions runs).

Only confirmed orders count (state ``sale``); amounts are converted to the company currency with
the rate Odoo stored on the order; customers are commercial partners (a company, not its
contact persons), and partners who objected to profiling are left out entirely.

Two ways to read it, the same frame either way: ``sale.order.line.ai_read_sales`` (one call per
100,000 lines, the join done by the database, answered as columns) when the module has it, else
batched ``search_read`` of orders, lines and partners (a module older than this engine).
"""

from __future__ import annotations

import io
from concurrent.futures import ThreadPoolExecutor
from itertools import pairwise

import pandas as pd

from ai_engine.errors import DataError
from ai_engine.odoo_client import OdooClient, OdooError, OdooMethodMissing
from ai_engine.odoo_rows import m2o_id, read_by_ids

TRANSACTION_COLUMNS = ["customer_id", "order_id", "date", "product_id", "quantity", "amount"]

ORDER_FIELDS = ["partner_id", "date_order", "currency_rate"]
LINE_FIELDS = ["order_id", "product_id", "product_uom_qty", "price_subtotal"]

# sale.order.line.ai_read_sales: the columns it answers (the module's ai_contract.SALES_COLUMNS)
# and how many lines per call (the module accepts up to 200,000).
SALES_READER = ("sale.order.line", "ai_read_sales")
SALES_COLUMNS = ["id", "order_id", "customer_id", "date", "product_id", "quantity", "amount"]
SALES_PAGE = 100000
# Ranges of line ids read side by side: while PostgreSQL joins one page, the other range's
# page is joined on the other core (bench/reports/extract_streams.md).
READ_STREAMS = 2
READS = ("auto", "columns", "search_read")


def confirmed_orders_domain(company_id: int) -> list:
    return [("state", "=", "sale"), ("company_id", "=", company_id)]


def confirmed_lines_domain(company_id: int) -> list:
    """The order lines the engine learns from: of confirmed orders, not a section or note."""
    return confirmed_orders_domain(company_id) + [("display_type", "=", False)]


def read_orders(client: OdooClient, company_id: int, batch_size: int = 5000) -> pd.DataFrame:
    rows = [
        (rec["id"], m2o_id(rec["partner_id"]), rec["date_order"], rec["currency_rate"] or 1.0)
        for page in client.search_read_batched(
            "sale.order", confirmed_orders_domain(company_id), ORDER_FIELDS, batch_size)
        for rec in page
    ]
    return pd.DataFrame(rows, columns=["order_id", "partner_id", "date_order", "currency_rate"])


def read_order_lines(client: OdooClient, company_id: int, batch_size: int = 5000) -> pd.DataFrame:
    domain = confirmed_lines_domain(company_id)
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


def read_sales_columns(client: OdooClient, company_id: int, page_size: int | None = None,
                       changed_since: str | None = None,
                       streams: int | None = None) -> pd.DataFrame:
    """Every page of ``ai_read_sales`` (keyset paging by line id) as one frame of
    ``SALES_COLUMNS``, in line id order (Odoo answers a page's lines in no particular order).
    ``changed_since``: only the customers whose orders changed since then (Odoo's UTC text).
    ``streams`` (default ``READ_STREAMS``) > 1: the company's range of line ids cut in that
    many, read side by side, each on a connection of its own; a read of changed customers,
    small, stays in one. Raises ``OdooMethodMissing`` on an older module."""
    since = {"changed_since": changed_since} if changed_since else {}
    streams = streams or READ_STREAMS
    ranges = _id_ranges(client, company_id, streams) if streams > 1 and not since \
        else [(0, None)]
    parts = None
    if len(ranges) > 1:
        try:
            with ThreadPoolExecutor(len(ranges), thread_name_prefix="ai-read") as pool:
                futures = [pool.submit(_range_texts, client if n == 0 else client.twin(),
                                       company_id, after_id, before_id, page_size, since)
                           for n, (after_id, before_id) in enumerate(ranges)]
                parts = [future.result() for future in futures]
        except OdooError as exc:  # a module older than this engine reads in one range only
            if "before_id" not in str(exc):
                raise
    if parts is None:
        parts = [_range_texts(client, company_id, 0, None, page_size, since)]
    frame = pd.DataFrame({name: _column(",".join(text for part in parts for text in part[name]),
                                        str if name == "date" else float)
                          for name in SALES_COLUMNS}, columns=SALES_COLUMNS)
    for name in ("id", "order_id", "customer_id"):  # never empty
        frame[name] = frame[name].astype("int64")
    if frame["product_id"].notna().all():
        frame["product_id"] = frame["product_id"].astype("int64")
    return frame.sort_values("id").reset_index(drop=True)


def _id_ranges(client: OdooClient, company_id: int, parts: int) -> list[tuple]:
    """``(after_id, before_id)`` of ``parts`` ranges of equal width over the ids of the
    company's lines, the last one open-ended (lines confirmed while reading are read too)."""
    domain = confirmed_lines_domain(company_id)
    first = client.call("sale.order.line", "search", domain, limit=1, order="id")
    last = client.call("sale.order.line", "search", domain, limit=1, order="id desc")
    if not first:
        return [(0, None)]
    low, high = first[0] - 1, last[0]
    step = max(1, -(-(high - low) // parts))
    starts = list(range(low, high, step))
    return [(start, following + 1) for start, following in pairwise(starts)] + [
        (starts[-1], None)]


def _range_texts(client: OdooClient, company_id: int, after_id: int, before_id: int | None,
                 page_size: int | None, since: dict) -> dict[str, list[str]]:
    """Each column's texts, page by page, of the lines after ``after_id`` (and below
    ``before_id``)."""
    model, method = SALES_READER
    texts: dict[str, list[str]] = {name: [] for name in SALES_COLUMNS}
    bound = {"before_id": before_id} if before_id is not None else {}
    while after_id is not None:
        page = client.call(model, method, company_id, after_id=after_id,
                           limit=page_size or SALES_PAGE, **since, **bound)
        if page["columns"] != SALES_COLUMNS:
            raise DataError(f"Odoo answered the columns {page['columns']} to {model}.{method}, "
                            f"the engine reads {SALES_COLUMNS}: update the engine or the module.")
        if page["data"]["id"]:  # a page of one line may have an empty text: its null
            for name in SALES_COLUMNS:
                texts[name].append(page["data"][name])
        after_id = page["next_after_id"]
    return texts


def _column(text: str, dtype) -> pd.Series:
    """A column as ``ai_read_sales`` writes it: values separated by commas, empty for none."""
    if not text:
        return pd.Series([], dtype=dtype)
    return pd.read_csv(io.StringIO(text), header=None, names=["v"], lineterminator=",",
                       dtype=dtype, skip_blank_lines=False, keep_default_na=False,
                       na_values=[""]).iloc[:, 0]


def _no_orders_seen(company_id: int, company_orders: int) -> DataError:
    return DataError(
        f"The engine's Odoo user sees none of the company's {company_orders} confirmed sale "
        f"orders: give it this company (Settings → Users, or run `ai-engine setup-odoo "
        f"--company-id {company_id}`). Nothing was changed.")


def sale_transactions(client: OdooClient, company_id: int, batch_size: int = 5000,
                      company_orders: int | None = None, read: str = "auto") -> pd.DataFrame:
    """One row per confirmed order line of ``company_id``, amounts in company currency.
    ``company_orders``: how many confirmed orders Odoo counts for the company (the run's
    params), so that an engine user who cannot see them fails the run instead of finishing it
    as a company without sales. ``read``: ``columns`` (``ai_read_sales``), ``search_read``, or
    ``auto``: columns unless the server lacks the method (asked once per client)."""
    if read not in READS:
        raise ValueError(f"read must be one of {READS}, not {read!r}")
    if read == "columns" or (
            read == "auto" and SALES_READER not in getattr(client, "missing_methods", ())):
        try:
            return _transactions_from_columns(client, company_id, company_orders)
        except OdooMethodMissing:
            if read == "columns":
                raise
    return _transactions_from_search_read(client, company_id, batch_size, company_orders)


def changed_customers_transactions(client: OdooClient, company_id: int, since: str
                                   ) -> pd.DataFrame:
    """The whole history of the customers whose orders changed since ``since``, as
    ``sale_transactions`` gives every customer's."""
    return _as_transactions(read_sales_columns(client, company_id, changed_since=since))


def _as_transactions(frame: pd.DataFrame) -> pd.DataFrame:
    if frame.empty:
        return pd.DataFrame(columns=TRANSACTION_COLUMNS)
    frame["date"] = pd.to_datetime(frame["date"], format="%Y-%m-%d")
    return frame[TRANSACTION_COLUMNS].sort_values(["date", "order_id"]).reset_index(drop=True)


def _transactions_from_columns(client: OdooClient, company_id: int,
                               company_orders: int | None) -> pd.DataFrame:
    frame = read_sales_columns(client, company_id)
    if frame.empty:
        # Every line may belong to customers who objected: Odoo says whether orders are seen.
        if company_orders and not client.call("sale.order", "search_count",
                                              confirmed_orders_domain(company_id)):
            raise _no_orders_seen(company_id, company_orders)
    return _as_transactions(frame)


def _transactions_from_search_read(client: OdooClient, company_id: int, batch_size: int,
                                   company_orders: int | None) -> pd.DataFrame:
    orders = read_orders(client, company_id, batch_size)
    if orders.empty and company_orders:
        raise _no_orders_seen(company_id, company_orders)
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
