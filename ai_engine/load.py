"""Results → Odoo, through the module's validated bulk methods, one transaction per batch."""

from __future__ import annotations

import math
from collections.abc import Iterator

import pandas as pd

from ai_engine.odoo_client import OdooClient

# Score columns → keys accepted by res.partner.ai_apply_insights (see docs/ARCHITECTURE.md).
INSIGHT_KEYS = {
    "recency_days": "recency_days",
    "frequency": "frequency",
    "monetary": "monetary",
    "rfm_score": "rfm_score",
    "segment_code": "segment_code",
    "cluster": "cluster",
    "churn_probability": "churn_probability",
    "churn_risk": "churn_risk",
    "churn_reasons_list": "churn_reasons",
    "churn_method": "churn_method",
    "clv": "clv",
}
DEFAULT_BATCH_SIZE = 5000


def _json_value(value):
    """NaN and numpy scalars do not survive JSON-RPC: turn them into plain Python values."""
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def insight_rows(scores: pd.DataFrame) -> list[dict]:
    columns = [c for c in INSIGHT_KEYS if c in scores.columns]
    records = scores[["customer_id", *columns]].to_dict("records")
    return [
        {"id": int(rec["customer_id"]),
         **{INSIGHT_KEYS[c]: _json_value(rec[c]) for c in columns}}
        for rec in records
    ]


def batches(rows: list, size: int) -> Iterator[list]:
    for start in range(0, len(rows), size):
        yield rows[start:start + size]


def apply_insights(client: OdooClient, company_id: int, scores: pd.DataFrame,
                   batch_size: int = DEFAULT_BATCH_SIZE) -> int:
    """Write scores in batches; each batch is all-or-nothing on the server. Returns rows written."""
    written = 0
    for batch in batches(insight_rows(scores), batch_size):
        result = client.call("res.partner", "ai_apply_insights", company_id, batch)
        written += result["updated"]
    return written


def apply_ticket_insights(client: OdooClient, company_id: int, ticket_rows: list[dict],
                          customer_rows: list[dict], batch_size: int = 500) -> int:
    """Ticket insights, then customers' ticket moods; each batch all-or-nothing. Returns the
    number of tickets written."""
    written = 0
    for batch in batches(ticket_rows, batch_size):
        written += client.call("helpdesk.ticket", "ai_apply_ticket_insights", company_id,
                               batch)["updated"]
    for batch in batches(customer_rows, DEFAULT_BATCH_SIZE):
        client.call("res.partner", "ai_apply_insights", company_id, batch)
    return written


AFFINITY_KEYS = ["product_id", "related_product_id", "rank", "score", "customers_both",
                 "confidence", "lift"]
SUGGESTION_KEYS = ["partner_id", "product_id", "rank", "score", "reason", "source"]


def _records(frame: pd.DataFrame, keys: list[str]) -> list[dict]:
    return [{k: _json_value(v) for k, v in rec.items()} for rec in frame[keys].to_dict("records")]


def replace_grouped(client: OdooClient, model: str, method: str, company_id: int,
                    frame: pd.DataFrame, key: str, keys: list[str],
                    batch_size: int = DEFAULT_BATCH_SIZE) -> int:
    """Replace the rows of ``frame`` group by group of ``key`` values, about ``batch_size`` rows
    per call: each call swaps whole groups in one server transaction, so a reader never sees a
    customer (or product) with half of its new list."""
    written = 0
    groups = list(frame.groupby(key, sort=True, dropna=False))
    batch_keys, batch_rows = [], []
    for value, group in groups:
        batch_keys.append(_json_value(value) if pd.notna(value) else False)
        batch_rows.extend(_records(group, keys))
        if len(batch_rows) >= batch_size:
            written += client.call(model, method, company_id, batch_keys, batch_rows)["written"]
            batch_keys, batch_rows = [], []
    if batch_keys:
        written += client.call(model, method, company_id, batch_keys, batch_rows)["written"]
    return written
