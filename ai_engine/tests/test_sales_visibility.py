"""An engine user who cannot see a company's orders fails the run with a message that says so,
instead of finishing it as a company without sales; the same on either way of reading."""

import pytest

from ai_engine.errors import DataError
from ai_engine.odoo_client import OdooMethodMissing
from ai_engine.sales import SALES_COLUMNS, sale_transactions


class NoOrdersVisible:
    """An Odoo whose record rules hide every order from the engine's user; ``columns``: whether
    its module has ``ai_read_sales``."""

    def __init__(self, columns=False):
        self.columns = columns
        self.missing_methods = set()

    def call(self, model, method, *args, **kwargs):
        if method == "ai_read_sales" and self.columns:
            return {"columns": SALES_COLUMNS, "data": {c: "" for c in SALES_COLUMNS},
                    "next_after_id": None}
        if method in ("search_count", "search"):  # nothing visible: no count, no line ids
            return 0 if method == "search_count" else []
        self.missing_methods.add((model, method))
        raise OdooMethodMissing(f"The method '{model}.{method}' does not exist")

    def search_read_batched(self, model, domain, fields, batch_size):
        return iter(())


@pytest.mark.parametrize("columns", [False, True])
def test_orders_odoo_counts_but_the_engine_cannot_see_fail_the_run(columns):
    with pytest.raises(DataError, match="sees none of the company's 42 confirmed sale orders"):
        sale_transactions(NoOrdersVisible(columns), company_id=3, company_orders=42)


@pytest.mark.parametrize("columns", [False, True])
def test_a_company_without_sales_is_just_empty(columns):
    assert sale_transactions(NoOrdersVisible(columns), company_id=3, company_orders=0).empty
    assert sale_transactions(NoOrdersVisible(columns), company_id=3).empty
