"""Results become JSON-safe columns keyed by the Odoo field names, written in batches to the run."""

import math
import threading
import time

import numpy as np
import pandas as pd
import pytest

from ai_engine.insights.load import INSIGHT_KEYS, insight_columns
from ai_engine.odoo_client import OdooError
from ai_engine.odoo_rows import write_frame, write_rows
from ai_engine.suggestions.load import suggestion_columns


def scores():
    return pd.DataFrame({
        "customer_id": np.array([11, 12], dtype="int64"),
        "recency_days": np.array([3, 40], dtype="int64"),
        "frequency": np.array([4, 1], dtype="int64"),
        "monetary": [120.5, float("nan")],
        "rfm_score": ["545", "111"],
        "segment_code": ["champions", "at_risk"],
        "cluster_code": [{"code": "all_customers"}] * 2,
        "churn_probability": np.array([0.1, 0.7], dtype="float32"),
        "churn_risk": ["low", "high"],
        "churn_reasons_list": [[{"code": "usual_gap", "gap": np.int64(3)}], []],
        "churn_method": ["model", "model"],
        "churn_grade": ["A", None],
        "clv": [10.0, 0.0],
        "expected_orders": [1.25, 0.02],
        "expected_revenue": [30.0, 0.5],
        "next_order_date": ["2025-03-01", ""],
        "clv_12m": [90.0, 2.0],
        "clv_low": [20.0, 0.0],
        "clv_high": [180.0, 2.0],
        "value_band": ["top", "low"],
        "value_method": ["model", "model"],
        "value_grade": ["B", None],
        "value_reasons": [[{"code": "value_range", "percent": np.int64(80)}], []],
        "unrelated": ["x", "y"],
    })


def as_rows(columns):
    return [dict(zip(columns, values, strict=True))
            for values in zip(*columns.values(), strict=True)]


def test_columns_use_the_field_names_and_plain_python_values():
    columns = insight_columns(scores())
    assert set(columns) == set(INSIGHT_KEYS.values())
    assert {len(values) for values in columns.values()} == {2}
    rows = as_rows(columns)
    assert rows[0]["partner_id"] == 11 and rows[0]["segment_id"] == "champions"
    assert rows[0]["churn_reasons"] == [{"code": "usual_gap", "gap": 3}]
    assert type(rows[0]["churn_reasons"][0]["gap"]) is int  # numpy does not travel over RPC
    assert math.isclose(rows[0]["churn_probability"], 0.1, rel_tol=1e-6)
    assert rows[1]["monetary"] is None  # NaN cannot travel over JSON-RPC
    assert rows[0]["churn_grade"] == "A" and rows[1]["churn_grade"] is None  # no back-test
    assert all(type(v) in (int, float, str, list, dict, type(None))
               for r in rows for v in r.values())


def test_value_columns_send_no_date_when_no_next_order_is_expected():
    rows = as_rows(insight_columns(scores()))
    assert rows[0]["next_order_date"] == "2025-03-01" and rows[1]["next_order_date"] is None
    assert rows[0]["value_reasons"] == [{"code": "value_range", "percent": 80}]
    assert rows[0]["clv_low"] <= rows[0]["clv_12m"] <= rows[0]["clv_high"]


def test_suggestion_reasons_name_products_by_their_odoo_id():
    frame = pd.DataFrame({"partner_id": [7, False], "product_id": [1, 2], "rank": [1, 1],
                          "score": [0.5, 0.2], "source": ["affinity", "popular"],
                          "reason_code": [{"code": "bought_with", "product": "12",
                                           "percent": 38}, {"code": "top_seller"}]})
    rows = as_rows(suggestion_columns(frame))
    assert rows[0]["reason"] == {"code": "bought_with", "product": 12, "percent": 38}
    assert rows[1] == {"partner_id": False, "product_id": 2, "rank": 1, "score": 0.2,
                       "reason": {"code": "top_seller"}, "source": "popular"}


class RecordingClient:
    def __init__(self):
        self.calls = []

    def call(self, model, method, run_id, rows):
        partners = rows["partner_id"] if isinstance(rows, dict) else [r["partner_id"] for r in rows]
        self.calls.append((model, method, run_id, partners))
        return {"written": len(partners) - 1, "skipped_excluded": 1}


def test_write_rows_sends_one_call_per_batch_and_sums_the_counts():
    client = RecordingClient()
    columns = insight_columns(pd.concat([scores()] * 3, ignore_index=True))
    for rows in (columns, as_rows(columns)):  # the columns the engine sends, or rows
        client.calls.clear()
        assert write_rows(client, "ai.partner.insight", 5, rows, batch_size=4) == {
            "written": 4, "skipped_excluded": 2}
        assert client.calls == [("ai.partner.insight", "ai_write", 5, [11, 12, 11, 12]),
                                ("ai.partner.insight", "ai_write", 5, [11, 12])]


class StreamingClient:
    """Answers ``ai_write`` slowly enough for calls to overlap; its twins share the record of
    what was sent and how many calls were in flight at once."""

    def __init__(self, shared=None, fail_on=None):
        self.shared = shared or {"sent": [], "in_flight": 0, "most": 0, "lock": threading.Lock(),
                                 "twins": 0, "fail_on": fail_on}

    def twin(self):
        self.shared["twins"] += 1
        return StreamingClient(self.shared)

    def call(self, model, method, run_id, rows):
        shared = self.shared
        partners = (rows["partner_id"] if isinstance(rows, dict)
                    else [row["partner_id"] for row in rows])
        with shared["lock"]:
            shared["in_flight"] += 1
            shared["most"] = max(shared["most"], shared["in_flight"])
        time.sleep(0.02)
        with shared["lock"]:
            shared["in_flight"] -= 1
            if partners[0] == shared["fail_on"]:
                raise OdooError("row 3: unknown product")
            shared["sent"].append(partners)
        return {"written": len(partners), "skipped_excluded": 0}


def _frame(n):
    return pd.DataFrame({"partner_id": np.arange(n)})


def _to_columns(part):
    return {"partner_id": part["partner_id"].tolist()}


def test_a_frame_written_in_two_streams_sends_every_batch_once_two_at_a_time():
    client = StreamingClient()
    counts = write_frame(client, "ai.customer.suggestion", 5, _frame(23), _to_columns,
                         batch_size=2, streams=2)
    assert counts == {"written": 23, "skipped_excluded": 0}
    sent = client.shared["sent"]
    assert sorted(p for batch in sent for p in batch) == list(range(23)) and len(sent) == 12
    assert client.shared["most"] == 2 and client.shared["twins"] == 1
    # One batch: one call on the client itself, no second connection opened for nothing.
    small = StreamingClient()
    write_frame(small, "ai.customer.suggestion", 5, _frame(2), _to_columns, batch_size=2,
                streams=2)
    assert small.shared["sent"] == [[0, 1]] and small.shared["twins"] == 0


def test_rows_written_in_streams_send_every_batch_once_and_a_single_batch_opens_nothing():
    for rows in ({"partner_id": list(range(9))}, [{"partner_id": p} for p in range(9)]):
        client = StreamingClient()
        assert write_rows(client, "helpdesk.ticket", 5, rows, batch_size=2, streams=3) == {
            "written": 9, "skipped_excluded": 0}
        sent = client.shared["sent"]
        assert sorted(p for batch in sent for p in batch) == list(range(9)) and len(sent) == 5
        assert client.shared["twins"] == 2 and client.shared["most"] >= 2
    single = StreamingClient()
    write_rows(single, "helpdesk.ticket", 5, {"partner_id": [1, 2]}, batch_size=2, streams=3)
    assert single.shared["sent"] == [[1, 2]] and single.shared["twins"] == 0


def test_a_failed_batch_stops_the_streams_and_raises_its_error():
    client = StreamingClient(fail_on=6)
    with pytest.raises(OdooError, match="unknown product"):
        write_frame(client, "ai.customer.suggestion", 5, _frame(40), _to_columns,
                    batch_size=2, streams=2)
    # Sending stopped at the failure: the batches after the ones in flight were never sent.
    assert len(client.shared["sent"]) < 8
