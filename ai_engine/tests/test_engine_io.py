"""Transactions CSV contract: clean reads, clear errors naming columns and lines."""

import pandas as pd
import pytest

from ai_engine.errors import DataError
from ai_engine.io import SCORE_COLUMNS, read_transactions, validate_transactions, write_scores


def write(tmp_path, text, name="tx.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_reads_contract_and_keeps_leading_zeros(tmp_path):
    path = write(tmp_path, "customer_id,order_id,date,product_id,quantity,amount\n"
                           "007,A1,2024-01-05,P1,2,19.90\n007,A1,2024-01-05,,,-5\n")
    tx = read_transactions(path)
    assert tx["customer_id"].tolist() == ["007", "007"]
    assert tx["date"].dt.strftime("%Y-%m-%d").tolist() == ["2024-01-05"] * 2
    assert tx["amount"].tolist() == [19.9, -5.0]
    assert tx["quantity"].isna().tolist() == [False, True]


def test_optional_columns_may_be_absent(tmp_path):
    tx = read_transactions(write(tmp_path, "customer_id,order_id,date,amount\n1,A,2024-01-01,3\n"))
    assert list(tx.columns[:6]) == ["customer_id", "order_id", "date", "product_id", "quantity",
                                    "amount"]
    assert tx["product_id"].isna().all()


def test_empty_file(tmp_path):
    with pytest.raises(DataError, match="empty"):
        read_transactions(write(tmp_path, ""))


def test_header_only(tmp_path):
    with pytest.raises(DataError, match="no rows"):
        read_transactions(write(tmp_path, "customer_id,order_id,date,amount\n"))


def test_missing_columns_are_named(tmp_path):
    with pytest.raises(DataError, match="missing the column\\(s\\) order_id, amount"):
        read_transactions(write(tmp_path, "customer_id,date\n1,2024-01-01\n"))


def test_bad_dates_show_values_and_lines(tmp_path):
    path = write(tmp_path, "customer_id,order_id,date,amount\n1,a,2024-01-01,1\n"
                           "1,b,31/02/2024,2\n2,c,soon,3\n")
    with pytest.raises(DataError) as caught:
        read_transactions(path)
    message = str(caught.value)
    assert "'date'" in message and "'31/02/2024'" in message and "'soon'" in message
    assert "lines 3, 4" in message


def test_non_numeric_amount(tmp_path):
    with pytest.raises(DataError, match="'amount'.*'ten'.*line 2"):
        read_transactions(write(tmp_path, "customer_id,order_id,date,amount\n1,a,2024-01-01,ten\n"))


def test_in_memory_frame_reports_rows_and_fills_order_ids():
    frame = pd.DataFrame({"customer_id": [1, 2], "order_id": [None, "X"],
                          "date": pd.to_datetime(["2024-01-01 10:30", "2024-01-02"],
                                                 format="ISO8601"),
                          "amount": [1.0, 2.0]})
    tx = validate_transactions(frame)
    assert tx.loc[0, "order_id"] == "1@2024-01-01"
    assert tx.loc[0, "date"] == pd.Timestamp("2024-01-01")
    with pytest.raises(DataError, match="no value in column 'customer_id' \\(at row 1\\)"):
        validate_transactions(frame.assign(customer_id=[1, None]))


def test_write_scores_contract_columns(tmp_path):
    scores = pd.DataFrame({c: [1] for c in SCORE_COLUMNS} | {"clv": [2.0],
                                                             "churn_reasons_list": [["a"]]})
    assert pd.read_csv(write_scores(scores, tmp_path / "s.csv")).columns.tolist() == SCORE_COLUMNS
    full = pd.read_csv(write_scores(scores, tmp_path / "f.csv", all_columns=True))
    assert full.columns.tolist() == SCORE_COLUMNS + ["clv"]
