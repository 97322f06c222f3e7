import json
from datetime import timedelta

from odoo import fields
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import AiCrmCommon


@tagged("post_install", "-at_install")
class TestAiRunQueue(AiCrmCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Run = cls.env["ai.run"]
        cls.EngineRun = cls.env["ai.run"].with_user(cls.engine_user)

    def queue(self, company=None, trigger="manual"):
        run_id = self.Run.with_user(self.ai_manager).action_queue(
            "insights", (company or self.company).id, trigger)
        return self.Run.browse(run_id)

    def test_cron_queues_one_run_per_company_once(self):
        companies = self.env["res.company"].search([])
        self.Run.search([]).unlink()
        self.Run._cron_queue_runs()
        runs = self.Run.search([])
        tasks = self.Run._cron_tasks()
        self.assertLessEqual({"insights", "suggestions"}, set(tasks))
        self.assertEqual(runs.company_id, companies)
        self.assertEqual(len(runs), len(companies) * len(tasks))
        self.assertEqual(set(runs.mapped("task")), set(tasks))
        self.assertEqual(set(runs.mapped("state")), {"queued"})
        self.assertEqual(set(runs.mapped("trigger")), {"cron"})
        # Tomorrow's cron while today's runs are still queued (or running) adds nothing.
        runs.filtered(lambda r: r.company_id == self.company).state = "running"
        self.Run._cron_queue_runs()
        self.assertEqual(self.Run.search([]), runs)
        # Once done, the next cron queues again.
        runs.write({"state": "done"})
        self.Run._cron_queue_runs()
        self.assertEqual(self.Run.search_count([("state", "=", "queued")]),
                         len(companies) * len(tasks))

    def test_cron_record(self):
        cron = self.env.ref("ai_crm.ir_cron_ai_queue_runs")
        self.assertEqual(cron.code.strip(), "model._cron_queue_runs()")
        self.assertEqual(cron.model_id.model, "ai.run")
        self.assertEqual((cron.interval_number, cron.interval_type), (1, "days"))

    def test_claim_tells_the_engine_how_many_orders_the_company_has(self):
        """The engine compares it with the orders its user can see: a user who sees none of a
        company's orders fails the run instead of finishing it as a company without sales."""
        product = self.env["product.product"].create({"name": "AI Test Count Product"})
        before = self.company._ai_run_params("insights")
        orders = self.env["sale.order"].create([{
            "partner_id": self.customer.id, "company_id": company.id,
            "order_line": [(0, 0, {"product_id": product.id, "product_uom_qty": 1})],
        } for company in (self.company, self.company, self.other_company)])
        orders[1:].action_confirm()  # one draft here, one confirmed here, one elsewhere
        self.queue()
        claim = self.EngineRun.ai_claim_next("worker-1", ["insights"])
        self.assertEqual(claim["params"]["company_orders"], before["company_orders"] + 1)

    def test_hourly_cron_queues_runs_of_changed_customers_that_start_from_the_last_run(self):
        cron = self.env.ref("ai_crm.ir_cron_ai_queue_changes")
        self.assertEqual(cron.code.strip(), 'model._cron_queue_runs(["insights"], "changes")')
        self.assertEqual((cron.interval_number, cron.interval_type), (1, "hours"))
        self.Run.search([]).unlink()
        others = [("company_id", "!=", self.company.id)]  # one company claimed here
        self.Run._cron_queue_runs(["insights"], "changes")
        self.Run.search(others).unlink()
        run = self.Run.search([("company_id", "=", self.company.id)])
        self.assertRecordValues(run, [{"task": "insights", "scope": "changes",
                                       "trigger": "cron"}])
        self.assertIn("Changed customers", run.name)
        claim = self.EngineRun.ai_claim_next("worker-1", ["insights"])
        self.assertEqual((claim["id"], claim["params"]["scope"]), (run.id, "changes"))
        self.assertIsNone(claim["params"]["changes_since"], "no run before: a full one")
        self.EngineRun.ai_finish(run.id, {})
        self.Run._cron_queue_runs(["insights"], "changes")
        self.Run.search(others).unlink()
        claim = self.EngineRun.ai_claim_next("worker-1", ["insights"])
        self.assertEqual(claim["params"]["changes_since"],
                         fields.Datetime.to_string(run.started_at))
        self.EngineRun.ai_finish(claim["id"], {"metrics": {
            "scope": "changes", "n_customers": 12, "as_of": "2026-12-07",
            "models_as_of": "2026-12-06"}})
        self.assertIn("12 customers whose orders changed scored as of 2026-12-07, with the "
                      "models of the full run as of 2026-12-06", self.Run.browse(
                          claim["id"]).metrics_html)
        with self.assertRaisesRegex(ValidationError, "cannot have the scope changes"):
            self.Run.with_user(self.ai_manager).action_queue(
                "suggestions", self.company.id, "manual", "changes")

    def test_action_queue_returns_pending_run(self):
        run = self.queue()
        self.assertRecordValues(run, [{
            "state": "queued", "task": "insights", "trigger": "manual",
            "company_id": self.company.id,
        }])
        self.assertEqual(self.queue(), run)
        self.assertNotEqual(self.queue(self.other_company), run)

    def test_run_now_button(self):
        action = self.Run.with_user(self.ai_manager).action_run_now()
        run = self.Run.browse(action["res_id"])
        self.assertRecordValues(run, [{
            "state": "queued", "trigger": "manual", "company_id": self.company.id}])

    def test_claim_is_exclusive(self):
        run = self.queue()
        claim = self.EngineRun.ai_claim_next("worker-1", ["insights"])
        self.assertEqual(claim["id"], run.id)
        self.assertEqual(claim["task"], "insights")
        self.assertEqual(claim["company_id"], self.company.id)
        self.assertEqual(claim["params"]["min_repeat_customers"], 50)
        self.assertIsNone(claim["params"]["horizon_days"])
        self.assertRecordValues(run, [{"state": "running", "worker": "worker-1"}])
        self.assertTrue(run.started_at)
        # A second worker finds nothing left to take.
        self.assertFalse(self.EngineRun.ai_claim_next("worker-2", ["insights"]))
        self.assertEqual(run.worker, "worker-1")

    def test_claim_locks_the_row(self):
        # A second worker's transaction cannot be emulated inside one test transaction (it
        # would not see the uncommitted run), so check what makes SKIP LOCKED work: the claim
        # holds a FOR UPDATE lock (ROW SHARE on the table) until its transaction ends.
        run = self.queue()
        self.env.flush_all()
        self.EngineRun.ai_claim_next("worker-1", ["insights"])
        self.env.cr.execute(
            "SELECT 1 FROM pg_locks WHERE pid = pg_backend_pid() AND mode = 'RowShareLock'"
            " AND relation = 'ai_run'::regclass")
        self.assertTrue(self.env.cr.fetchall(), "the claim locks ai_run rows FOR UPDATE")
        self.assertEqual(run.state, "running")

    def test_claim_takes_oldest_and_respects_tasks_and_companies(self):
        old = self.queue(self.other_company)
        new = self.queue()
        old.queued_at = fields.Datetime.now() - timedelta(hours=2)
        self.assertFalse(self.EngineRun.ai_claim_next("w", ["no_such_task"]))
        # The bot of the main company never sees the other company's run.
        main_claim = self.Run.with_user(self.engine_user_main).ai_claim_next("w", ["insights"])
        self.assertEqual(main_claim["id"], new.id)
        new.state = "queued"
        claim = self.EngineRun.ai_claim_next("w", ["insights"])
        self.assertEqual(claim["id"], old.id)
        with self.assertRaises(ValidationError):
            self.EngineRun.ai_claim_next("w", "insights")

    def test_finish_records_metrics(self):
        run = self.queue()
        claim = self.EngineRun.ai_claim_next("w", ["insights"])
        metrics = {"horizon_days": 90, "method": "model", "n_customers": 1200,
                   "backtest": {"auc": 0.8123, "brier": 0.1456},
                   "notes": ["Trained on 900 repeat customers"]}
        self.EngineRun.ai_finish(claim["id"], {"partners_scored": 1180, "metrics": metrics,
                                               "log": "line 1\nline 2"})
        self.assertRecordValues(run, [{"state": "done", "partners_scored": 1180, "error": False}])
        self.assertEqual(run.log, "line 1\nline 2\nPublished 0 rows of ai.partner.insight, "
                                  "retired 0")
        self.assertTrue(run.finished_at)
        self.assertEqual(json.loads(run.metrics_json), metrics)
        html = str(run.metrics_html)
        self.assertIn("<table", html)
        self.assertIn("backtest.auc", html)
        self.assertIn("0.812", html)
        self.assertIn("1,200", html)
        self.assertIn("Trained on 900 repeat customers", html)
        # A finished run cannot be finished or failed again.
        with self.assertRaises(ValidationError):
            self.EngineRun.ai_finish(run.id, {"partners_scored": 1})
        with self.assertRaises(ValidationError):
            self.EngineRun.ai_fail(run.id, "late", "")

    def test_finish_rejects_unknown_keys(self):
        self.queue()
        claim = self.EngineRun.ai_claim_next("w", ["insights"])
        with self.assertRaises(ValidationError):
            self.EngineRun.ai_finish(claim["id"], {"partners_scored": 1, "state": "done"})
        self.assertEqual(self.Run.browse(claim["id"]).state, "running")

    def test_fail_records_error(self):
        run = self.queue()
        self.EngineRun.ai_claim_next("w", ["insights"])
        self.EngineRun.ai_fail(run.id, "No confirmed sale orders", "the log")
        self.assertRecordValues(run, [{
            "state": "failed", "error": "No confirmed sale orders", "log": "the log"}])
        self.assertTrue(run.finished_at)
        # A new run can be queued after a failure.
        self.assertNotEqual(self.queue(), run)

    def test_metrics_html_leads_with_model_against_baseline(self):
        run = self.queue()
        claim = self.EngineRun.ai_claim_next("w", ["insights"])
        backtest = {"as_of": "2026-08-01", "horizon_days": 90, "n_customers": 412,
                    "model": {"auc": 0.9134, "brier": 0.1012, "lift_top_decile": 1.41},
                    "baseline": {"auc": 0.8871, "brier": 0.1239, "lift_top_decile": 1.38}}
        self.EngineRun.ai_finish(claim["id"], {"partners_scored": 412,
                                               "metrics": {"backtest": backtest}})
        html = str(run.metrics_html)
        headline = html.split('class="table table-sm o_ai_run_metrics"')[0]
        self.assertIn("learned from history up to 2026-08-01", headline)
        self.assertIn("412 customers", headline)
        self.assertLess(headline.index("0.913"), headline.index("0.887"))
        self.assertIn("0.124", headline)

    def test_suggestion_metrics_lead_with_hit_rate_against_baselines(self):
        run = self.Run.browse(self.Run.with_user(self.ai_manager).action_queue(
            "suggestions", self.company.id))
        claim = self.EngineRun.ai_claim_next("w", ["suggestions"])
        backtest = {"cut": "2026-07-01", "n_customers": 930, "measured_on": "2026-08-29",
                    "model": {"hr_at_10": 0.6742, "hr_at_10_never_bought": 0.4951},
                    "popularity": {"hr_at_10": 0.5151, "hr_at_10_never_bought": 0.3591},
                    "own_history": {"hr_at_10": 0.5971, "hr_at_10_never_bought": 0.3592}}
        serving = {"suggestions_repeat": {"served": "model", "grade": "A", "model": 0.751,
                                          "baseline": 0.724},
                   "suggestions_new": {"served": "baseline", "grade": "B", "model": 0.154,
                                       "baseline": 0.136}}
        self.EngineRun.ai_finish(claim["id"], {"metrics": {"suggestion_backtest": backtest,
                                                           "serving": serving}})
        headline = str(run.metrics_html).split('class="table table-sm o_ai_run_metrics"')[0]
        self.assertIn("orders before 2026-07-01", headline)
        self.assertIn("930 customers", headline)
        # A back-test an earlier run made says when: the nights between weekly checks reuse it.
        self.assertIn("Checked on 2026-08-29: this check runs once a week", headline)
        self.assertLess(headline.index("0.674"), headline.index("0.515"))
        self.assertLess(headline.index("0.515"), headline.index("0.597"))
        self.assertIn("0.495", headline)
        # Which list serves each kind of slot, and its grade, before the back-test figures.
        order = [headline.index(part) for part in (
            "Suggestions of products bought before",
            "A — the model served: clearly better than the customer",
            "Suggestions of products never bought",
            "B — best sellers served: the model was only about as good",
            "orders before 2026-07-01")]
        self.assertEqual(order, sorted(order))

    def test_run_form_reads_like_a_report(self):
        run = self.queue()
        claim = self.EngineRun.ai_claim_next("w", ["insights"])
        metrics = {
            "as_of": "2026-08-01", "horizon_days": 90, "n_customers": 412,
            "notes": ["only 40 repeat customers"],
            "serving": {"churn": {"served": "baseline", "grade": "C", "model": 0.801,
                                  "baseline": 0.823}},
            "backtest": {"as_of": "2026-05-03", "horizon_days": 90, "n_customers": 390,
                         "churn_rate": 0.69,
                         "model": {"auc": 0.801, "brier": 0.15, "lift_top_decile": 1.44},
                         "baseline": {"auc": 0.823, "brier": 0.14, "lift_top_decile": 1.44}}}
        self.EngineRun.ai_finish(claim["id"], {"partners_scored": 412, "metrics": metrics})
        html = str(run.metrics_html)
        order = [html.index(part) for part in (
            "412 customers scored as of 2026-08-01", "C — the recency rule", "0.823",
            "best possible: 1.449", "only 40 repeat customers", "<details")]
        self.assertEqual(order, sorted(order), "summary, what serves, back-test, notes, details")
        self.assertIn("backtest.model.auc", html.split("<details")[1], "raw keys are folded")
        self.assertNotIn("backtest.model.auc", html.split("<details")[0])

    def test_run_form_names_every_yardstick_and_says_when_recency_ranks_as_well(self):
        """The grade is against the rule that would serve; recency alone is shown too, and a
        model that does not beat it is not left to read as 'clearly better' unqualified."""
        run = self.queue()
        claim = self.EngineRun.ai_claim_next("w", ["insights"])
        backtest = {"as_of": "2026-05-03", "horizon_days": 95, "n_customers": 183,
                    "churn_rate": 0.75,
                    "model": {"auc": 0.925, "brier": 0.097, "lift_top_decile": 1.33},
                    "rule": {"auc": 0.896, "brier": 0.126, "lift_top_decile": 1.33},
                    "baseline": {"auc": 0.927, "brier": 0.095, "lift_top_decile": 1.33}}
        metrics = {"serving": {"churn": {"served": "model", "grade": "A", "model": 0.925,
                                         "baseline": 0.896}}, "backtest": backtest}
        self.EngineRun.ai_finish(claim["id"], {"partners_scored": 183, "metrics": metrics})
        html = str(run.metrics_html).split("<details")[0].split("checked on your own past")[1]
        order = [html.index(part) for part in (
            "Churn model", "Rule: silence vs usual gap", "Recency only", "0.925", "0.896",
            "0.927", "Recency alone ranked these customers at least as well")]
        self.assertEqual(order, sorted(order))
        backtest["baseline"]["auc"] = 0.90
        run.metrics_json = json.dumps(metrics)
        self.assertNotIn("Recency alone ranked", str(run.metrics_html))

    def test_metrics_html_escapes(self):
        run = self.queue()
        run.metrics_json = json.dumps({"note": "<script>alert(1)</script>"})
        self.assertNotIn("<script>", str(run.metrics_html))
        self.assertIn("&lt;script&gt;", str(run.metrics_html))

    def expire(self, run):
        run.lease_until = fields.Datetime.now() - timedelta(minutes=1)

    def test_a_run_whose_worker_fell_silent_is_taken_back(self):
        run = self.queue()
        self.EngineRun.ai_claim_next("w1", ["insights"])
        self.env["ai.partner.insight"].with_user(self.engine_user).ai_write(
            run.id, [self.insight_row(self.customer)])
        self.assertTrue(run.lease_until > fields.Datetime.now())
        self.expire(run)
        # The next claim (any worker) first takes it back: queued again, its rows gone...
        claim = self.EngineRun.ai_claim_next("w2", ["insights"])
        self.assertEqual(claim["id"], run.id)
        self.assertRecordValues(run, [{"state": "running", "worker": "w2", "attempts": 2}])
        self.assertFalse(self.env["ai.partner.insight"].sudo().with_context(
            active_test=False).search([("run_id", "=", run.id)]), "its staged rows are gone")
        # ...and a worker silent twice gives the run up; the daily cron queues a new one.
        self.expire(run)
        self.Run._cron_queue_runs()
        self.assertEqual(run.state, "failed")
        self.assertIn("stopped answering", run.error)
        self.assertTrue(self.Run.search([("company_id", "=", self.company.id),
                                         ("task", "=", "insights"), ("state", "=", "queued")]))
        # The silent worker's late report is refused, not mixed in.
        with self.assertRaises(ValidationError):
            self.EngineRun.ai_finish(run.id, {"partners_scored": 1})

    def test_a_claim_repeated_with_its_token_gets_the_same_run(self):
        first, second = self.queue(), self.queue(self.other_company)
        claim = self.EngineRun.ai_claim_next("w", ["insights"], "token-1")
        again = self.EngineRun.ai_claim_next("w", ["insights"], "token-1")
        self.assertEqual(again, claim)  # the answer was lost: the same run, not another
        self.assertEqual({first.state, second.state}, {"running", "queued"})
        self.assertNotEqual(self.EngineRun.ai_claim_next("w", ["insights"], "token-2")["id"],
                            claim["id"])

    def test_heartbeat_extends_the_lease(self):
        run = self.queue()
        self.EngineRun.ai_claim_next("w", ["insights"])
        self.expire(run)
        self.EngineRun.ai_heartbeat(run.id)
        self.assertTrue(run.lease_until > fields.Datetime.now())
        self.assertFalse(self.EngineRun.ai_claim_next("w2", ["insights"]))
        self.assertEqual(run.state, "running")

    def test_manager_stops_run(self):
        run = self.queue()
        run.with_user(self.ai_manager).action_mark_failed()
        self.assertEqual(run.state, "failed")
        self.assertIn(self.ai_manager.name, run.error)
