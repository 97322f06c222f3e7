"""Score frames become JSON-safe rows for the bulk method, in batches."""

import math

import numpy as np
import pandas as pd

from ai_engine.load import apply_insights, insight_rows


def scores():
    return pd.DataFrame({
        "customer_id": np.array([11, 12], dtype="int64"),
        "recency_days": np.array([3, 40], dtype="int64"),
        "monetary": [120.5, float("nan")],
        "segment_code": ["champions", "at_risk"],
        "churn_probability": np.array([0.1, 0.7], dtype="float32"),
        "churn_reasons_list": [["Ordered 3 days ago"], []],
        "unrelated": ["x", "y"],
    })


def test_rows_use_the_bulk_method_keys_and_plain_python_values():
    rows = insight_rows(scores())
    assert rows[0] == {"id": 11, "recency_days": 3, "monetary": 120.5,
                       "segment_code": "champions",
                       "churn_probability": rows[0]["churn_probability"],
                       "churn_reasons": ["Ordered 3 days ago"]}
    assert math.isclose(rows[0]["churn_probability"], 0.1, rel_tol=1e-6)
    assert rows[1]["monetary"] is None  # NaN cannot travel over JSON-RPC
    assert all(type(v) in (int, float, str, list, type(None)) for r in rows for v in r.values())


class RecordingClient:
    def __init__(self):
        self.batches = []

    def call(self, model, method, company_id, rows):
        self.batches.append((model, method, company_id, [r["id"] for r in rows]))
        return {"updated": len(rows)}


def test_apply_insights_sends_one_call_per_batch():
    client = RecordingClient()
    frame = pd.concat([scores()] * 3, ignore_index=True)
    assert apply_insights(client, 5, frame, batch_size=4) == 6
    assert client.batches == [("res.partner", "ai_apply_insights", 5, [11, 12, 11, 12]),
                              ("res.partner", "ai_apply_insights", 5, [11, 12])]
