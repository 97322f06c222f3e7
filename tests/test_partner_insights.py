import ast

from lxml import etree

from odoo.tests import Form, tagged

from .common import AiCrmCommon

# What the contact shows: the current company's ai.partner.insight.
PARTNER_FIELDS = {
    "ai_recency_days": "integer",
    "ai_frequency": "integer",
    "ai_monetary": "monetary",
    "ai_currency_id": "many2one",
    "ai_rfm_score": "char",
    "ai_segment_id": "many2one",
    "ai_cluster": "char",
    "ai_churn_probability": "float",
    "ai_churn_risk": "selection",
    "ai_churn_reasons": "text",
    "ai_churn_method": "selection",
    "ai_clv": "monetary",
    "ai_scored_at": "datetime",
}
SEGMENT_CODES = [
    "champions", "loyal", "potential_loyalist", "new", "promising", "need_attention",
    "about_to_sleep", "at_risk", "cant_lose", "hibernating", "lost",
]


@tagged("post_install", "-at_install")
class TestPartnerInsights(AiCrmCommon):
    def test_contract_fields(self):
        fields = self.env["res.partner"]._fields
        self.assertTrue(fields["ai_exclude_profiling"].store)
        self.assertEqual(fields["ai_exclude_profiling"].groups, "base.group_user")
        for name, ftype in PARTNER_FIELDS.items():
            with self.subTest(field=name):
                self.assertEqual(fields[name].type, ftype)
                self.assertFalse(fields[name].store, "shown from ai.partner.insight")
                self.assertTrue(fields[name].related.startswith("ai_insight_id."))
                self.assertEqual(fields[name].groups, "base.group_user")
        self.assertEqual(fields["ai_segment_id"].comodel_name, "ai.segment")
        self.assertEqual(fields["ai_monetary"].currency_field, "ai_currency_id")
        insight = self.env["ai.partner.insight"]._fields
        self.assertEqual(insight["rfm_score"].size, 3)
        self.assertEqual(set(self.env["ai.partner.insight"]._ai_converters) - set(insight), set(),
                         "the engine's keys are the field names")

    def test_segments_data(self):
        segments = self.env["ai.segment"].search([])
        self.assertEqual(sorted(segments.mapped("code")), sorted(SEGMENT_CODES))
        self.assertEqual(segments.mapped("code"), SEGMENT_CODES, "ordered by sequence")
        self.assertEqual(self.env.ref("ai_crm.ai_segment_cant_lose").name, "Can't lose")
        self.assertTrue(all(segments.mapped("description")))

    def test_contact_shows_company_scores(self):
        self.apply([self.insight_row(self.customer, churn_probability=0.75, churn_risk="high")])
        contact = self.contact.with_user(self.salesperson)
        insight = self.insight_of(self.customer)
        self.assertRecordValues(contact, [{
            "ai_insight_id": insight.id,
            "ai_churn_probability": 75.0,
            "ai_churn_risk": "high",
            "ai_segment_id": self.segment_champions.id,
            "ai_segment_description": self.segment_champions.description,
            "ai_monetary": 1234.5,
            "ai_currency_id": self.company.currency_id.id,
            "ai_scored_at": insight.create_date,
        }])
        self.assertFalse(self.individual.ai_insight_id)

    def test_a_recent_group_member_gone_quiet_is_named_so(self):
        # The engine names a customer of a group of recent buyers who has been silent for more
        # than three of its own gaps "gone quiet", as its segment (Can't lose) says.
        quiet = {"code": "cluster", "often": "frequent", "spend": "high", "when": "quiet"}
        self.apply([self.insight_row(self.customer, segment_id="cant_lose", cluster=quiet)])
        self.assertEqual(self.contact.with_user(self.salesperson).ai_cluster,
                         "Frequent, high-spend buyers, gone quiet")

    def test_partner_form_has_ai_page(self):
        views = self.env["res.partner"].with_user(self.salesperson).get_views([(False, "form")])
        arch = etree.fromstring(views["views"]["form"]["arch"])
        page = arch.xpath("//page[@name='ai_insights']")
        self.assertTrue(page, "the AI Insights page is on the partner form")
        shown = set(page[0].xpath(".//field/@name"))
        for name in ("ai_recency_days", "ai_frequency", "ai_monetary", "ai_rfm_score",
                     "ai_segment_id", "ai_segment_description", "ai_cluster",
                     "ai_churn_probability", "ai_churn_risk", "ai_churn_reasons",
                     "ai_churn_method", "ai_clv_12m", "ai_scored_at", "ai_exclude_profiling"):
            self.assertIn(name, shown)
        # One 12-month value on the page, not two that disagree.
        self.assertNotIn("ai_clv", shown)

    def test_portal_form_has_no_ai_fields(self):
        portal_fields = self.env["res.partner"].with_user(self.portal_user).fields_get()
        self.assertFalse([name for name in portal_fields if name.startswith("ai_")])

    def test_form_as_salesperson(self):
        self.apply([self.insight_row(self.customer)])
        with Form(self.contact.with_user(self.salesperson)) as form:
            self.assertEqual(form.ai_churn_probability, 42.34)
            self.assertEqual(form.ai_churn_method, "model")
            form.function = "Buyer"
        self.assertEqual(self.contact.function, "Buyer")
        with Form(self.env["res.partner"].with_user(self.salesperson)) as form:
            form.name = "AI Test New Customer"
            form.company_type = "company"
            form.ai_exclude_profiling = True
        self.assertTrue(form.record.ai_exclude_profiling)

    def test_list_and_search_views(self):
        Partner = self.env["res.partner"].with_user(self.salesperson)
        views = Partner.get_views([(False, "list"), (False, "search")])
        list_arch = etree.fromstring(views["views"]["list"]["arch"])
        for name in ("ai_segment_id", "ai_churn_probability", "ai_churn_risk", "ai_rfm_score",
                     "ai_monetary"):
            with self.subTest(column=name):
                self.assertEqual(list_arch.xpath(f"//field[@name='{name}']/@optional"), ["hide"])
        search_arch = etree.fromstring(views["views"]["search"]["arch"])
        filters = {f.get("name"): f for f in search_arch.xpath("//filter")}
        for name in ("ai_high_churn_risk", "ai_at_risk", "ai_excluded"):
            self.assertIn(name, filters)
        # The filters' domains find the right customers, in the current company only.
        self.apply([
            self.insight_row(self.customer, churn_risk="high", segment_id="cant_lose"),
            self.insight_row(self.individual, churn_risk="low", segment_id="loyal"),
        ])
        self.apply([self.insight_row(self.individual, churn_risk="high")],
                   company=self.other_company)
        for name, expected in (("ai_high_churn_risk", self.customer),
                               ("ai_at_risk", self.customer)):
            domain = ast.literal_eval(filters[name].get("domain"))
            found = Partner.search(domain + [("name", "like", "AI Test")])
            self.assertEqual(found, expected, name)
        self.assertEqual(Partner.search([("ai_insight_id", "!=", False),
                                         ("name", "like", "AI Test")]),
                         self.customer | self.individual)
        elsewhere = self.env["res.partner"].with_user(self.ai_manager).with_company(
            self.other_company)
        self.assertEqual(elsewhere.search([("ai_churn_risk", "=", "high"),
                                           ("name", "like", "AI Test")]), self.individual)

    def test_customer_insights_list_groups_by_segment(self):
        self.apply([
            self.insight_row(self.customer, segment_id="cant_lose"),
            self.insight_row(self.individual, segment_id="cant_lose"),
        ])
        Insight = self.env["ai.partner.insight"].with_user(self.ai_user)
        groups = Insight.read_group([], ["clv:sum"], ["segment_id"])
        self.assertEqual([(g["segment_id"][0], g["segment_id_count"], g["clv"]) for g in groups],
                         [(self.env.ref("ai_crm.ai_segment_cant_lose").id, 2, 1600.0)])
        self.assertEqual(self.env.ref("ai_crm.ai_segment_cant_lose").partner_count, 2)
        views = Insight.get_views([(False, "list"), (False, "pivot"), (False, "search")])
        self.assertIn("group_segment", views["views"]["search"]["arch"])

    def test_settings(self):
        self.assertEqual(self.company.ai_min_repeat_customers, 50)
        self.assertEqual(self.company.ai_churn_horizon_days, 0)
        admin = self.env.ref("base.user_admin")
        settings = self.env["res.config.settings"].with_user(admin).create({
            "ai_churn_horizon_days": 90, "ai_min_repeat_customers": 20,
        })
        settings.execute()
        self.assertRecordValues(self.company, [{
            "ai_churn_horizon_days": 90, "ai_min_repeat_customers": 20,
        }])
        views = self.env["res.config.settings"].with_user(admin).get_views(
            [(False, "form")])
        arch = views["views"]["form"]["arch"]
        self.assertIn("ai_churn_horizon_days", arch)
        self.assertIn("derive it from your", arch)  # what 0 days means is said on the page
