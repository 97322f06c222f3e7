from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged

from .common import AiCrmCommon


@tagged("post_install", "-at_install")
class TestApplyInsights(AiCrmCommon):
    def test_apply_writes_converted_values(self):
        result = self.apply([self.insight_row(self.customer), self.insight_row(
            self.individual, segment_code="at_risk", churn_probability=0.9, churn_risk="high",
            churn_reasons="Single reason", churn_method="fallback", rfm_score="111",
        )])
        self.assertEqual(result, {"updated": 2})
        self.assertRecordValues(self.customer + self.individual, [
            {
                "ai_recency_days": 12, "ai_frequency": 7, "ai_monetary": 1234.5,
                "ai_rfm_score": "545", "ai_segment_id": self.segment_champions.id,
                "ai_cluster": "Frequent high-spend buyers", "ai_churn_probability": 42.34,
                "ai_churn_risk": "medium",
                "ai_churn_reasons": "No order for 40 days\nOrders are getting smaller",
                "ai_churn_method": "model", "ai_clv": 800.0,
                "ai_currency_id": self.company.currency_id.id,
            },
            {
                "ai_recency_days": 12, "ai_frequency": 7, "ai_monetary": 1234.5,
                "ai_rfm_score": "111", "ai_segment_id": self.segment_at_risk.id,
                "ai_cluster": "Frequent high-spend buyers", "ai_churn_probability": 90.0,
                "ai_churn_risk": "high", "ai_churn_reasons": "Single reason",
                "ai_churn_method": "fallback", "ai_clv": 800.0,
                "ai_currency_id": self.company.currency_id.id,
            },
        ])
        self.assertTrue(self.customer.ai_scored_at)

    def test_apply_subset_of_keys_and_none_clears(self):
        self.apply([self.insight_row(self.customer)])
        self.apply([{"id": self.customer.id, "churn_probability": None, "frequency": 9}])
        self.assertRecordValues(self.customer, [{
            "ai_churn_probability": 0.0, "ai_frequency": 9, "ai_recency_days": 12,
            "ai_segment_id": self.segment_champions.id,
        }])

    def test_apply_mixed_key_sets(self):
        result = self.apply([
            {"id": self.customer.id, "frequency": 3},
            {"id": self.individual.id, "recency_days": 5},
        ])
        self.assertEqual(result, {"updated": 2})
        self.assertRecordValues(self.customer + self.individual, [
            {"ai_frequency": 3, "ai_recency_days": 0},
            {"ai_frequency": 0, "ai_recency_days": 5},
        ])

    def assertNothingWritten(self, *partners):
        for partner in partners:
            self.assertFalse(partner.ai_scored_at, f"{partner.name} was scored")
            self.assertFalse(partner.ai_segment_id)

    def test_unknown_keys_rejected(self):
        rows = [self.insight_row(self.customer),
                self.insight_row(self.individual, bogus=1, ai_secret="x")]
        with self.assertRaises(ValidationError) as caught:
            self.apply(rows)
        self.assertIn("ai_secret", str(caught.exception))
        self.assertIn("bogus", str(caught.exception))
        self.assertNothingWritten(self.customer, self.individual)

    def test_other_company_ids_rejected(self):
        with self.assertRaises(ValidationError) as caught:
            self.apply([self.insight_row(self.customer), self.insight_row(self.other_customer)])
        self.assertIn(str(self.other_customer.id), str(caught.exception))
        self.assertNothingWritten(self.customer, self.other_customer)
        # The same partner is fine for its own company.
        self.apply([self.insight_row(self.other_customer)], company=self.other_company)
        self.assertEqual(self.other_customer.ai_currency_id, self.other_company.currency_id)

    def test_contact_ids_rejected(self):
        with self.assertRaises(ValidationError) as caught:
            self.apply([self.insight_row(self.customer), self.insight_row(self.contact)])
        self.assertIn(str(self.contact.id), str(caught.exception))
        self.assertIn("commercial", str(caught.exception))
        self.assertNothingWritten(self.customer, self.contact)

    def test_nonexistent_and_duplicate_ids_rejected(self):
        self.env.cr.execute("SELECT max(id) + 1000 FROM res_partner")
        missing_id = self.env.cr.fetchone()[0]
        with self.assertRaises(ValidationError) as caught:
            self.apply([self.insight_row(self.customer), {"id": missing_id, "frequency": 1}])
        self.assertIn(str(missing_id), str(caught.exception))
        with self.assertRaises(ValidationError):
            self.apply([{"id": self.customer.id, "frequency": 1},
                        {"id": self.customer.id, "frequency": 2}])
        with self.assertRaises(ValidationError):
            self.apply([{"frequency": 1}])
        self.assertNothingWritten(self.customer)

    def test_invalid_values_rejected(self):
        bad_rows = [
            {"churn_probability": 1.5},
            {"churn_risk": "extreme"},
            {"churn_method": "magic"},
            {"recency_days": "twelve"},
            {"frequency": 2.5},
            {"rfm_score": "5455"},
            {"monetary": float("nan")},
            {"segment_code": "no_such_segment"},
        ]
        for bad in bad_rows:
            with self.subTest(bad=bad), self.assertRaises(ValidationError):
                self.apply([self.insight_row(self.individual),
                            self.insight_row(self.customer, **bad)])
        self.assertNothingWritten(self.customer, self.individual)

    def test_company_must_be_one_of_the_callers(self):
        with self.assertRaises(AccessError):
            self.apply([self.insight_row(self.other_customer)], company=self.other_company,
                       user=self.engine_user_main)
        self.assertNothingWritten(self.other_customer)

    def test_excluded_partner_cleared_and_refused(self):
        self.apply([self.insight_row(self.customer)])
        self.assertTrue(self.customer.ai_scored_at)
        # A salesperson records the customer's objection on the company…
        self.customer.with_user(self.salesperson).ai_exclude_profiling = True
        self.assertRecordValues(self.customer, [{
            "ai_exclude_profiling": True, "ai_scored_at": False, "ai_segment_id": False,
            "ai_churn_probability": 0.0, "ai_churn_reasons": False, "ai_monetary": 0.0,
            "ai_rfm_score": False, "ai_currency_id": False,
        }])
        # …its contacts follow it…
        self.assertTrue(self.contact.ai_exclude_profiling)
        # …and the engine can no longer score it.
        with self.assertRaises(ValidationError) as caught:
            self.apply([self.insight_row(self.customer)])
        self.assertIn("excluded", str(caught.exception))
        self.assertNothingWritten(self.customer)

    def test_clear_insights(self):
        self.apply([self.insight_row(self.customer), self.insight_row(self.individual)])
        result = self.env["res.partner"].with_user(self.engine_user).ai_clear_insights(
            self.company.id, [self.customer.id])
        self.assertEqual(result, {"cleared": 1})
        self.assertNothingWritten(self.customer)
        self.assertEqual(self.individual.ai_segment_id, self.segment_champions)
        with self.assertRaises(ValidationError):
            self.env["res.partner"].with_user(self.engine_user).ai_clear_insights(
                self.company.id, [self.contact.id])
        self.assertTrue(self.individual.ai_scored_at)
