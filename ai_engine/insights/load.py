"""Contact insights → Odoo: ``ai.partner.insight.ai_write``, batches staged for the run and
published by Odoo when the run is reported done."""

from __future__ import annotations

import time

from ai_engine import model_cache
from ai_engine.insights.job import ScoringResult
from ai_engine.odoo_client import OdooClient
from ai_engine.odoo_rows import WRITE_STREAMS, columns, write_frame

# Score column → the ai.partner.insight field it fills (the key the engine sends).
INSIGHT_KEYS = {
    "customer_id": "partner_id",
    "recency_days": "recency_days",
    "frequency": "frequency",
    "monetary": "monetary",
    "rfm_score": "rfm_score",
    "segment_code": "segment_id",
    "cluster_code": "cluster",
    "churn_probability": "churn_probability",
    "churn_risk": "churn_risk",
    "churn_reasons_list": "churn_reasons",
    "churn_method": "churn_method",
    "churn_grade": "churn_grade",
    "clv": "clv",
    "expected_orders": "expected_orders",
    "expected_revenue": "expected_revenue",
    "next_order_date": "next_order_date",
    "clv_12m": "clv_12m",
    "clv_low": "clv_low",
    "clv_high": "clv_high",
    "value_band": "value_band",
    "value_method": "value_method",
    "value_grade": "value_grade",
    "value_reasons": "value_reasons",
}


def insight_columns(scores) -> dict[str, list]:
    frame = scores[list(INSIGHT_KEYS)].rename(columns=INSIGHT_KEYS)
    frame["partner_id"] = frame["partner_id"].astype(int)
    frame["next_order_date"] = frame["next_order_date"].replace("", None)  # none expected
    return columns(frame, list(INSIGHT_KEYS.values()))


def write(client: OdooClient, run_id: int, result: ScoringResult, log) -> int:
    """The run's insights, staged; returns the customers written. A full run's models are
    saved for the runs of changed customers that follow it on this worker."""
    if result.scores.empty:  # no sales: the job scored nobody
        return 0
    started = time.perf_counter()
    counts = write_frame(client, "ai.partner.insight", run_id, result.scores, insight_columns,
                         streams=WRITE_STREAMS)
    log(f"Wrote {counts['written']} customers' insights in {time.perf_counter() - started:.1f}s"
        + (f" ({counts['skipped_excluded']} excluded from profiling meanwhile)"
           if counts.get("skipped_excluded") else ""))
    model_cache.keep(result.save_state_to, result.state, log)
    return counts["written"]
