import json
import logging
from datetime import timedelta

from markupsafe import Markup, escape

from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError
from odoo.tools import SQL

from .ai_engine_fields_guard import AI_GROUP_ENGINE

_logger = logging.getLogger(__name__)


AI_GROUP_MANAGER = "ai_crm.group_ai_manager"
TASKS = [
    ("insights", "Contact insights"),
    ("recommend", "Product suggestions"),
    ("helpdesk", "Helpdesk ticket insights"),
]
PENDING_STATES = ("queued", "running")
FINISH_KEYS = {"partners_scored", "metrics", "log"}


class AiRun(models.Model):
    """One unit of work for the AI engine: queued by the cron or "Run now", claimed by a worker.

    Odoo decides what runs; the engine only claims (``ai_claim_next``) and reports back
    (``ai_finish`` / ``ai_fail``). At most one run per task and company is pending at a time.
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
    queued_at = fields.Datetime(required=True, default=fields.Datetime.now, readonly=True)
    started_at = fields.Datetime(readonly=True)
    finished_at = fields.Datetime(readonly=True)
    duration = fields.Float(
        string="Duration (min)", compute="_compute_duration", digits=(16, 1),
        help="Minutes from claim to finish.",
    )
    worker = fields.Char(readonly=True, help="The engine worker that claimed the run.")
    partners_scored = fields.Integer(
        string="Records Scored", readonly=True,
        help="Customers scored (contact insights), customers given suggestions (product "
        "suggestions) or tickets analysed (helpdesk).",
    )
    metrics_json = fields.Text(string="Metrics (JSON)", readonly=True)
    metrics_html = fields.Html(
        string="Metrics", compute="_compute_metrics_html", sanitize=False,
    )
    log = fields.Text(readonly=True)
    error = fields.Text(readonly=True)

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
            run.metrics_html = self._metrics_to_html(run.metrics_json)

    @api.model
    def _metrics_to_html(self, metrics_json):
        """JSON metrics → a two-column HTML table (nested keys joined by dots)."""
        if not metrics_json:
            return False
        try:
            metrics = json.loads(metrics_json)
        except ValueError:
            return Markup("<pre>%s</pre>") % metrics_json
        headline = self._metrics_headline(metrics) if isinstance(metrics, dict) else Markup("")
        rows = self._flatten_metrics(metrics) if isinstance(metrics, dict) else [("", metrics)]
        body = Markup("").join(
            Markup("<tr><th>%s</th><td>%s</td></tr>")
            % (key.replace("_", " "), self._format_metric(value))
            for key, value in rows
        )
        table = Markup('<table class="table table-sm o_ai_run_metrics"><tbody>%s</tbody></table>')
        return headline + table % body

    @api.model
    def _metrics_headline(self, metrics):
        """The question admins ask first: how accurate was the model on our own past?"""
        if metrics.get("category_backtest"):
            return self._category_headline(metrics["category_backtest"])
        if metrics.get("suggestion_backtest"):
            return self._suggestion_headline(metrics["suggestion_backtest"])
        backtest = metrics.get("backtest") or {}
        model, baseline = backtest.get("model"), backtest.get("baseline")
        if not (model and baseline):
            return Markup("")
        measures = [("auc", self.env._("AUC (ranking, 1 = perfect, 0.5 = chance)")),
                    ("brier", self.env._("Brier score (lower is better)")),
                    ("lift_top_decile", self.env._("Lift in the riskiest 10 %"))]
        caption = self.env._(
            "Churn model checked on your own past: learned from history up to %(as_of)s, "
            "compared with what %(n)s customers did in the next %(days)s days.",
            as_of=backtest.get("as_of", "?"), n=backtest.get("n_customers", "?"),
            days=backtest.get("horizon_days", "?"),
        )
        return self._accuracy_table(
            caption, [self.env._("Churn model"), self.env._("Recency only")],
            [(label, [model.get(key), baseline.get(key)]) for key, label in measures],
        )

    @api.model
    def _suggestion_headline(self, backtest):
        caption = self.env._(
            "Suggestions checked on your own past: learned from orders before %(cut)s, "
            "compared with the next order of %(n)s customers.",
            cut=backtest.get("cut", "?"), n=backtest.get("n_customers", "?"),
        )
        methods = [("model", self.env._("Suggestions")),
                   ("popularity", self.env._("Best sellers")),
                   ("own_history", self.env._("Their own most-bought"))]
        measures = [("hr_at_10", self.env._("Next order has one of the 10 (hit rate)")),
                    ("hr_at_10_never_bought",
                     self.env._("… counting only products new to the customer"))]
        return self._accuracy_table(
            caption, [label for _method, label in methods],
            [(label, [(backtest.get(method) or {}).get(key) for method, _label in methods])
             for key, label in measures],
        )

    @api.model
    def _category_headline(self, backtest):
        caption = self.env._(
            "Category suggestions checked on your own tickets: learned from the %(train)s "
            "oldest categorised tickets, tested on the %(test)s newest.",
            train=backtest.get("n_train", "?"), test=backtest.get("n_test", "?"),
        )
        return self._accuracy_table(
            caption, [self.env._("Suggestion"), self.env._("Most frequent category")],
            [(self.env._("Top-1 accuracy"),
              [backtest.get("top1_accuracy"), backtest.get("majority_baseline")])],
        )

    @api.model
    def _accuracy_table(self, caption, columns, rows):
        """A caption over a table: one column per method, one row per measure."""
        head = Markup("").join(Markup("<th>%s</th>") % column for column in columns)
        body = Markup("").join(
            Markup("<tr><th>%s</th>%s</tr>") % (label, Markup("").join(
                Markup("<td>%s</td>") % self._format_metric(value) for value in values))
            for label, values in rows
        )
        return Markup(
            '<p class="o_ai_run_headline">%s</p><table class="table table-sm o_ai_run_accuracy">'
            "<thead><tr><th/>%s</tr></thead><tbody>%s</tbody></table>"
        ) % (caption, head, body)

    @api.model
    def _flatten_metrics(self, metrics, prefix=""):
        rows = []
        for key, value in metrics.items():
            name = f"{prefix}{key}"
            if isinstance(value, dict) and value:
                rows += self._flatten_metrics(value, prefix=f"{name}.")
            else:
                rows.append((name, value))
        return rows

    @api.model
    def _format_metric(self, value):
        if isinstance(value, bool) or value is None:
            return {True: "yes", False: "no", None: "—"}[value]
        if isinstance(value, float):
            return f"{value:,.3f}" if abs(value) < 1000 else f"{value:,.0f}"
        if isinstance(value, int):
            return f"{value:,}"
        if isinstance(value, list):
            return Markup("<br/>").join(escape(self._format_metric(v)) for v in value)
        if isinstance(value, dict):
            return json.dumps(value, sort_keys=True)
        return str(value)

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
    def _prepare_run_vals(self, task, company, trigger):
        label = dict(self._fields["task"]._description_selection(self.env))[task]
        return {
            "name": f"{label} · {company.name}",
            "task": task,
            "company_id": company.id,
            "trigger": trigger,
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
    def action_queue(self, task="insights", company_id=None, trigger="manual"):
        """Queue ``task`` for ``company_id`` unless one is already queued or running.

        :return: id of the new run, or of the pending one.
        """
        self._check_can_queue()
        if task not in dict(TASKS):
            raise ValidationError(self.env._("Unknown AI task: %(task)s", task=task))
        if trigger not in dict(self._fields["trigger"].selection):
            raise ValidationError(self.env._("Unknown trigger: %(trigger)s", trigger=trigger))
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
        run = runs.create(self._prepare_run_vals(task, company, trigger))
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
        pending.write({
            "state": "failed",
            "finished_at": fields.Datetime.now(),
            "error": self.env._("Stopped by %(user)s.", user=self.env.user.name),
        })
        return True

    @api.model
    def _stale_run_hours(self):
        return 24

    @api.model
    def _cron_tasks(self):
        """The tasks the daily cron queues for every company."""
        return [task for task, _label in TASKS]

    @api.model
    def _cron_queue_runs(self, tasks=None):
        """Fail runs a worker abandoned, then queue ``tasks`` (default: every task of the daily
        cron) for every company."""
        runs = self.sudo()
        limit = fields.Datetime.now() - timedelta(hours=self._stale_run_hours())
        stale = runs.search([("state", "=", "running"), ("started_at", "<", limit)])
        stale.write({
            "state": "failed",
            "finished_at": fields.Datetime.now(),
            "error": self.env._("The worker did not report back within %(hours)s hours.",
                                hours=self._stale_run_hours()),
        })
        # Every company gets its runs; companies are few.
        companies = self.env["res.company"].sudo().search([])  # pylint: disable=no-search-all
        before = runs.search_count([("state", "=", "queued")])
        for company in companies:
            for task in tasks or self._cron_tasks():
                runs.action_queue(task, company.id, "cron")
        queued = runs.search_count([("state", "=", "queued")]) - before
        _logger.info(
            "AI runs: %d queued for %d companies, %d stale runs failed",
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
    def ai_claim_next(self, worker, tasks):
        """Atomically take the oldest queued run of ``tasks`` in one of the caller's companies.

        Concurrent workers skip rows another transaction has locked, so two workers never take
        the same run.

        :return: ``{"id", "task", "company_id", "params"}`` or False when nothing is queued.
        """
        self._check_engine()
        if isinstance(tasks, str) or not isinstance(tasks, (list, tuple)) or not tasks:
            raise ValidationError(self.env._("tasks must be a non-empty list of task names."))
        company_ids = self.env.user.company_ids.ids
        self.env["ai.run"].flush_model(["state", "task", "company_id", "queued_at"])
        self.env.cr.execute(SQL(
            "SELECT id FROM ai_run WHERE state = 'queued' AND task IN %s AND company_id IN %s "
            "ORDER BY queued_at, id FOR UPDATE SKIP LOCKED LIMIT 1",
            tuple(tasks), tuple(company_ids),
        ))
        row = self.env.cr.fetchone()
        if not row:
            return False
        run = self.sudo().browse(row[0])
        run.write({
            "state": "running",
            "started_at": fields.Datetime.now(),
            "worker": str(worker or "")[:256],
        })
        _logger.info("AI run %d (%s, company %d) claimed by %s",
                     run.id, run.task, run.company_id.id, run.worker)
        return {
            "id": run.id,
            "task": run.task,
            "company_id": run.company_id.id,
            "params": {**run.company_id._ai_run_params(), "since": run._ai_since()},
        }

    def _ai_since(self):
        """When the last successful run of this task and company started, for tasks that only
        look at what changed since then (helpdesk); None for the first run."""
        self.ensure_one()
        last = self.sudo().search([
            ("task", "=", self.task), ("company_id", "=", self.company_id.id),
            ("state", "=", "done"), ("id", "!=", self.id),
        ], order="started_at desc", limit=1)
        return fields.Datetime.to_string(last.started_at) if last else None

    @api.model
    def _engine_run(self, run_id, states):
        self._check_engine()
        run = self.sudo().browse(run_id).exists() if isinstance(run_id, int) else None
        if not run or run.company_id.id not in self.env.user.company_ids.ids:
            raise ValidationError(self.env._("AI run %(run)s does not exist.", run=run_id))
        if run.state not in states:
            raise ValidationError(self.env._(
                "AI run %(run)s is %(state)s, not %(expected)s.",
                run=run_id, state=run.state, expected=" or ".join(states),
            ))
        return run

    @api.model
    def ai_finish(self, run_id, values):
        """The engine reports success: ``values`` has ``partners_scored``, ``metrics``, ``log``."""
        run = self._engine_run(run_id, ("running",))
        values = values or {}
        unknown = sorted(set(values) - FINISH_KEYS)
        if unknown:
            raise ValidationError(self.env._(
                "Unknown keys: %(keys)s. Allowed: %(allowed)s.",
                keys=", ".join(map(str, unknown)), allowed=", ".join(sorted(FINISH_KEYS)),
            ))
        metrics = values.get("metrics")
        run.write({
            "state": "done",
            "finished_at": fields.Datetime.now(),
            "partners_scored": int(values.get("partners_scored") or 0),
            "metrics_json": json.dumps(metrics, indent=2, sort_keys=True, default=str)
            if metrics is not None else False,
            "log": values.get("log") or False,
            "error": False,
        })
        _logger.info("AI run %d done: %d partners scored", run.id, run.partners_scored)
        return True

    @api.model
    def ai_fail(self, run_id, error, log=None):
        """The engine reports a failure (``error`` one line for people, ``log`` the details)."""
        run = self._engine_run(run_id, PENDING_STATES)
        run.write({
            "state": "failed",
            "finished_at": fields.Datetime.now(),
            "error": str(error or self.env._("Unknown error")),
            "log": log or False,
        })
        _logger.info("AI run %d failed: %s", run.id, run.error)
        return True
