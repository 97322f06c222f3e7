"""The retention task against a real Odoo 18: a seeded company's insights and suggestions, then
a retention run that draws a wave and gives the calls to the company's fallback user."""

import pytest

from ai_engine import dispatch

pytestmark = pytest.mark.odoo


def test_retention_run_schedules_calls_for_the_fallback_user(engine, admin, seeded):
    [user] = admin.call("res.users", "read", [admin.uid], ["company_id"])
    company_id = user["company_id"][0]
    admin.call("res.company", "write", [company_id],
               {"ai_retention_user_id": admin.uid, "ai_retention_per_salesperson": 10})
    for task in ("insights", "suggestions", "retention"):
        dispatch.queue_runs(admin, task, [company_id])
    outcomes = {o.task: o for o in dispatch.run_pending(engine)}
    assert outcomes["retention"].state == "done", outcomes["retention"].error
    [wave] = admin.call("ai.retention.wave", "search_read", [("company_id", "=", company_id)],
                        fields=["treated_count", "control_count", "seed", "state"])
    assert 0 < wave["treated_count"] <= 10 and wave["control_count"] >= 1
    assert wave["state"] == "waiting"
    calls = admin.call("mail.activity", "search_read",
                       [("activity_type_id.name", "=", "Retention call")],
                       fields=["user_id", "note", "res_model"])
    assert len(calls) == wave["treated_count"] == outcomes["retention"].partners_scored
    assert all(c["user_id"][0] == admin.uid and c["res_model"] == "res.partner" for c in calls)
    assert any("Why:" in (c["note"] or "") for c in calls)
    # The same week again: past waves are not due yet, and no second wave is drawn.
    dispatch.queue_runs(admin, "retention", [company_id])
    [again] = dispatch.run_pending(engine)
    assert again.state == "done" and again.partners_scored == 0
    assert admin.call("ai.retention.wave", "search_count", []) == 1
