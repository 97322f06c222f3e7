from odoo.tests import Form, tagged

from .common import AiCrmCommon


@tagged("post_install", "-at_install")
class TestProfilingObjection(AiCrmCommon):
    """GDPR art. 21: once a customer objects, nothing the engine found about them is kept or
    shown, in any company, and no later run brings it back."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.paper = cls.env["product.product"].create({"name": "AI Test Paper",
                                                       "list_price": 5.0})
        cls.stapler = cls.env["product.product"].create({"name": "AI Test Stapler",
                                                         "list_price": 9.0})
        cls.apply([cls.insight_row(cls.customer), cls.insight_row(cls.individual)])
        cls.apply([cls.insight_row(cls.customer, frequency=2)], company=cls.other_company)
        cls.publish_suggestions([
            cls.suggestion(cls.customer, cls.paper, {"code": "bought_before", "times": 2,
                                                     "days": 156}),
            cls.suggestion(False, cls.stapler, {"code": "top_seller"}),
        ])

    @classmethod
    def suggestion(cls, partner, product, reason):
        return {"partner_id": partner and partner.id, "product_id": product.id, "rank": 1,
                "score": 0.5, "reason": reason, "source": "history" if partner else "popular"}

    @classmethod
    def publish_suggestions(cls, rows):
        run = cls.start_run("suggestions")
        result = cls.env["ai.customer.suggestion"].with_user(cls.engine_user).ai_write(
            run.id, rows)
        cls.finish_run(run)
        return result

    def quote_reasons(self, partner):
        form = Form(self.env["sale.order"].with_user(self.salesperson))
        form.partner_id = partner
        return [s["reason"] for s in form.ai_suggestions or []]

    def object(self):
        # A salesperson records the objection on the company; its contacts follow it.
        self.customer.with_user(self.salesperson).ai_exclude_profiling = True
        self.assertTrue(self.contact.ai_exclude_profiling)

    def test_everything_about_the_customer_goes_at_once(self):
        self.assertIn("Bought 2 times before; last order 156 days ago",
                      self.quote_reasons(self.contact))
        self.object()
        everything = self.env["ai.partner.insight"].sudo().with_context(active_test=False)
        self.assertFalse(everything.search([("partner_id", "=", self.customer.id)]),
                         "insights of every company are deleted")
        self.assertFalse(self.customer.ai_scored_at)
        self.assertFalse(self.customer.with_company(self.other_company).ai_scored_at)
        self.assertFalse(self.env["ai.customer.suggestion"].sudo().with_context(
            active_test=False).search([("partner_id", "=", self.customer.id)]))
        # The quotation shows only what is not about the person: the popular list.
        self.assertEqual(self.quote_reasons(self.contact), ["Top seller overall"])
        # Other customers keep theirs.
        self.assertTrue(self.insight_of(self.individual))

    def test_no_later_run_brings_it_back(self):
        self.object()
        result = self.apply([self.insight_row(self.customer), self.insight_row(self.individual)])
        self.assertEqual(result, {"written": 1, "skipped_excluded": 1})
        self.assertFalse(self.insight_of(self.customer))
        result = self.publish_suggestions([self.suggestion(self.customer, self.paper,
                                                           {"code": "top_seller"})])
        self.assertEqual(result["skipped_excluded"], 1)
        self.assertEqual(self.quote_reasons(self.customer), [])

    def test_objection_during_a_run_wins(self):
        run = self.start_run()
        self.env["ai.partner.insight"].with_user(self.engine_user).ai_write(
            run.id, [self.insight_row(self.customer), self.insight_row(self.individual)])
        self.object()  # after the rows were staged, before the run is done
        self.finish_run(run)
        self.assertFalse(self.insight_of(self.customer))
        self.assertTrue(self.insight_of(self.individual))
