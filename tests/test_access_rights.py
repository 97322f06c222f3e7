from odoo import fields
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
        insight = self.insight_of(self.customer).with_user(self.salesperson)
        with self.assertRaises(AccessError):
            insight.write({"churn_probability": 1.0})
        with self.assertRaises(AccessError):
            insight.unlink()
        with self.assertRaises(AccessError):
            self.env["ai.partner.insight"].with_user(self.salesperson).create(
                {"partner_id": self.individual.id, "company_id": self.company.id})
        run = self.start_run()
        with self.assertRaises(AccessError):
            self.env["ai.partner.insight"].with_user(self.salesperson).ai_write(
                run.id, [self.insight_row(self.individual)])
        self.assertRecordValues(self.customer, [{
            "ai_churn_probability": 42.34, "ai_segment_id": self.segment_champions.id}])
        self.assertFalse(self.individual.ai_scored_at)
        # Other fields stay writable.
        self.customer.with_user(self.salesperson).write({"comment": "Called today"})

    def test_portal_cannot_read_scores(self):
        partner = self.portal_user.partner_id.with_user(self.portal_user)
        partner.read(["name"])  # the portal user may read their own partner…
        with self.assertRaises(AccessError):
            partner.read(["ai_churn_probability"])  # …but not its AI fields
        with self.assertRaises(AccessError):
            partner.read(["ai_exclude_profiling"])

    def test_merge_keeps_destination_scores(self):
        # Merging moves the duplicate's rows onto the destination; a run has one insight per
        # customer, so the destination keeps its own and the duplicate's goes.
        duplicate = self.env["res.partner"].create({"name": "AI Test Acme (dup)",
                                                    "is_company": True})
        self.apply([self.insight_row(self.customer),
                    self.insight_row(duplicate, segment_id="lost", frequency=1)])
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

    def test_engine_reads_orders_but_has_no_sales_rights(self):
        self.assertFalse(self.engine_user.has_group("sales_team.group_sale_salesman"))
        order = self.env["sale.order"].create({"partner_id": self.customer.id})
        as_engine = self.env["sale.order"].with_user(self.engine_user)
        self.assertEqual(as_engine.search([("id", "=", order.id)]), order)
        self.assertEqual(order.with_user(self.engine_user).read(["partner_id"])[0]["partner_id"][0],
                         self.customer.id)
        for attempt in (lambda: order.with_user(self.engine_user).write({"note": "changed"}),
                        lambda: order.with_user(self.engine_user).action_confirm(),
                        lambda: as_engine.create({"partner_id": self.customer.id})):
            with self.assertRaises(AccessError):
                attempt()
        self.assertEqual(order.state, "draft")

    def test_portal_sees_no_insight(self):
        with self.assertRaises(AccessError):
            self.env["ai.partner.insight"].with_user(self.portal_user).search([])

    def test_one_step_engine_user_setup(self):
        admin = self.env.ref("base.user_admin")
        answer = self.env["res.users"].with_user(admin).ai_setup_engine_user("ai-test-bot")
        user = self.env["res.users"].browse(answer["user_id"])
        # The engine group (and the internal user it implies), no sales or accounting rights.
        self.assertEqual(user.groups_id.filtered(lambda g: not g.share),
                         self.env.ref("ai_crm.group_ai_engine")
                         | self.env.ref("ai_crm.group_ai_engine").trans_implied_ids)
        self.assertFalse(user.has_group("sales_team.group_sale_salesman"))
        self.assertFalse(user.has_group("account.group_account_invoice"))
        # A key valid for the year the group allows, that logs in.
        days = (fields.Datetime.from_string(answer["expires"]) - fields.Datetime.now()).days
        self.assertGreaterEqual(days, 364)
        uid = self.env["res.users.apikeys"]._check_credentials(scope="rpc",
                                                                key=answer["api_key"])
        self.assertEqual(uid, user.id)
        # Run again (a lost key): the same user, a new key, the groups put right.
        user.groups_id |= self.env.ref("sales_team.group_sale_salesman")
        again = self.env["res.users"].with_user(admin).ai_setup_engine_user("ai-test-bot")
        self.assertEqual(again["user_id"], user.id)
        self.assertNotEqual(again["api_key"], answer["api_key"])
        self.assertFalse(user.has_group("sales_team.group_sale_salesman"))
        with self.assertRaises(AccessError):
            self.env["res.users"].with_user(self.ai_manager).ai_setup_engine_user("x")
