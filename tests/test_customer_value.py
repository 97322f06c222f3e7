import ast

from lxml import etree

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import AiCrmCommon

VALUE = {
    "expected_orders": 2.4,
    "expected_revenue": 610.0,
    "next_order_date": "2026-02-14",
    "clv_12m": 2950.0,
    "clv_low": 2134.0,
    "clv_high": 4280.0,
    "value_band": "top",
    "value_method": "model",
    "value_grade": "B",
    "value_reasons": [
        {"code": "expected_orders", "orders": 2.4, "days": 90, "past": 7, "months": 14},
        {"code": "spend_per_order", "value": 254.2, "typical": 180},
        {"code": "value_range", "percent": 80},
        {"code": "next_order", "percent": 91, "days": 38},
    ],
}
PARTNER_FIELDS = {
    "ai_expected_orders": "float", "ai_expected_revenue": "monetary",
    "ai_next_order_date": "date", "ai_clv_12m": "monetary", "ai_clv_low": "monetary",
    "ai_clv_high": "monetary", "ai_value_range": "char", "ai_value_band": "selection",
    "ai_value_method": "selection", "ai_value_grade": "selection", "ai_value_reasons": "text",
    "ai_no_next_order": "boolean",
}


@tagged("post_install", "-at_install")
class TestCustomerValue(AiCrmCommon):
    def test_value_is_converted_and_shown_on_the_contact(self):
        self.apply([self.insight_row(self.customer, **VALUE)])
        contact = self.contact.with_user(self.salesperson)
        self.assertRecordValues(contact, [{
            "ai_expected_orders": 2.4, "ai_expected_revenue": 610.0,
            "ai_clv_12m": 2950.0, "ai_clv_low": 2134.0, "ai_clv_high": 4280.0,
            "ai_value_band": "top", "ai_value_method": "model", "ai_value_grade": "B",
            "ai_no_next_order": False,
        }])
        self.assertEqual(str(contact.ai_next_order_date), "2026-02-14")
        # "$2,100.00 – $4,300.00" in the company's currency: rounded for a reader.
        self.assertIn("2,100", contact.ai_value_range)
        self.assertIn("4,300", contact.ai_value_range)
        self.assertIn(self.company.currency_id.symbol, contact.ai_value_range)
        lines = contact.ai_value_reasons.split("\n")
        self.assertEqual(len(lines), 4)
        self.assertIn("2.4 orders expected in the next 90 days; 7 so far in 14 months", lines[0])
        self.assertIn("254.20", lines[1])
        self.assertIn("80 % of customers like this one", lines[2])
        self.assertIn("as likely as not within 38 days", lines[3])

    def test_no_next_order_expected(self):
        gone = {**VALUE, "next_order_date": None, "value_band": "low",
                "value_reasons": [{"code": "no_next_order", "percent": 12}]}
        self.apply([self.insight_row(self.customer, **gone),
                    self.insight_row(self.individual, **VALUE)])
        Partner = self.env["res.partner"].with_user(self.salesperson)
        self.assertFalse(self.customer.with_user(self.salesperson).ai_next_order_date)
        self.assertEqual(Partner.search([("ai_no_next_order", "=", True),
                                         ("name", "like", "AI Test")]), self.customer)
        self.assertIn("Most likely gone", self.customer.with_user(
            self.salesperson).ai_value_reasons)

    def test_dated_by_its_own_rhythm(self):
        by_rhythm = {**VALUE, "value_reasons": [
            {"code": "next_order_rhythm", "gap": 30, "days": 12}]}
        gone = {**VALUE, "next_order_date": None, "value_reasons": [
            {"code": "no_next_order_rhythm", "gap": 20, "days": 95}]}
        self.apply([self.insight_row(self.customer, **by_rhythm),
                    self.insight_row(self.individual, **gone)])
        self.assertIn("Orders about every 30 days; last ordered 12 days ago",
                      self.customer.with_user(self.salesperson).ai_value_reasons)
        individual = self.individual.with_user(self.salesperson)
        self.assertIn("Silent for more than three of its usual gaps (about 20 days; last "
                      "ordered 95 days ago)", individual.ai_value_reasons)
        self.assertTrue(individual.ai_no_next_order)

    def test_negative_or_bad_values_are_refused(self):
        for key, bad in (("expected_orders", -0.5), ("expected_revenue", -1.0),
                         ("clv_12m", -3.0), ("clv_low", -1.0), ("clv_high", float("inf")),
                         ("next_order_date", "14/02/2026"), ("value_band", "gold"),
                         ("value_method", "magic"),
                         ("value_reasons", [{"code": "made_up"}])):
            with self.subTest(key=key), self.assertRaises(ValidationError) as caught:
                self.apply([self.insight_row(self.customer, **{**VALUE, key: bad})])
            self.assertIn(key, str(caught.exception))

    def test_views_show_value_and_group_by_band(self):
        Partner = self.env["res.partner"].with_user(self.salesperson)
        views = Partner.get_views([(False, "form"), (False, "list"), (False, "search")])
        form = etree.fromstring(views["views"]["form"]["arch"])
        shown = set(form.xpath("//page[@name='ai_insights']//field/@name"))
        for name in ("ai_expected_orders", "ai_expected_revenue", "ai_clv_12m", "ai_value_range",
                     "ai_next_order_date", "ai_value_band", "ai_value_reasons"):
            self.assertIn(name, shown)
        list_arch = etree.fromstring(views["views"]["list"]["arch"])
        for name in ("ai_clv_12m", "ai_value_range", "ai_next_order_date", "ai_value_band"):
            self.assertEqual(list_arch.xpath(f"//field[@name='{name}']/@optional"), ["hide"])
        search = etree.fromstring(views["views"]["search"]["arch"])
        filters = {f.get("name"): f for f in search.xpath("//filter")}
        self.assertIn("ai_top_value", filters)
        self.assertIn("ai_no_next_order", filters)
        self.apply([self.insight_row(self.customer, **VALUE),
                    self.insight_row(self.individual, **{**VALUE, "value_band": "low",
                                                         "clv_12m": 50.0, "clv_low": 0.0,
                                                         "clv_high": 120.0})])
        domain = ast.literal_eval(filters["ai_top_value"].get("domain"))
        self.assertEqual(Partner.search(domain + [("name", "like", "AI Test")]), self.customer)
        Insight = self.env["ai.partner.insight"].with_user(self.ai_user)
        groups = Insight.read_group([], ["clv_12m:sum"], ["value_band"])
        self.assertEqual(sorted((g["value_band"], g["clv_12m"]) for g in groups),
                         [("low", 50.0), ("top", 2950.0)])
        views = Insight.get_views([(False, "list"), (False, "form"), (False, "search")])
        self.assertIn("group_value_band", views["views"]["search"]["arch"])
        self.assertIn("value_range", views["views"]["list"]["arch"])

    def test_run_form_names_the_value_decision(self):
        from odoo.addons.ai_crm.models import ai_run_metrics

        html = ai_run_metrics.to_html(self.env, '{"n_customers": 2, "serving": {"value": '
                                      '{"served": "baseline", "grade": "C", "model": 12.5, '
                                      '"baseline": 10.0}}}')
        self.assertIn("Customer value", html)
        self.assertIn("average monthly spend", html)
        html = ai_run_metrics.to_html(self.env, ('{"n_customers": 2, "serving": {"next_order": '
                                       '{"served": "baseline", "grade": "B", "model": 58.04, '
                                       '"baseline": 60.0, "measure": "next_order_mae_days"}}}'))
        self.assertIn("Expected next order date", html)
        self.assertIn("<td>58.0</td><td>60.0</td>", html)  # days, not 58.000
        self.assertIn("B — the customer&#39;s own rhythm (last order + usual gap) served: the "
                      "model was only about as good", html)
