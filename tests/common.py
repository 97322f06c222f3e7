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
            "partner_id": partner.id,
            "recency_days": 12,
            "frequency": 7,
            "monetary": 1234.5,
            "rfm_score": "545",
            "segment_id": "champions",
            "cluster": {"code": "cluster", "often": "frequent", "spend": "high",
                        "when": "recent"},
            "churn_probability": 0.4234,
            "churn_risk": "medium",
            "churn_reasons": [{"code": "silence_vs_own_gap", "days": 40, "gap": 21},
                              {"code": "spend_fell_year", "percent": 30}],
            "churn_method": "model",
            "churn_grade": "A",
            "clv": 800.0,
        }
        row.update(overrides)
        return row

    @classmethod
    def start_run(cls, task="insights", company=None):
        """A run the engine has claimed (running), as ai_claim_next leaves it; a run of the
        same task left running by an earlier call of the test is failed first."""
        Run = cls.env["ai.run"].sudo()
        Run.search([("task", "=", task), ("company_id", "=", (company or cls.company).id),
                    ("state", "in", ("queued", "running"))]).write({"state": "failed"})
        return Run.create({
            "name": f"test {task}", "task": task, "company_id": (company or cls.company).id,
            "state": "running", "started_at": "2026-01-01 00:00:00", "worker": "test",
        })

    @classmethod
    def finish_run(cls, run, user=None):
        cls.env["ai.run"].with_user(user or cls.engine_user).ai_finish(run.id, {})

    @classmethod
    def write_results(cls, model, rows, task, company=None, user=None, publish=True):
        """Write results the way the engine does: as its technical user, through the bulk
        method, in a run of ``task`` that is then reported done (which publishes them)."""
        run = cls.start_run(task, company)
        result = cls.env[model].with_user(user or cls.engine_user).ai_write(run.id, rows)
        if publish:
            cls.finish_run(run, user)
        return result

    @classmethod
    def apply(cls, rows, company=None, user=None, publish=True):
        """A contact-insights run that writes ``rows`` (and is published)."""
        return cls.write_results("ai.partner.insight", rows, "insights", company, user, publish)

    @classmethod
    def insight_of(cls, partner, company=None):
        return cls.env["ai.partner.insight"].sudo().search([
            ("partner_id", "=", partner.id), ("company_id", "=", (company or cls.company).id)])
