"""Retention → Odoo: what past waves brought (``ai.retention.wave.member.ai_write``,
``ai.retention.wave.ai_write``), then this week's wave and its call activities
(``ai.retention.wave.ai_create_wave``, one call, all or nothing)."""

from __future__ import annotations

from ai_engine.odoo_client import OdooClient
from ai_engine.odoo_rows import json_value, write_rows
from ai_engine.retention.evaluate import OUTCOME_COLUMNS
from ai_engine.retention.job import RetentionResult

# Keys of the rows the engine sends (the fields of the Odoo models they fill).
WAVE_KEYS = ["date", "seed", "horizon_days", "per_salesperson", "control_percent"]
MEMBER_KEYS = ["partner_id", "user_id", "assignment", "rank", "churn_probability",
               "baseline_value", "id", *OUTCOME_COLUMNS[1:]]
EFFECT_KEYS = ["id", "treated_measured", "control_measured", "treated_ordered",
               "control_ordered", "treated_reorder_rate", "control_reorder_rate",
               "reorder_diff", "reorder_diff_low", "reorder_diff_high", "treated_revenue",
               "control_revenue", "revenue_diff", "revenue_diff_low", "revenue_diff_high",
               "activities_done", "conclusion"]


def wave_payload(wave: dict) -> dict:
    members = [{**{k: v for k, v in m.items() if k != "customer_id"},
                "partner_id": m["customer_id"]} for m in wave["members"]]
    return json_value({**{k: wave[k] for k in WAVE_KEYS}, "members": members})


def write(client: OdooClient, run_id: int, result: RetentionResult, log) -> int:
    """Past waves measured, then the new wave drawn; returns the calls scheduled."""
    if result.outcomes:
        write_rows(client, "ai.retention.wave.member", run_id, json_value(result.outcomes))
        write_rows(client, "ai.retention.wave", run_id, json_value(result.effects))
    if not result.wave:
        return 0
    answer = client.call("ai.retention.wave", "ai_create_wave", run_id,
                         wave_payload(result.wave))
    result.metrics["wave_id"] = answer["wave_id"]
    log(f"Wave {answer['wave_id']}: {answer['activities']} call activities"
        + (f" ({answer['skipped_excluded']} excluded from profiling meanwhile)"
           if answer.get("skipped_excluded") else ""))
    return answer["activities"]
