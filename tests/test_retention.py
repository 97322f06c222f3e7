import datetime

from odoo import fields
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import AiCrmCommon


@tagged("post_install", "-at_install")
class TestRetention(AiCrmCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Partner = cls.env["res.partner"]
        cls.customer.user_id = cls.salesperson
        cls.acme2 = Partner.create({"name": "AI Test Beta", "is_company": True,
                                    "user_id": cls.salesperson.id})
        cls.acme3 = Partner.create({"name": "AI Test Gamma", "is_company": True,
                                    "user_id": cls.salesperson.id})
        cls.ai_user_customer = Partner.create({"name": "AI Test Delta", "is_company": True,
                                               "user_id": cls.ai_user.id})
        cls.paper = cls.env["product.product"].create({"name": "AI Test Copy Paper"})
        cls.apply([cls.insight_row(p, churn_risk="high", churn_probability=0.7)
                   for p in (cls.customer, cls.acme2, cls.acme3, cls.ai_user_customer)])
        cls.write_results("ai.customer.suggestion", [{
            "partner_id": cls.customer.id, "product_id": cls.paper.id, "rank": 1,
            "score": 0.5, "reason": {"code": "reorder_cycle", "cycle": 30, "days": 34},
            "source": "history"}], "suggestions")
        cls.env.company.ai_retention_per_salesperson = 2

    # --- helpers ------------------------------------------------------------------------------
    @classmethod
    def member(cls, partner, user, assignment="treated", **values):
        return {"partner_id": partner.id, "user_id": user.id, "assignment": assignment,
                "rank": 1, "churn_probability": 0.7, "baseline_value": 800.0, **values}

    def retention_run(self):
        """The running retention run of the company (one at a time), started if none."""
        run = self.env["ai.run"].sudo().search([
            ("task", "=", "retention"), ("company_id", "=", self.company.id),
            ("state", "=", "running")], limit=1)
        return run or self.start_run("retention")

    def draw(self, members, date=None, user=None):
        run = self.retention_run()
        return self.env["ai.retention.wave"].with_user(user or self.engine_user).ai_create_wave(
            run.id, {"date": date or fields.Date.to_string(fields.Date.today()), "seed": 42,
                     "horizon_days": 60, "per_salesperson": 2, "control_percent": 20.0,
                     "members": members})

    def activities(self, partners):
        return self.env["mail.activity"].sudo().search([
            ("res_model", "=", "res.partner"), ("res_id", "in", partners.ids),
            ("activity_type_id", "=",
             self.env.ref("ai_crm.mail_activity_type_retention_call").id)])

    # --- drawing a wave -----------------------------------------------------------------------
    def test_calls_for_the_salespeople_with_reasons_and_products(self):
        answer = self.draw([self.member(self.customer, self.salesperson),
                            self.member(self.acme2, self.salesperson, "control"),
                            self.member(self.ai_user_customer, self.ai_user)])
        self.assertEqual(answer["activities"], 2)
        wave = self.env["ai.retention.wave"].browse(answer["wave_id"])
        self.assertRecordValues(wave, [{"treated_count": 2, "control_count": 1, "seed": 42,
                                        "state": "waiting"}])
        call = self.activities(self.customer)
        self.assertRecordValues(call, [{"user_id": self.salesperson.id}])
        self.assertIn("No order for 40 days", str(call.note))
        self.assertIn("AI Test Copy Paper", str(call.note))
        self.assertIn("Reorders about every 30 days", str(call.note))
        self.assertEqual(self.activities(self.ai_user_customer).user_id, self.ai_user)
        self.assertFalse(self.activities(self.acme2), "the control group gets no call")
        member = wave.member_ids.filtered(lambda m: m.partner_id == self.customer)
        self.assertEqual(member.activity_id, call)
        self.assertEqual(member.activity_state, "open")
        call.with_user(self.salesperson).action_feedback("Called, will order next week")
        member.invalidate_recordset()
        self.assertEqual(member.activity_state, "done")

    def test_capped_per_salesperson_all_or_nothing(self):
        with self.assertRaises(ValidationError), mute_logger("odoo.sql_db"):
            self.draw([self.member(p, self.salesperson)
                       for p in (self.customer, self.acme2, self.acme3)])
        self.assertFalse(self.env["ai.retention.wave"].search_count([]))
        self.assertFalse(self.activities(self.customer | self.acme2 | self.acme3))

    def test_no_call_for_customers_excluded_from_profiling(self):
        self.acme2.ai_exclude_profiling = True
        answer = self.draw([self.member(self.customer, self.salesperson),
                            self.member(self.acme2, self.salesperson)])
        self.assertEqual((answer["activities"], answer["skipped_excluded"]), (1, 1))
        self.assertFalse(self.activities(self.acme2))

    def test_objection_removes_the_customer_from_waves(self):
        answer = self.draw([self.member(self.customer, self.salesperson)])
        self.customer.ai_exclude_profiling = True
        wave = self.env["ai.retention.wave"].browse(answer["wave_id"])
        self.assertFalse(wave.member_ids)
        self.assertFalse(self.activities(self.customer))

    def test_bad_waves_are_refused(self):
        cases = [
            [self.member(self.other_customer, self.salesperson)],  # another company's
            [self.member(self.contact, self.salesperson)],  # a contact, not the company
            [self.member(self.customer, self.portal_user)],  # not an internal user
            [self.member(self.customer, self.salesperson, ordered_again=True)],
            [self.member(self.customer, self.salesperson)] * 2,
        ]
        for members in cases:
            with self.subTest(members=members), self.assertRaises(ValidationError):
                self.draw(members)
        self.draw([self.member(self.customer, self.salesperson)])
        with self.assertRaises(ValidationError):  # still waiting in the first wave
            self.draw([self.member(self.customer, self.salesperson)])

    # --- measuring a wave ---------------------------------------------------------------------
    def test_effect_written_after_the_horizon_in_plain_words(self):
        past = fields.Date.to_string(fields.Date.today() - datetime.timedelta(days=61))
        answer = self.draw([self.member(self.customer, self.salesperson),
                            self.member(self.acme2, self.salesperson, "control")], date=past)
        wave = self.env["ai.retention.wave"].browse(answer["wave_id"])
        run = self.retention_run()
        effect = {"id": wave.id, "treated_measured": 240, "control_measured": 60,
                  "treated_ordered": 84, "control_ordered": 16, "treated_reorder_rate": 0.35,
                  "control_reorder_rate": 0.2667, "reorder_diff": 0.0833,
                  "reorder_diff_low": -0.04, "reorder_diff_high": 0.19,
                  "treated_revenue": 410.0, "control_revenue": 380.0, "revenue_diff": 30.0,
                  "revenue_diff_low": -50.0, "revenue_diff_high": 110.0,
                  "activities_done": 1, "conclusion": "inconclusive"}
        Wave = self.env["ai.retention.wave"].with_user(self.engine_user)
        Wave.ai_write(run.id, [effect])
        self.assertEqual(wave.state, "measured")
        self.assertIn("+8 points of customers ordering again, 95 % CI -4 to +19, "
                      "240 called / 60 control", wave.effect_text)
        self.assertIn("No conclusion", wave.effect_text)
        Wave.ai_write(run.id, [{**effect, "reorder_diff_low": 0.02, "conclusion": "effect"}])
        self.assertIn("brought customers back", wave.effect_text)
        Wave.ai_write(run.id, [{**effect, "conclusion": "too_small"}])
        self.assertIn("Too few customers", wave.effect_text)
        member = wave.member_ids[0]
        self.env["ai.retention.wave.member"].with_user(self.engine_user).ai_write(
            run.id, [{"id": member.id, "ordered_again": True, "orders_after": 1,
                      "revenue_after": 120.0}])
        self.assertTrue(member.ordered_again)

    def test_effect_refused_before_the_horizon(self):
        answer = self.draw([self.member(self.customer, self.salesperson)])
        run = self.retention_run()
        with self.assertRaises(ValidationError):
            self.env["ai.retention.wave"].with_user(self.engine_user).ai_write(
                run.id, [{"id": answer["wave_id"], "conclusion": "effect"}])

    # --- access -------------------------------------------------------------------------------
    def test_access(self):
        answer = self.draw([self.member(self.customer, self.salesperson),
                            self.member(self.ai_user_customer, self.ai_user)])
        wave = self.env["ai.retention.wave"].browse(answer["wave_id"])
        as_sales = wave.with_user(self.salesperson)
        self.assertTrue(as_sales.effect_text)  # the summary
        Member = self.env["ai.retention.wave.member"]
        wave_domain = [("wave_id", "=", wave.id)]
        self.assertEqual(Member.with_user(self.salesperson).search(wave_domain).partner_id,
                         self.customer, "own customers only")
        self.assertEqual(Member.with_user(self.ai_user).search_count(wave_domain), 2)
        self.assertEqual(self.env["mail.activity"].with_user(self.salesperson).search(
            [("user_id", "=", self.salesperson.id)]).res_id, self.customer.id)
        for user in (self.salesperson, self.ai_user, self.engine_user):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                wave.with_user(user).write({"seed": 1})
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.env.company.with_user(user).ai_retention_per_salesperson = 50
        for user in (self.salesperson, self.ai_user, self.ai_manager):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.draw([self.member(self.acme3, self.salesperson)], user=user)
        with self.assertRaises(AccessError):
            wave.with_user(self.engine_user).unlink()
        settings = self.env.ref("ai_crm.res_config_settings_view_form_ai_crm").arch
        self.assertIn('groups="ai_crm.group_ai_manager"', settings)
        self.assertIn("ai_retention_control_percent", settings)

    def test_views_load(self):
        for model, kinds in (("ai.retention.wave", ["list", "form", "graph", "search"]),
                             ("ai.retention.wave.member", ["graph"])):
            views = self.env[model].with_user(self.ai_user).get_views(
                [(False, kind) for kind in kinds])
            self.assertEqual(set(views["views"]), set(kinds))
        action = self.env.ref("ai_crm.ai_retention_wave_action")
        self.assertEqual(action.res_model, "ai.retention.wave")
