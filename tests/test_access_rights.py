from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import AiCrmCommon


@tagged("post_install", "-at_install")
class TestAccessRights(AiCrmCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.apply([cls.insight_row(cls.customer)])

    def test_salesperson_reads_scores(self):
        [values] = self.customer.with_user(self.salesperson).read(
            ["ai_churn_probability", "ai_segment_id", "ai_churn_reasons"])
        self.assertEqual(values["ai_churn_probability"], 42.34)
        self.assertEqual(values["ai_segment_id"][0], self.segment_champions.id)

    def test_salesperson_cannot_write_scores(self):
        customer = self.customer.with_user(self.salesperson)
        for vals in ({"ai_churn_probability": 1.0}, {"ai_segment_id": self.segment_at_risk.id},
                     {"ai_churn_probability_display": 1.0}, {"ai_scored_at": False}):
            with self.subTest(vals=vals), self.assertRaises(AccessError):
                customer.write(vals)
        with self.assertRaises(AccessError):
            self.env["res.partner"].with_user(self.salesperson).create(
                {"name": "AI Test Forged", "ai_churn_risk": "low"})
        self.assertRecordValues(self.customer, [{
            "ai_churn_probability": 42.34, "ai_segment_id": self.segment_champions.id}])
        # Other fields stay writable.
        customer.write({"comment": "Called today"})

    def test_salesperson_cannot_call_bulk_methods(self):
        Partner = self.env["res.partner"].with_user(self.salesperson)
        with self.assertRaises(AccessError):
            Partner.ai_apply_insights(self.company.id, [self.insight_row(self.individual)])
        with self.assertRaises(AccessError):
            Partner.ai_clear_insights(self.company.id, [self.customer.id])
        self.assertFalse(self.individual.ai_scored_at)
        self.assertTrue(self.customer.ai_scored_at)

    def test_portal_cannot_read_scores(self):
        partner = self.portal_user.partner_id.with_user(self.portal_user)
        partner.read(["name"])  # the portal user may read their own partner…
        with self.assertRaises(AccessError):
            partner.read(["ai_churn_probability"])  # …but not its AI fields
        with self.assertRaises(AccessError):
            partner.read(["ai_exclude_profiling"])

    def test_merge_keeps_destination_scores(self):
        # Merging partners writes every stored field on the destination: the score guard must
        # not block whoever merges (an administrator, not the engine), and the destination
        # keeps its own scores.
        duplicate = self.env["res.partner"].create({"name": "AI Test Acme (dup)",
                                                    "is_company": True})
        self.apply([self.insight_row(duplicate, segment_code="lost", frequency=1)])
        admin = self.env.ref("base.user_admin")
        wizard = self.env["base.partner.merge.automatic.wizard"].with_user(admin)
        wizard._merge((self.customer + duplicate).ids, self.customer)
        self.assertFalse(duplicate.exists())
        self.assertRecordValues(self.customer, [{
            "ai_segment_id": self.segment_champions.id, "ai_frequency": 7}])

    def test_run_access(self):
        run_id = self.env["ai.run"].with_user(self.ai_manager).action_queue(
            "insights", self.company.id, "manual")
        with self.assertRaises(AccessError):
            self.env["ai.run"].with_user(self.salesperson).browse(run_id).read(["state"])
        run = self.env["ai.run"].with_user(self.ai_user).browse(run_id)
        self.assertEqual(run.state, "queued")
        with self.assertRaises(AccessError):
            run.write({"state": "done"})
        with self.assertRaises(AccessError):
            self.env["ai.run"].with_user(self.ai_user).action_queue(
                "insights", self.company.id, "manual")
        for user in (self.salesperson, self.ai_user, self.ai_manager):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.env["ai.run"].with_user(user).ai_claim_next("w", ["insights"])
        self.assertEqual(run.state, "queued")

    def test_run_company_rule(self):
        other_run_id = self.env["ai.run"].with_user(self.ai_manager).action_queue(
            "insights", self.other_company.id, "manual")
        runs = self.env["ai.run"].with_user(self.ai_user).search([])
        self.assertNotIn(other_run_id, runs.ids)
        manager_runs = self.env["ai.run"].with_user(self.ai_manager).with_context(
            allowed_company_ids=[self.company.id, self.other_company.id]).search([])
        self.assertIn(other_run_id, manager_runs.ids)

    def test_admin_is_ai_manager(self):
        self.assertTrue(self.env.ref("base.user_admin").has_group("ai_crm.group_ai_manager"))
        self.assertTrue(self.ai_manager.has_group("ai_crm.group_ai_user"))
        self.assertTrue(self.engine_user.has_group("sales_team.group_sale_salesman_all_leads"))
