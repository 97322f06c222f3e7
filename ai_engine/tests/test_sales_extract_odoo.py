"""Both ways of reading the sales history from a real Odoo 18 give the same frame."""

import pandas as pd
import pytest

from ai_engine.odoo_rows import m2o_id, read_by_ids
from ai_engine.sales import read_sales_columns, sale_transactions

pytestmark = pytest.mark.odoo


def test_columns_and_search_read_give_the_same_transactions(engine, seeded):
    [user] = engine.call("res.users", "read", [engine.uid], ["company_id"])
    company_id = user["company_id"][0]
    columns = sale_transactions(engine, company_id, read="columns")
    searched = sale_transactions(engine, company_id, read="search_read")
    assert len(columns) > seeded["orders"]  # a line or more per confirmed order
    pd.testing.assert_frame_equal(columns, searched, check_exact=False, rtol=1e-12)
    # The engine reads the new way by itself.
    assert ("sale.order.line", "ai_read_sales") not in engine.missing_methods
    pd.testing.assert_frame_equal(sale_transactions(engine, company_id), columns)


def test_ranges_read_side_by_side_give_the_same_frame(engine, seeded):
    [user] = engine.call("res.users", "read", [engine.uid], ["company_id"])
    company_id = user["company_id"][0]
    one = read_sales_columns(engine, company_id, page_size=500, streams=1)
    assert len(one) > 1000  # several pages in each range
    for streams in (2, 3):
        pd.testing.assert_frame_equal(
            read_sales_columns(engine, company_id, page_size=500, streams=streams), one)


def test_bulk_reads_give_a_many2one_as_its_id_unless_names_are_asked(engine, seeded):
    [user] = engine.call("res.users", "read", [engine.uid], ["company_id"])
    company = user["company_id"]
    [plain] = read_by_ids(engine, "res.users", [engine.uid], ["company_id"])
    [named] = read_by_ids(engine, "res.users", [engine.uid], ["company_id"], names=True)
    assert plain["company_id"] == company[0] and named["company_id"] == company
    [page] = engine.search_read_batched("res.users", [("id", "=", engine.uid)], ["company_id"])
    assert page[0]["company_id"] == company[0]
    assert m2o_id(plain["company_id"]) == m2o_id(named["company_id"]) == company[0]
    assert m2o_id(False) is None and m2o_id([]) is None
