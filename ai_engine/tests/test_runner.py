"""The worker loop: it keeps polling through Odoo outages and stops only when told."""

from ai_engine import runner
from ai_engine.odoo_client import OdooConnectionError


def test_worker_survives_outages_and_sleeps_only_when_idle(monkeypatch):
    script = [OdooConnectionError("down"), runner.RunOutcome(1, "insights", 1, "done"),
              None, None]
    monkeypatch.setattr(runner, "process_next", lambda client, worker: _next(script))
    sleeps = []
    runner.work_forever(object(), poll_seconds=7, max_idle_polls=2, sleep=sleeps.append)
    assert script == []
    # The outage and both empty polls wait; a finished run polls again at once.
    assert sleeps == [7, 7, 7]


def _next(script):
    item = script.pop(0)
    if isinstance(item, Exception):
        raise item
    return item
