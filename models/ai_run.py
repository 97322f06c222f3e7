import json
import logging
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError
from odoo.tools import SQL

from . import ai_contract, ai_run_metrics
from .ai_engine_api import AI_GROUP_ENGINE

_logger = logging.getLogger(__name__)


AI_GROUP_MANAGER = "ai_crm.group_ai_manager"
TASKS = [
    ("insights", "Contact insights"),
    ("suggestions", "Product suggestions"),
    ("retention", "Retention calls"),
]
PENDING_STATES = ("queued", "running")
# The scopes a task's runs may have besides "full" (every customer).
SCOPES = {"insights": ("full", "changes")}
LEASE_MINUTES = 30  # a worker reports at least this often (ai_heartbeat, each batch written)
MAX_ATTEMPTS = 2
FINISH_KEYS = {"partners_scored", "metrics", "log"}


class AiRun(models.Model):
    """One unit of work for the AI engine: queued by the cron or "Run now", claimed by a worker.

    Odoo decides what runs; the engine only claims (``ai_claim_next``) and reports back
    (``ai_finish`` / ``ai_fail``). At most one run per task and company is pending at a time,
    and a task that reads another's results waits for it (``_ai_task_needs``). A run's results
    are staged while it runs and published when it is done (``ai.engine.snapshot``).
    """

    _name = "ai.run"
    _description = "AI Engine Run"
    _order = "queued_at desc, id desc"
    _check_company_auto = True

    name = fields.Char(required=True, readonly=True)
    task = fields.Selection(TASKS, required=True, default="insights", readonly=True)
    company_id = fields.Many2one(
        "res.company", required=True, readonly=True, default=lambda self: self.env.company,
        index=True,
    )
    state = fields.Selection(
        [("queued", "Queued"), ("running", "Running"), ("done", "Done"), ("failed", "Failed")],
        required=True, default="queued", readonly=True, index=True,
    )
    trigger = fields.Selection(
        [("cron", "Scheduled"), ("manual", "Manual")], required=True, default="manual",
        readonly=True,
    )
    scope = fields.Selection(
        [("full", "Every customer"), ("changes", "Changed customers")], required=True,
        default="full", readonly=True,
        help="Every customer: models learned again, every result replaced (the nightly run). "
        "Changed customers: only the customers whose orders changed since the last contact "
        "insights run, scored with the models of the last full run; the others keep theirs.",
    )
    queued_at = fields.Datetime(required=True, default=fields.Datetime.now, readonly=True)
    started_at = fields.Datetime(readonly=True)
    finished_at = fields.Datetime(readonly=True)
    duration = fields.Float(
        string="Duration (min)", compute="_compute_duration", digits=(16, 1),
        help="Minutes from claim to finish.",
    )
    worker = fields.Char(readonly=True, help="The engine worker that claimed the run.")
    partners_scored = fields.Integer(
        string="Records Written", readonly=True,
        help="Customers scored (contact insights), customers given suggestions (product "
        "suggestions), tickets analysed (helpdesk) or calls scheduled (retention).",
    )
    metrics_json = fields.Text(string="Metrics (JSON)", readonly=True)
    metrics_html = fields.Html(
        string="Metrics", compute="_compute_metrics_html", sanitize=False,
    )
    log = fields.Text(readonly=True)
    error = fields.Text(readonly=True)
    lease_until = fields.Datetime(
        readonly=True, help="A running run whose worker has not reported by then is taken back: "
        "queued again once, failed the second time.")
    claim_token = fields.Char(readonly=True, copy=False,
                              help="What the worker sent with its claim, to claim it again safely.")
    attempts = fields.Integer(readonly=True, help="How many times a worker claimed this run.")

    def init(self):
        # Two "Run now" clicks racing each other must not queue the same work twice.
        self.env.cr.execute(
            "CREATE UNIQUE INDEX IF NOT EXISTS ai_run_one_pending_idx ON ai_run (task, company_id) "
            "WHERE state IN ('queued', 'running')"
        )

    @api.depends("started_at", "finished_at")
    def _compute_duration(self):
        for run in self:
            if run.started_at and run.finished_at:
                run.duration = (run.finished_at - run.started_at).total_seconds() / 60.0
            else:
                run.duration = 0.0

    @api.depends("metrics_json")
    def _compute_metrics_html(self):
        for run in self:
            run.metrics_html = ai_run_metrics.to_html(self.env, run.metrics_json)

    # ------------------------------------------------------------------------------------------
    # Queueing (managers, the engine, the cron)
    # ------------------------------------------------------------------------------------------
    def _check_can_queue(self):
        if not (
            self.env.su
            or self.env.user.has_group(AI_GROUP_MANAGER)
            or self.env.user.has_group(AI_GROUP_ENGINE)
        ):
            raise AccessError(self.env._("Only AI CRM managers may queue AI runs."))

    @api.model
    def _prepare_run_vals(self, task, company, trigger, scope="full"):
        label = dict(self._fields["task"]._description_selection(self.env))[task]
        if scope != "full":
            label += " · " + dict(self._fields["scope"]._description_selection(self.env))[scope]
        return {
            "name": f"{label} · {company.name}",
            "task": task,
            "company_id": company.id,
            "trigger": trigger,
            "scope": scope,
            "state": "queued",
            "queued_at": fields.Datetime.now(),
        }

    @api.model
    def _pending_run_domain(self, task, company_id):
        return [
            ("task", "=", task),
            ("company_id", "=", company_id),
            ("state", "in", PENDING_STATES),
        ]

    @api.model
    def action_queue(self, task="insights", company_id=None, trigger="manual", scope="full"):
        """Queue ``task`` for ``company_id`` unless one is already queued or running.

        ``scope``: ``full``, or ``changes`` (contact insights only: the customers whose orders
        changed since the last run, with the last full run's models).

        :return: id of the new run, or of the pending one.
        """
        self._check_can_queue()
        if task not in dict(self._fields["task"].selection):
            raise ValidationError(self.env._("Unknown AI task: %(task)s", task=task))
        if trigger not in dict(self._fields["trigger"].selection):
            raise ValidationError(self.env._("Unknown trigger: %(trigger)s", trigger=trigger))
        if scope not in SCOPES.get(task, ("full",)):
            raise ValidationError(self.env._("A %(task)s run cannot have the scope %(scope)s.",
                                             task=task, scope=scope))
        company_id = company_id or self.env.company.id
        if not self.env.su and company_id not in self.env.user.company_ids.ids:
            raise AccessError(
                self.env._("Company %(company)s is not one of your companies.", company=company_id)
            )
        company = self.env["res.company"].sudo().browse(company_id).exists()
        if not company:
            raise ValidationError(self.env._("Company %(company)s does not exist.",
                                             company=company_id))
        runs = self.sudo()
        pending = runs.search(self._pending_run_domain(task, company.id), limit=1)
        if pending:
            return pending.id
        run = runs.create(self._prepare_run_vals(task, company, trigger, scope))
        return run.id

    def action_run_now(self):
        """Button: queue the context's ``ai_task`` (default contact insights) for the current
        company and show the run."""
        task = self.env.context.get("ai_task", "insights")
        run_id = self.action_queue(task, self.env.company.id, "manual")
        return {
            "type": "ir.actions.act_window",
            "res_model": "ai.run",
            "res_id": run_id,
            "views": [(False, "form")],
            "target": "current",
        }

    def action_mark_failed(self):
        """Button: give up a queued or stuck run, so that a new one can be queued."""
        self._check_can_queue()
        pending = self.filtered(lambda run: run.state in PENDING_STATES)
        pending.sudo()._ai_fail_runs(self.env._("Stopped by %(user)s.", user=self.env.user.name))
        return True

    @api.model
    def _ai_lease(self):
        """How long a worker may stay silent on a run it claimed before it is taken back."""
        minutes = self.env["ir.config_parameter"].sudo().get_param(
            "ai_crm.run_lease_minutes", LEASE_MINUTES)
        return timedelta(minutes=int(minutes))

    @api.model
    def _ai_take_back_expired(self):
        """Running runs whose worker fell silent past the lease (killed, cut off): queued again
        once, failed the second time; what they staged goes either way."""
        expired = self.sudo().search([("state", "=", "running"),
                                      ("lease_until", "<", fields.Datetime.now())])
        if not expired:
            return expired
        again = expired.filtered(lambda run: run.attempts < MAX_ATTEMPTS)
        for run in again:
            for model in self.env["ai.engine.snapshot"]._ai_snapshot_models(run.task):
                model._ai_discard(run)
        again.write({"state": "queued", "worker": False, "lease_until": False,
                     "claim_token": False,
                     "error": self.env._("The worker stopped answering; queued again.")})
        (expired - again)._ai_fail_runs(self.env._(
            "The worker stopped answering %(n)s times: the run was given up.", n=MAX_ATTEMPTS))
        _logger.info("AI runs taken back after their lease: %d queued again, %d failed",
                     len(again), len(expired - again))
        return expired

    @api.model
    def _cron_tasks(self):
        """The tasks the daily cron queues for every company."""
        return [task for task, _label in self._fields["task"].selection]

    @api.model
    def _cron_queue_runs(self, tasks=None, scope="full"):
        """Fail runs a worker abandoned, then queue ``tasks`` (default: every task of the daily
        cron) for every company, of ``scope``."""
        runs = self.sudo()
        stale = self._ai_take_back_expired()
        # Every company gets its runs; companies are few.
        companies = self.env["res.company"].sudo().search([])  # pylint: disable=no-search-all
        before = runs.search_count([("state", "=", "queued")])
        for company in companies:
            for task in tasks or self._cron_tasks():
                runs.action_queue(task, company.id, "cron", scope)
        queued = runs.search_count([("state", "=", "queued")]) - before
        _logger.info(
            "AI runs: %d queued for %d companies, %d runs taken back after their lease",
            queued, len(companies), len(stale),
        )
        return queued

    # ------------------------------------------------------------------------------------------
    # The engine's side of the queue
    # ------------------------------------------------------------------------------------------
    def _check_engine(self):
        if not (self.env.su or self.env.user.has_group(AI_GROUP_ENGINE)):
            raise AccessError(self.env._("Only the AI engine may claim or report AI runs."))

    @api.model
    def _ai_task_needs(self):
        """task → the tasks whose results it reads; it waits while they are pending."""
        return dict(ai_contract.TASK_NEEDS)

    @api.model
    def ai_claim_next(self, worker, tasks, token=None):
        """Atomically take the oldest queued run of ``tasks`` in one of the caller's companies
        whose company has no pending run of a task it reads (``_ai_task_needs``).

        Concurrent workers skip rows another transaction has locked, so two workers never take
        the same run; a run waiting for another is seen as pending (queued, then running) by
        every worker until that one is over.

        ``token``: any text unique to this claim; a claim repeated with the same token (its
        answer was lost on the way) returns the run it took the first time instead of a second
        one. A claimed run is the worker's for a lease (``ai_heartbeat`` extends it).

        :return: ``{"id", "task", "company_id", "params"}`` or False when nothing is ready.
        """
        self._check_engine()
        if isinstance(tasks, str) or not isinstance(tasks, (list, tuple)) or not tasks:
            raise ValidationError(self.env._("tasks must be a non-empty list of task names."))
        if token:
            again = self.sudo().search([
                ("state", "=", "running"), ("claim_token", "=", str(token)),
                ("company_id", "in", self.env.user.company_ids.ids)], limit=1)
            if again:
                return again._ai_claim_answer()
        self._ai_take_back_expired()
        needs = [(task, need) for task, needed in self._ai_task_needs().items()
                 for need in needed] or [(None, None)]
        self.env["ai.run"].flush_model(["state", "task", "company_id", "queued_at"])
        self.env.cr.execute(SQL(
            "SELECT r.id FROM ai_run r WHERE r.state = 'queued' AND r.task IN %s "
            "AND r.company_id IN %s AND NOT EXISTS ("
            "  SELECT 1 FROM ai_run p JOIN (VALUES %s) AS n(task, need) ON p.task = n.need "
            "  WHERE n.task = r.task AND p.company_id = r.company_id "
            "  AND p.state IN ('queued', 'running')) "
            "ORDER BY r.queued_at, r.id FOR UPDATE OF r SKIP LOCKED LIMIT 1",
            tuple(tasks), tuple(self.env.user.company_ids.ids),
            SQL(", ").join(SQL("(%s, %s)", task, need) for task, need in needs),
        ))
        row = self.env.cr.fetchone()
        if not row:
            return False
        run = self.sudo().browse(row[0])
        now = fields.Datetime.now()
        run.write({
            "state": "running",
            "started_at": now,
            "worker": str(worker or "")[:256],
            "lease_until": now + self._ai_lease(),
            "claim_token": str(token)[:64] if token else False,
            "attempts": run.attempts + 1,
            "error": False,
        })
        _logger.info("AI run %d (%s, company %d) claimed by %s",
                     run.id, run.task, run.company_id.id, run.worker)
        return run._ai_claim_answer()

    def _ai_claim_answer(self):
        self.ensure_one()
        return {"id": self.id, "task": self.task, "company_id": self.company_id.id,
                "params": self._ai_claim_params()}

    @api.model
    def ai_heartbeat(self, run_id):
        """The worker is still on the run: its lease starts again. :return: the new lease end."""
        run = self._ai_engine_run(run_id, ("running",))
        run.lease_until = fields.Datetime.now() + self._ai_lease()
        return fields.Datetime.to_string(run.lease_until)

    def _ai_claim_params(self):
        """What the engine needs to know for this run, besides its data; a run of the changed
        customers also gets when the company's last done run of its task started."""
        self.ensure_one()
        params = self.company_id._ai_run_params(self.task)
        if self.scope == "changes":
            params.update(scope="changes", changes_since=self._ai_since())
        return params

    def _ai_since(self):
        """When the last successful run of this task and company started: a run of what
        changed starts from there; None for the first run."""
        self.ensure_one()
        last = self.sudo().search([
            ("task", "=", self.task), ("company_id", "=", self.company_id.id),
            ("state", "=", "done"), ("id", "!=", self.id),
        ], order="started_at desc", limit=1)
        return fields.Datetime.to_string(last.started_at) if last else None

    @api.model
    def _ai_engine_run(self, run_id, states, task=None):
        """The run ``run_id`` of one of the caller's companies, in ``states`` (and of ``task``),
        for the engine to report on or write for."""
        self._check_engine()
        run = self.sudo().browse(run_id).exists() if isinstance(run_id, int) else None
        if not run or run.company_id.id not in self.env.user.company_ids.ids:
            raise ValidationError(self.env._("AI run %(run)s does not exist.", run=run_id))
        if run.state not in states:
            raise ValidationError(self.env._(
                "AI run %(run)s is %(state)s, not %(expected)s.",
                run=run_id, state=run.state, expected=" or ".join(states),
            ))
        if task and run.task != task:
            raise ValidationError(self.env._(
                "AI run %(run)s computes %(task)s, not these results.", run=run_id,
                task=run.task))
        return run

    @api.model
    def ai_finish(self, run_id, values):
        """The engine reports success: ``values`` has ``partners_scored``, ``metrics``, ``log``.
        The results the run staged replace the company's previous ones, in this transaction."""
        run = self._ai_engine_run(run_id, ("running",))
        values = values or {}
        unknown = sorted(set(values) - FINISH_KEYS)
        if unknown:
            raise ValidationError(self.env._(
                "Unknown keys: %(keys)s. Allowed: %(allowed)s.",
                keys=", ".join(map(str, unknown)), allowed=", ".join(sorted(FINISH_KEYS)),
            ))
        metrics = values.get("metrics")
        published = {model._name: model._ai_publish(run) for model in
                     self.env["ai.engine.snapshot"]._ai_snapshot_models(run.task)}
        log = "\n".join([values.get("log") or ""] + [
            f"Published {counts['published']} rows of {name}, retired {counts['retired']}"
            for name, counts in published.items()]).strip()
        run.write({
            "state": "done",
            "finished_at": fields.Datetime.now(),
            "partners_scored": int(values.get("partners_scored") or 0),
            "metrics_json": json.dumps(metrics, indent=2, sort_keys=True, default=str)
            if metrics is not None else False,
            "log": log or False,
            "error": False,
        })
        _logger.info("AI run %d done: %d records written", run.id, run.partners_scored)
        return True

    @api.model
    def ai_fail(self, run_id, error, log=None):
        """The engine reports a failure (``error`` one line for people, ``log`` the details)."""
        run = self._ai_engine_run(run_id, PENDING_STATES)
        run._ai_fail_runs(str(error or self.env._("Unknown error")), log)
        _logger.info("AI run %d failed: %s", run.id, run.error)
        return True

    def _ai_fail_runs(self, error, log=None):
        """Fail these runs and drop what they staged; published results stay."""
        for run in self:
            for model in self.env["ai.engine.snapshot"]._ai_snapshot_models(run.task):
                model._ai_discard(run)
        values = {"state": "failed", "finished_at": fields.Datetime.now(), "error": error}
        if log is not None:
            values["log"] = log or False
        self.write(values)
