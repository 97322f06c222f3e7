"""Both ways of reading the sales history from a real Odoo 18 give the same frame."""

import pandas as pd
import pytest

from ai_engine.sales import sale_transactions

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
