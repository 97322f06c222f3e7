from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged

from .common import AiCrmCommon


@tagged("post_install", "-at_install")
class TestInsightSnapshots(AiCrmCommon):
    def test_write_converts_values_and_contacts_show_them(self):
        result = self.apply([self.insight_row(self.customer), self.insight_row(
            self.individual, segment_id="at_risk", churn_probability=0.9, churn_risk="high",
            churn_reasons=[{"code": "one_order"}], churn_method="fallback", rfm_score="111",
        )])
        self.assertEqual(result, {"written": 2, "skipped_excluded": 0})
        self.assertRecordValues(self.insight_of(self.customer) + self.insight_of(self.individual), [
            {"recency_days": 12, "frequency": 7, "monetary": 1234.5, "rfm_score": "545",
             "segment_id": self.segment_champions.id, "churn_probability": 42.34,
             "churn_risk": "medium", "churn_method": "model", "churn_grade": "A", "clv": 800.0,
             "active": True, "currency_id": self.company.currency_id.id},
            {"recency_days": 12, "frequency": 7, "monetary": 1234.5, "rfm_score": "111",
             "segment_id": self.segment_at_risk.id, "churn_probability": 90.0,
             "churn_risk": "high", "churn_method": "fallback", "churn_grade": "A", "clv": 800.0,
             "active": True, "currency_id": self.company.currency_id.id},
        ])
        # The contact person shows its company's insight, rendered from the engine's codes.
        self.assertRecordValues(self.contact.with_user(self.salesperson), [{
            "ai_churn_probability": 42.34, "ai_segment_id": self.segment_champions.id,
            "ai_cluster": "Frequent, high-spend recent buyers",
            "ai_churn_reasons": "No order for 40 days; this customer usually orders every "
                                "21 days\nSpending fell 30 % versus the previous year",
            "ai_currency_id": self.company.currency_id.id,
        }])
        self.assertTrue(self.customer.ai_scored_at)
        self.assertEqual(self.individual.ai_churn_reasons, "Only one order so far")

    def test_rows_sent_as_columns_are_written_the_same(self):
        rows = [self.insight_row(self.customer),
                self.insight_row(self.individual, churn_reasons=None, monetary=10.25)]
        fnames = ["recency_days", "monetary", "churn_reasons", "cluster", "next_order_date",
                  "segment_id", "churn_probability"]

        def written():
            return [{name: record[name] for name in fnames} for record in
                    self.insight_of(self.customer) + self.insight_of(self.individual)]

        self.apply(rows)
        as_rows = written()
        columns = {key: [row.get(key) for row in rows] for key in rows[0]}
        self.assertEqual(self.apply(columns), {"written": 2, "skipped_excluded": 0})
        self.assertEqual(written(), as_rows)
        self.assertEqual(as_rows[1]["monetary"], 10.25)
        run = self.start_run()
        Insight = self.env["ai.partner.insight"].with_user(self.engine_user)
        for bad, words in (({"partner_id": [self.customer.id], "frequency": [1, 2]},
                            "different lengths"),
                           ({"partner_id": self.customer.id}, "lists of values")):
            with self.subTest(bad=bad), self.assertRaisesRegex(ValidationError, words):
                Insight.ai_write(run.id, bad)
        self.assertFalse(Insight.sudo().with_context(active_test=False).search(
            [("run_id", "=", run.id)]), "nothing staged")

    def test_numbers_with_digits_are_stored_rounded_as_odoo_rounds_them(self):
        # Half away from zero, as fields.Float.convert_to_column (Python's round() gives 2.2);
        # read from the table: the ORM would round on reading whatever was stored.
        self.apply([self.insight_row(self.customer, expected_orders=2.25),
                    self.insight_row(self.individual, expected_orders=1.04)])
        self.env.cr.execute(
            "SELECT partner_id, expected_orders::text FROM ai_partner_insight WHERE active "
            "AND partner_id IN %s", [(self.customer.id, self.individual.id)])
        self.assertEqual(dict(self.env.cr.fetchall()),
                         {self.customer.id: "2.3", self.individual.id: "1.0"})

    def test_staged_results_show_only_once_the_run_is_done(self):
        run = self.start_run()
        Insight = self.env["ai.partner.insight"].with_user(self.engine_user)
        Insight.ai_write(run.id, [self.insight_row(self.customer)])
        Insight.ai_write(run.id, [self.insight_row(self.individual)])
        self.assertFalse(self.insight_of(self.customer))
        self.assertFalse(self.customer.ai_scored_at)
        self.finish_run(run)
        self.assertTrue(self.insight_of(self.customer) and self.insight_of(self.individual))
        self.assertEqual(self.customer.ai_frequency, 7)

    def test_next_run_replaces_the_snapshot_and_retires_the_rest(self):
        self.apply([self.insight_row(self.customer), self.insight_row(self.individual)])
        self.apply([self.insight_row(self.customer, frequency=9)])
        self.assertEqual(self.insight_of(self.customer).frequency, 9)
        self.assertFalse(self.insight_of(self.individual), "no longer scored: retired")
        self.assertFalse(self.individual.ai_scored_at)
        everything = self.env["ai.partner.insight"].sudo().with_context(active_test=False)
        self.assertEqual(everything.search_count([("company_id", "=", self.company.id)]), 1)

    def test_a_run_of_changed_customers_replaces_only_theirs(self):
        self.apply([self.insight_row(self.customer), self.insight_row(self.individual)])
        run = self.start_run()
        run.scope = "changes"
        self.env["ai.partner.insight"].with_user(self.engine_user).ai_write(
            run.id, [self.insight_row(self.customer, frequency=9)])
        self.finish_run(run)
        self.assertEqual(self.insight_of(self.customer).frequency, 9)
        self.assertEqual(self.insight_of(self.individual).frequency, 7, "unchanged: kept")
        everything = self.env["ai.partner.insight"].sudo().with_context(active_test=False)
        self.assertEqual(everything.search_count([("company_id", "=", self.company.id)]), 2)

    def test_failed_run_leaves_the_published_snapshot(self):
        self.apply([self.insight_row(self.customer)])
        run = self.start_run()
        self.env["ai.partner.insight"].with_user(self.engine_user).ai_write(
            run.id, [self.insight_row(self.individual)])
        self.env["ai.run"].with_user(self.engine_user).ai_fail(run.id, "Odoo went away")
        self.assertEqual(self.insight_of(self.customer).frequency, 7)
        staged = self.env["ai.partner.insight"].sudo().with_context(active_test=False).search(
            [("run_id", "=", run.id)])
        self.assertFalse(staged, "a failed run's staged rows are deleted")

    def test_each_company_keeps_its_own_insight(self):
        shared = self.individual  # no company: both companies sell to them
        self.apply([self.insight_row(shared, frequency=18)])
        self.apply([self.insight_row(shared, frequency=3, churn_risk="low")],
                   company=self.other_company)
        self.assertEqual(shared.with_company(self.company).ai_frequency, 18)
        self.assertEqual(shared.with_company(self.other_company).ai_frequency, 3)
        self.assertEqual(shared.with_company(self.other_company).ai_churn_risk, "low")
        # The main company's next run leaves the other company's insight alone.
        self.apply([self.insight_row(self.customer)])
        self.assertEqual(shared.with_company(self.other_company).ai_frequency, 3)
        self.assertFalse(shared.with_company(self.company).ai_scored_at)

    def test_each_companys_users_see_only_their_companys_insight(self):
        shared = self.individual
        self.apply([self.insight_row(shared, frequency=18)])
        self.apply([self.insight_row(shared, frequency=3)], company=self.other_company)
        main_only = self.salesperson  # the main company only
        insights = self.env["ai.partner.insight"].with_user(main_only).search(
            [("partner_id", "=", shared.id)])
        self.assertEqual(insights.company_id, self.company)
        self.assertEqual(shared.with_user(main_only).ai_frequency, 18)
        portal_quote_field = self.env["sale.order"]._fields["ai_suggestions"]
        self.assertEqual(portal_quote_field.groups, "base.group_user")

    def assertNothingStaged(self, *partners):
        rows = self.env["ai.partner.insight"].sudo().with_context(active_test=False).search(
            [("partner_id", "in", [p.id for p in partners])])
        self.assertFalse(rows)

    def test_unknown_keys_rejected(self):
        rows = [self.insight_row(self.customer),
                self.insight_row(self.individual, bogus=1, ai_secret="x")]
        with self.assertRaises(ValidationError) as caught:
            self.apply(rows)
        self.assertIn("ai_secret", str(caught.exception))
        self.assertIn("bogus", str(caught.exception))
        self.assertNothingStaged(self.customer, self.individual)

    def test_other_company_partners_rejected(self):
        with self.assertRaises(ValidationError) as caught:
            self.apply([self.insight_row(self.customer), self.insight_row(self.other_customer)])
        self.assertIn(str(self.other_customer.id), str(caught.exception))
        self.assertNothingStaged(self.customer, self.other_customer)
        # The same partner is fine for its own company.
        self.apply([self.insight_row(self.other_customer)], company=self.other_company)
        self.assertTrue(self.insight_of(self.other_customer, self.other_company))

    def test_contacts_rejected(self):
        with self.assertRaises(ValidationError) as caught:
            self.apply([self.insight_row(self.customer), self.insight_row(self.contact)])
        self.assertIn(str(self.contact.id), str(caught.exception))
        self.assertIn("commercial", str(caught.exception))
        self.assertNothingStaged(self.customer, self.contact)

    def test_nonexistent_and_duplicate_partners_rejected(self):
        self.env.cr.execute("SELECT max(id) + 1000 FROM res_partner")
        missing_id = self.env.cr.fetchone()[0]
        with self.assertRaises(ValidationError) as caught:
            self.apply([self.insight_row(self.customer),
                        {"partner_id": missing_id, "frequency": 1}])
        self.assertIn(str(missing_id), str(caught.exception))
        with self.assertRaises(ValidationError):
            self.apply([{"partner_id": self.customer.id, "frequency": 1},
                        {"partner_id": self.customer.id, "frequency": 2}])
        with self.assertRaises(ValidationError):
            self.apply([{"frequency": 1}])
        self.assertNothingStaged(self.customer)

    def test_same_partner_twice_in_one_run_rejected(self):
        run = self.start_run()
        Insight = self.env["ai.partner.insight"].with_user(self.engine_user)
        Insight.ai_write(run.id, [self.insight_row(self.customer)])
        with self.assertRaises(ValidationError) as caught:
            Insight.ai_write(run.id, [self.insight_row(self.customer)])
        self.assertIn("earlier in this run", str(caught.exception))

    def test_invalid_values_rejected(self):
        bad_rows = [
            {"churn_probability": 1.5},
            {"churn_risk": "extreme"},
            {"churn_method": "magic"},
            {"churn_grade": "D"},
            {"recency_days": "twelve"},
            {"recency_days": -3},
            {"frequency": 2.5},
            {"frequency": 10**12},
            {"clv": -5.0},
            {"rfm_score": "5455"},
            {"rfm_score": "590"},
            {"monetary": float("nan")},
            {"segment_id": "no_such_segment"},
            {"churn_reasons": [{"code": "made_up_reason"}]},
            {"churn_reasons": "No order for 40 days"},
            {"cluster": {"code": "cluster", "often": ["x", None]}},
        ]
        for bad in bad_rows:
            with self.subTest(bad=bad), self.assertRaises(ValidationError):
                self.apply([self.insight_row(self.individual),
                            self.insight_row(self.customer, **bad)])
        self.assertNothingStaged(self.customer, self.individual)

    def test_run_must_be_the_callers_running_insights_run(self):
        with self.assertRaises(ValidationError):  # not one of this bot's companies
            self.apply([self.insight_row(self.other_customer)], company=self.other_company,
                       user=self.engine_user_main)
        suggestions_run = self.start_run("suggestions")
        with self.assertRaises(ValidationError):
            self.env["ai.partner.insight"].with_user(self.engine_user).ai_write(
                suggestions_run.id, [self.insight_row(self.customer)])
        run = self.start_run()
        self.finish_run(run)
        with self.assertRaises(ValidationError):
            self.env["ai.partner.insight"].with_user(self.engine_user).ai_write(
                run.id, [self.insight_row(self.customer)])
        self.assertNothingStaged(self.customer, self.other_customer)

    def test_only_the_engine_writes(self):
        run = self.start_run()
        for user in (self.salesperson, self.ai_manager):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.env["ai.partner.insight"].with_user(user).ai_write(
                    run.id, [self.insight_row(self.customer)])
        self.assertNothingStaged(self.customer)
