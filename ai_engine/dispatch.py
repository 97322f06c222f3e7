"""Runs queued in Odoo (``ai.run``): claim → the task's feature (extract → job → load) → finish.

The worker never decides what to run: Odoo's queue does (cron or "Run now"), and the claim is
atomic on the server, so several workers can poll the same database safely.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import time
import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from types import ModuleType

from ai_engine import helpdesk, insights, retention, suggestions
from ai_engine.errors import AiEngineError
from ai_engine.odoo_client import OdooClient, OdooError
from ai_engine.odoo_rows import selection_values

_logger = logging.getLogger(__name__)


@dataclass
class RunLog:
    """Timestamped lines kept for the run's log in Odoo, echoed to the engine's own log."""

    lines: list[str] = field(default_factory=list)

    def __call__(self, message: str) -> None:
        _logger.info(message)
        self.lines.append(f"{dt.datetime.now():%Y-%m-%d %H:%M:%S} {message}")

    def text(self) -> str:
        return "\n".join(self.lines)


@dataclass
class RunOutcome:
    run_id: int
    task: str
    company_id: int
    state: str
    partners_scored: int = 0
    metrics: dict = field(default_factory=dict)
    error: str = ""


# The ai.run task → its feature, in the order runs queued together are meant to run: the
# suggestions and helpdesk tasks read the segments and churn risks insights publish (Odoo holds
# them back while the company's insights run is pending: contract.TASK_NEEDS); retention
# reads the insights and suggestions published.
TASKS: dict[str, ModuleType] = {"insights": insights, "suggestions": suggestions,
                                "helpdesk": helpdesk, "retention": retention}
# The name the suggestions task had before 18.0.2, still accepted from people.
TASK_ALIASES = {"recommend": "suggestions"}


def run_task(client: OdooClient, run_id: int, task: str, company_id: int, params: dict,
             log: RunLog, today: dt.date | None = None) -> tuple[int, dict]:
    """One claimed run: its feature's extract → job → load. Returns (records written,
    metrics). ``params``: what Odoo hands over with the claimed run (company settings, the
    last run's start)."""
    feature = TASKS[task]
    inputs = feature.extract.read(client, company_id, params, log)
    heartbeat(client, run_id)
    result = feature.job.run(inputs, params, today or dt.date.today(), log)
    heartbeat(client, run_id)
    return feature.load.write(client, run_id, result, log), result.metrics


def heartbeat(client: OdooClient, run_id: int) -> None:
    """Tell Odoo the run is still being worked on (its lease starts again): a run whose worker
    falls silent for the lease is taken back and queued again."""
    client.call("ai.run", "ai_heartbeat", run_id)


def server_tasks(client: OdooClient) -> list[str]:
    """The tasks this Odoo runs, in the engine's order (helpdesk only with ai_crm_helpdesk)."""
    known = set(selection_values(client, "ai.run", "task"))
    return [task for task in TASKS if task in known]


def default_worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def process_next(client: OdooClient, worker: str | None = None) -> RunOutcome | None:
    """Claim and execute the oldest queued run; None when the queue is empty. The claim carries
    a token of its own, so resending it after a lost answer returns the same run."""
    claim = client.call("ai.run", "ai_claim_next", worker or default_worker_name(), list(TASKS),
                        uuid.uuid4().hex)
    if not claim:
        return None
    run_id, task, company_id = claim["id"], claim["task"], claim["company_id"]
    log = RunLog()
    log(f"Run {run_id}: {task} for company {company_id}")
    try:
        written, metrics = run_task(client, run_id, task, company_id, claim.get("params") or {},
                                    log)
    except (AiEngineError, ValueError) as exc:
        return _fail(client, run_id, task, company_id, str(exc), log)
    except Exception as exc:  # a bug: keep the traceback in the run for whoever reads it
        log(traceback.format_exc())
        return _fail(client, run_id, task, company_id, f"Unexpected error: {exc!r}", log)
    client.call("ai.run", "ai_finish", run_id,
                {"partners_scored": written, "metrics": metrics, "log": log.text()})
    return RunOutcome(run_id, task, company_id, "done", written, metrics)


def _fail(client, run_id, task, company_id, error, log) -> RunOutcome:
    log(f"Failed: {error}")
    client.call("ai.run", "ai_fail", run_id, error, log.text())
    return RunOutcome(run_id, task, company_id, "failed", error=error)


def queue_runs(client: OdooClient, task: str = "insights",
               company_ids: list[int] | None = None) -> list[int]:
    """Queue ``task`` for the given companies (default: every company the user may access)."""
    if not company_ids:
        [user] = client.call("res.users", "read", [client.uid], ["company_ids"])
        company_ids = user["company_ids"]
    return [client.call("ai.run", "action_queue", task, company_id, "manual")
            for company_id in company_ids]


def run_pending(client: OdooClient, worker: str | None = None) -> list[RunOutcome]:
    """Process queued runs until the queue is empty (``ai-engine run``)."""
    outcomes = []
    while (outcome := process_next(client, worker)) is not None:
        outcomes.append(outcome)
    return outcomes


def work_forever(client: OdooClient, poll_seconds: float = 30.0, worker: str | None = None,
                 max_idle_polls: int | None = None,
                 sleep: Callable[[float], None] = time.sleep, retry_first: float = 5.0,
                 retry_max: float = 300.0) -> None:
    """``ai-engine worker``: poll the queue until the client is stopped (``client.stop``: the
    command does it on SIGTERM and Ctrl-C) or after ``max_idle_polls`` empty polls in a row.

    Odoo or the network down, at start or later: poll again after ``retry_first`` seconds,
    doubling up to ``retry_max``, with one log line when Odoo goes away (or answers errors) and
    one when it is back; a run the outage left open is failed once Odoo answers. A refused
    login, missing rights or bad settings are raised: retrying would not mend them. Once
    stopped, a claimed run that cannot finish is failed with the stop's reason (nothing of it
    is published) and the function returns.
    """
    from ai_engine.odoo_client import (
        EngineStopped,
        OdooAccessError,
        OdooAuthError,
        OdooConfigError,
        OdooConnectionError,
        OdooValidationError,
    )

    idle, wait, away, lost = 0, retry_first, None, ""
    try:
        while max_idle_polls is None or idle < max_idle_polls:
            try:
                client.fail_open_runs(lost)  # runs an outage left open, if any
                outcome = process_next(client, worker)
            except (OdooAuthError, OdooAccessError, OdooConfigError):
                raise
            except OdooValidationError as exc:  # a run's report refused (closed meanwhile)
                _logger.warning("Odoo refused: %s", exc)
                outcome = None
            except OdooError as exc:
                kind = "unreachable" if isinstance(exc, OdooConnectionError) else "failing"
                if away is None or away[0] != kind:
                    _logger.warning("Odoo is %s; polling again with back-off (%g s up to %g "
                                    "s), logged again when it answers: %s", kind, wait,
                                    retry_max, exc)
                    away = (kind, away[1] if away else time.monotonic())
                lost = (f"The engine lost Odoo during this run ({exc}); nothing of it was "
                        "published. It runs again with the next scheduled run, or use Run now.")
                sleep(wait)
                wait = min(wait * 2, retry_max)
                continue
            if away is not None:
                _logger.info("Odoo answers again, after %.0f s.", time.monotonic() - away[1])
                away, wait = None, retry_first
            idle = 0 if outcome else idle + 1
            if not outcome:
                sleep(poll_seconds)
    except EngineStopped as exc:
        try:
            client.fail_open_runs(str(exc))
        except OdooError as error:
            _logger.warning("AI runs %s stay running in Odoo (%s) until Odoo's own check "
                            "gives up on them.", sorted(client.open_runs), error)
