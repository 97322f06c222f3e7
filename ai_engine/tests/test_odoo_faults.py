"""Faults against a real Odoo 18: Odoo stopped during extraction and during write-back, a worker
killed mid-run, a claim whose answer is lost, a batch the server rejects. In every case the run
ends failed or is taken back after its lease, no company shows a mix of two runs' results, and
the next run completes."""

import pytest
from conftest import SEEDED_CUSTOMERS

from ai_engine import dispatch, insights, sales
from ai_engine.odoo_client import OdooError
from ai_engine.odoo_rows import write_frame, write_rows

pytestmark = pytest.mark.odoo


def insights_by_run(admin):
    """run id → number of insight rows it holds, published or staged."""
    rows = admin.call("ai.partner.insight", "read_group", [], ["run_id"], ["run_id"],
                      context={"active_test": False})
    return {row["run_id"][0] if row["run_id"] else None: row["run_id_count"] for row in rows}


def published_run(admin):
    runs = {row["run_id"][0] for row in admin.call(
        "ai.partner.insight", "search_read", [], fields=["run_id"])}
    assert len(runs) == 1, f"insights of several runs are shown at once: {runs}"
    return runs.pop()


def take_back(admin, run_id):
    """What time does to a run whose worker fell silent: its lease runs out."""
    admin.call("ai.run", "write", [run_id], {"lease_until": "2000-01-01 00:00:00"})


def queue_insights(client):
    return client.call("ai.run", "action_queue", "insights", False, "manual")


@pytest.fixture
def published(engine, admin, seeded):
    """A company whose insights are published by a finished run."""
    queue_insights(engine)
    outcome = dispatch.process_next(engine)
    assert outcome.state == "done"
    assert published_run(admin) == outcome.run_id
    return outcome.run_id


def finish_after_take_back(engine, admin, run_id):
    """The next poll takes the run back and completes it; its results are the ones shown."""
    take_back(admin, run_id)
    outcome = dispatch.process_next(engine)
    assert (outcome.run_id, outcome.state) == (run_id, "done")
    assert published_run(admin) == run_id
    assert insights_by_run(admin) == {run_id: SEEDED_CUSTOMERS}


def run_through_an_outage(odoo_server, engine, monkeypatch):
    """Process a queued insights run while the patched step stops Odoo; Odoo is back after.
    Returns the run and the error the engine raised."""
    run_id = queue_insights(engine)
    try:
        with pytest.raises(OdooError) as raised:
            dispatch.process_next(engine)
    finally:
        monkeypatch.undo()
        odoo_server.start()
    return run_id, raised.value


def test_odoo_stopped_during_extraction(odoo_server, engine, admin, published, monkeypatch,
                                        user_sees):
    real = sales.read_sales_columns

    def outage(client, company_id, page_size=None, changed_since=None):
        # Both ways an insights run reads: the whole history, or a kept copy's changes.
        odoo_server.halt()
        return real(client, company_id, page_size, changed_since)

    monkeypatch.setattr(sales, "read_sales_columns", outage)
    run_id, error = run_through_an_outage(odoo_server, engine, monkeypatch)
    [run] = admin.call("ai.run", "read", [run_id], ["state"])
    assert run["state"] == "running"  # nobody could tell Odoo: its lease will
    assert published_run(admin) == published and insights_by_run(admin) == {
        published: SEEDED_CUSTOMERS}
    finish_after_take_back(engine, admin, run_id)
    user_sees("Odoo fault", "Odoo stopped during extraction", f"engine: {error} Odoo: the previous "
              "results stay shown; the run is queued again when its lease expires and completes")


def test_odoo_stopped_during_write_back(odoo_server, engine, admin, published, monkeypatch,
                                        user_sees):
    def cut_after_one_batch(client, model, run_id, frame, to_columns, batch_size=5000,
                            streams=1):
        write_rows(client, model, run_id, to_columns(frame.iloc[:100]))
        odoo_server.halt()
        return write_frame(client, model, run_id, frame.iloc[100:], to_columns, 50, streams)

    monkeypatch.setattr(insights.load, "write_frame", cut_after_one_batch)
    run_id, error = run_through_an_outage(odoo_server, engine, monkeypatch)
    # The first batch is staged, unseen: the company still shows the previous run whole.
    assert insights_by_run(admin)[run_id] > 0
    assert published_run(admin) == published
    finish_after_take_back(engine, admin, run_id)
    user_sees("Odoo fault", "Odoo stopped during write-back", f"engine: {error} Odoo: the staged "
              "batch stays unseen, the previous results stay shown whole; the run is queued "
              "again when its lease expires and completes")


def test_worker_killed_mid_run(engine, admin, published, user_sees):
    run_id = queue_insights(engine)
    claim = engine.call("ai.run", "ai_claim_next", "worker-killed", ["insights"], "k1")
    assert claim["id"] == run_id  # …and the worker dies without a word
    assert dispatch.process_next(engine) is None  # another worker does not steal it meanwhile
    finish_after_take_back(engine, admin, run_id)
    [run] = admin.call("ai.run", "read", [run_id], ["attempts", "worker"])
    assert run["attempts"] == 2 and run["worker"] != "worker-killed"
    user_sees("Odoo fault", "worker killed mid-run", "the run stays claimed until its lease "
              "expires (no other worker takes it), then is queued again and completes "
              f"(attempt {run['attempts']})")


def test_a_claim_whose_answer_was_lost_is_claimed_again(engine, admin, published, user_sees):
    run_id = queue_insights(engine)
    first = engine.call("ai.run", "ai_claim_next", "w", ["insights"], "lost-answer")
    again = engine.call("ai.run", "ai_claim_next", "w", ["insights"], "lost-answer")
    assert first == again and first["id"] == run_id
    user_sees("Odoo fault", "the answer to a claim lost, the claim resent",
              f"the same run {run_id} again, no orphan")
    engine.call("ai.run", "ai_fail", run_id, "stopped by the test", "")


def test_a_batch_the_server_rejects(engine, admin, published, monkeypatch, user_sees):
    def one_bad_row(scores):
        columns = real(scores)
        columns["churn_risk"][7] = "apocalyptic"
        return columns

    real = insights.load.insight_columns
    monkeypatch.setattr(insights.load, "insight_columns", one_bad_row)
    queue_insights(engine)
    outcome = dispatch.process_next(engine)
    monkeypatch.undo()
    assert outcome.state == "failed" and "apocalyptic" in outcome.error
    [run] = admin.call("ai.run", "read", [outcome.run_id], ["state", "error"])
    assert run["state"] == "failed" and "nothing was written" in run["error"]
    assert published_run(admin) == published and outcome.run_id not in insights_by_run(admin)
    queue_insights(engine)
    assert dispatch.process_next(engine).state == "done"
    user_sees("Odoo fault", "a batch the server rejects", f"run failed: {run['error'][:200]}; "
              "nothing of it shown; the next run completes")
