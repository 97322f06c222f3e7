"""Score frames become JSON-safe rows for the bulk method, in batches."""

import math

import numpy as np
import pandas as pd

from ai_engine.insights.load import apply_insights, insight_rows
from ai_engine.suggestions.load import SUGGESTION_KEYS, replace_grouped


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


class ReplacingClient:
    def __init__(self):
        self.calls = []

    def call(self, model, method, company_id, keys, rows):
        self.calls.append((keys, [(r["partner_id"], r["product_id"]) for r in rows]))
        return {"written": len(rows)}


def test_replace_grouped_never_splits_a_group_across_calls():
    frame = pd.DataFrame({
        "partner_id": [7, 7, 7, 9, False, False],
        "product_id": np.array([1, 2, 3, 1, 4, 5], dtype="int64"),
        "rank": [1, 2, 3, 1, 1, 2], "score": [0.5, 0.4, 0.3, 0.9, 0.2, 0.1],
        "reason": ["a", "b", "c", "d", "Top seller overall", "Top seller overall"],
        "source": ["cycle"] * 4 + ["popular"] * 2,
    })
    client = ReplacingClient()
    written = replace_grouped(client, "ai.customer.suggestion", "ai_replace_suggestions", 3,
                              frame, "partner_id", SUGGESTION_KEYS, batch_size=2)
    assert written == 6
    # False (the popular list) sorts first; each call carries whole groups only.
    assert client.calls == [([False], [(False, 4), (False, 5)]),
                            ([7], [(7, 1), (7, 2), (7, 3)]),
                            ([9], [(9, 1)])]
