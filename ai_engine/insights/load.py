"""Contact insights → Odoo: ``res.partner.ai_apply_insights``, one transaction per batch."""

from __future__ import annotations

import time

import pandas as pd

from ai_engine.insights.job import ScoringResult
from ai_engine.odoo_client import DEFAULT_BATCH_SIZE, OdooClient, batches, json_value

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


def insight_rows(scores: pd.DataFrame) -> list[dict]:
    columns = [c for c in INSIGHT_KEYS if c in scores.columns]
    records = scores[["customer_id", *columns]].to_dict("records")
    return [
        {"id": int(rec["customer_id"]),
         **{INSIGHT_KEYS[c]: json_value(rec[c]) for c in columns}}
        for rec in records
    ]


def apply_insights(client: OdooClient, company_id: int, scores: pd.DataFrame,
                   batch_size: int = DEFAULT_BATCH_SIZE) -> int:
    """Write scores in batches; each batch is all-or-nothing on the server. Returns rows written."""
    written = 0
    for batch in batches(insight_rows(scores), batch_size):
        result = client.call("res.partner", "ai_apply_insights", company_id, batch)
        written += result["updated"]
    return written


def write(client: OdooClient, company_id: int, result: ScoringResult, log) -> int:
    """The run's scores onto the partners; returns the partners written."""
    if result.scores.empty:  # no sales: the job scored nobody
        return 0
    started = time.perf_counter()
    written = apply_insights(client, company_id, result.scores)
    log(f"Wrote {written} partners in {time.perf_counter() - started:.1f}s")
    return written
