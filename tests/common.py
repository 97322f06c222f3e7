from odoo.tests import TransactionCase, new_test_user

from odoo.addons.base.tests.common import DISABLED_MAIL_CONTEXT


class AiCrmCommon(TransactionCase):
    """Users of every kind, a second company and a few customers, built once per class."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, **DISABLED_MAIL_CONTEXT))
        cls.company = cls.env.company
        cls.other_company = cls.env["res.company"].create({"name": "AI Test Other Company"})
        both = [(6, 0, [cls.company.id, cls.other_company.id])]
        cls.salesperson = new_test_user(
            cls.env, "ai_test_sales",
            groups="sales_team.group_sale_salesman,base.group_partner_manager",
            company_id=cls.company.id,
        )
        cls.ai_user = new_test_user(
            cls.env, "ai_test_ai_user",
            groups="sales_team.group_sale_salesman,base.group_partner_manager,"
            "ai_crm.group_ai_user",
            company_id=cls.company.id,
        )
        cls.ai_manager = new_test_user(
            cls.env, "ai_test_manager",
            groups="sales_team.group_sale_manager,ai_crm.group_ai_manager",
            company_id=cls.company.id, company_ids=both,
        )
        cls.engine_user = new_test_user(
            cls.env, "ai_test_engine", groups="base.group_user,ai_crm.group_ai_engine",
            company_id=cls.company.id, company_ids=both,
        )
        # An engine bot that only serves the main company.
        cls.engine_user_main = new_test_user(
            cls.env, "ai_test_engine_main", groups="base.group_user,ai_crm.group_ai_engine",
            company_id=cls.company.id, company_ids=[(6, 0, [cls.company.id])],
        )
        cls.portal_user = new_test_user(cls.env, "ai_test_portal", groups="base.group_portal")

        Partner = cls.env["res.partner"]
        cls.customer = Partner.create({"name": "AI Test Acme", "is_company": True})
        cls.contact = Partner.create({"name": "AI Test Jane", "parent_id": cls.customer.id})
        cls.individual = Partner.create({"name": "AI Test Solo Buyer"})
        cls.other_customer = Partner.create({
            "name": "AI Test Other Co Customer", "is_company": True,
            "company_id": cls.other_company.id,
        })
        cls.segment_champions = cls.env.ref("ai_crm.ai_segment_champions")
        cls.segment_at_risk = cls.env.ref("ai_crm.ai_segment_at_risk")

    @classmethod
    def insight_row(cls, partner, **overrides):
        row = {
            "id": partner.id,
            "recency_days": 12,
            "frequency": 7,
            "monetary": 1234.5,
            "rfm_score": "545",
            "segment_code": "champions",
            "cluster": "Frequent high-spend buyers",
            "churn_probability": 0.4234,
            "churn_risk": "medium",
            "churn_reasons": ["No order for 40 days", "Orders are getting smaller"],
            "churn_method": "model",
            "clv": 800.0,
        }
        row.update(overrides)
        return row

    @classmethod
    def apply(cls, rows, company=None, user=None):
        """Write scores the way the engine does: as its technical user, through the bulk method."""
        partners = cls.env["res.partner"].with_user(user or cls.engine_user)
        return partners.ai_apply_insights((company or cls.company).id, rows)
