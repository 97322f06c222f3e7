"""The transactions frame from ``sale.order.line.ai_read_sales`` (columns, keyset pages), and the
fall-back to ``search_read`` for a module that does not have it, decided once per client."""

import pandas as pd
import pytest

from ai_engine.errors import DataError
from ai_engine.odoo_client import OdooError, OdooMethodMissing
from ai_engine.sales import SALES_COLUMNS, TRANSACTION_COLUMNS, sale_transactions

LINES = {  # line id → (order, customer, day, product, quantity, amount)
    11: (5, 7, "2026-02-01", 3, 2.0, 20.0),
    12: (5, 7, "2026-02-01", None, 1.0, -4.0),
    13: (4, 8, "2026-01-15", 3, 1.0, 9.5),
}


class ColumnsOdoo:
    """Answers ``ai_read_sales`` in pages of ``limit`` lines, as the module does, and the
    searches for the first and last line id."""

    def __init__(self, columns=SALES_COLUMNS, knows_before_id=True):
        self.columns, self.calls, self.missing_methods = columns, [], set()
        self.knows_before_id = knows_before_id

    def twin(self):
        return self

    def call(self, model, method, *args, after_id=0, limit=100, before_id=None, order=None):
        if method == "search":
            return [min(LINES) if order == "id" else max(LINES)]
        if before_id is not None and not self.knows_before_id:  # as Odoo words a TypeError
            raise OdooError("ai_read_sales() got an unexpected keyword argument 'before_id'")
        self.calls.append((model, method, args[0], after_id, before_id))
        ids = sorted(i for i in LINES if after_id < i < (before_id or max(LINES) + 1))
        ids = ids[:limit][::-1]  # in no particular order
        return {"columns": self.columns,
                "data": {c: ",".join("" if v is None else str(v) for v in
                                     (([i] + list(LINES[i]))[n] for i in ids))
                         for n, c in enumerate(SALES_COLUMNS)},
                "next_after_id": max(ids) if len(ids) == limit else None}


def test_pages_of_columns_make_the_transactions_frame(monkeypatch):
    monkeypatch.setattr("ai_engine.sales.SALES_PAGE", 2)
    monkeypatch.setattr("ai_engine.sales.READ_STREAMS", 1)
    odoo = ColumnsOdoo()
    frame = sale_transactions(odoo, company_id=1)
    assert [c[3] for c in odoo.calls] == [0, 12]  # keyset: after the last line of each page
    assert list(frame.columns) == TRANSACTION_COLUMNS
    assert frame["order_id"].tolist() == [4, 5, 5]  # by day, then order
    assert frame["date"].tolist() == [pd.Timestamp("2026-01-15"), pd.Timestamp("2026-02-01"),
                                      pd.Timestamp("2026-02-01")]
    assert frame["amount"].tolist() == [9.5, 20.0, -4.0]
    assert frame["product_id"].isna().sum() == 1
    # A page of one line whose product is empty answers an empty text for it: still a value.
    monkeypatch.setattr("ai_engine.sales.SALES_PAGE", 1)
    pd.testing.assert_frame_equal(sale_transactions(ColumnsOdoo(), company_id=1), frame)
    monkeypatch.setattr("ai_engine.sales.SALES_PAGE", 2)
    # Ranges of ids read side by side give the same frame; each range is keyset-paged.
    for streams in (2, 3):
        monkeypatch.setattr("ai_engine.sales.READ_STREAMS", streams)
        side_by_side = ColumnsOdoo()
        pd.testing.assert_frame_equal(sale_transactions(side_by_side, company_id=1), frame)
        bounds = {before for *_call, before in side_by_side.calls}
        assert len(bounds) == streams and None in bounds  # the last range is open-ended
    # A module older than the engine knows no before_id: one range, the same frame.
    older = ColumnsOdoo(knows_before_id=False)
    pd.testing.assert_frame_equal(sale_transactions(older, company_id=1), frame)
    assert {before for *_call, before in older.calls} == {None}


def test_other_columns_than_the_engine_reads_are_refused():
    with pytest.raises(DataError, match="update the engine or the module"):
        sale_transactions(ColumnsOdoo(columns=["id", "order_id"]), company_id=1)


class OlderOdoo:
    """A module without ``ai_read_sales``: the engine reads with search_read, asking once."""

    def __init__(self):
        self.missing_methods, self.asked = set(), 0

    def call(self, model, method, *args, **kwargs):
        if method == "search":  # the first and last line ids: a method every Odoo has
            return [1]
        self.asked += 1
        self.missing_methods.add((model, method))
        raise OdooMethodMissing(f"The method '{model}.{method}' does not exist")

    def search_read_batched(self, model, domain, fields, batch_size):
        return iter(())


def test_an_older_module_is_read_with_search_read_and_asked_once():
    odoo = OlderOdoo()
    assert sale_transactions(odoo, company_id=1).empty
    assert sale_transactions(odoo, company_id=1).empty
    assert odoo.asked == 1
    with pytest.raises(OdooMethodMissing):
        sale_transactions(odoo, company_id=1, read="columns")
