"""An engine user who cannot see a company's orders fails the run with a message that says so,
instead of finishing it as a company without sales."""

import pytest

from ai_engine.errors import DataError
from ai_engine.sales import sale_transactions


class NoOrdersVisible:
    """An Odoo whose record rules hide every order from the engine's user."""

    def search_read_batched(self, model, domain, fields, batch_size):
        return iter(())


def test_orders_odoo_counts_but_the_engine_cannot_see_fail_the_run():
    with pytest.raises(DataError, match="sees none of the company's 42 confirmed sale orders"):
        sale_transactions(NoOrdersVisible(), company_id=3, company_orders=42)


def test_a_company_without_sales_is_just_empty():
    assert sale_transactions(NoOrdersVisible(), company_id=3, company_orders=0).empty
    assert sale_transactions(NoOrdersVisible(), company_id=3).empty
