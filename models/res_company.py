from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    _inherit = "res.company"

    ai_churn_horizon_days = fields.Integer(
        string="Churn Horizon (days)",
        default=0,
        help="A customer counts as churned when no confirmed order follows within this many "
        "days. 0 lets the engine derive it from the customers' usual gap between orders.",
    )
    ai_min_repeat_customers = fields.Integer(
        string="Minimum Repeat Customers",
        default=50,
        help="Below this number of customers with two or more orders, the engine does not train "
        "a model and uses its transparent recency rule instead.",
    )

    ai_suggestion_count = fields.Integer(
        string="Suggested Products per Quotation",
        default=8,
        help="How many suggested products a quotation shows at most (0 hides them).",
    )

    ai_retention_per_salesperson = fields.Integer(
        string="Retention Calls per Salesperson per Week",
        default=5,
        help="Each week, at most this many customers worth a call (valuable, at risk, still "
        "recoverable) get a call activity for their salesperson (0: no calls).",
    )
    ai_retention_control_percent = fields.Integer(
        string="Retention Control Group (%)",
        default=20,
        help="Share of the customers worth a call drawn at random to get no call: comparing "
        "them with the called ones measures what the calls bring. Nothing is sent to customers.",
    )
    ai_retention_horizon_days = fields.Integer(
        string="Retention Horizon (days)",
        default=60,
        help="How long after a wave orders are counted before called and control customers "
        "are compared.",
    )
    ai_retention_user_id = fields.Many2one(
        "res.users", string="Retention Calls for Customers without Salesperson",
        domain=[("share", "=", False)],
        help="Gets the calls of customers who have no salesperson; empty: such customers are "
        "not proposed.",
    )

    @api.constrains("ai_retention_per_salesperson", "ai_retention_control_percent",
                    "ai_retention_horizon_days")
    def _check_ai_retention_settings(self):
        for company in self:
            if company.ai_retention_per_salesperson < 0:
                raise ValidationError(self.env._("The number of calls cannot be negative."))
            if not 0 <= company.ai_retention_control_percent <= 90:
                raise ValidationError(
                    self.env._("The control group is between 0 and 90 % of the customers."))
            if company.ai_retention_horizon_days < 7:
                raise ValidationError(self.env._("The retention horizon is at least 7 days."))

    @api.constrains("ai_churn_horizon_days", "ai_min_repeat_customers", "ai_suggestion_count")
    def _check_ai_settings(self):
        for company in self:
            if company.ai_churn_horizon_days < 0:
                raise ValidationError(self.env._("The churn horizon cannot be negative."))
            if company.ai_min_repeat_customers < 1:
                raise ValidationError(
                    self.env._("The minimum number of repeat customers must be at least 1.")
                )
            if company.ai_suggestion_count < 0:
                raise ValidationError(
                    self.env._("The number of suggested products cannot be negative.")
                )

    def _ai_run_params(self, task):
        """The company's settings the engine reads for a run of ``task`` (``ai_claim_next``)."""
        self.ensure_one()
        params = {}
        if task in ("insights", "suggestions", "retention"):
            # Counted as the system: the engine compares it with what its user can see.
            params["company_orders"] = self.env["sale.order"].sudo().search_count(
                [("state", "=", "sale"), ("company_id", "=", self.id)])
        if task == "insights":
            params.update(horizon_days=self.ai_churn_horizon_days or None,
                          min_repeat_customers=self.ai_min_repeat_customers)
        if task == "retention":
            params.update(self._ai_retention_params())
        return params

    def _ai_retention_params(self):
        """The retention settings, and the date of the company's last wave (one a week)."""
        last = self.env["ai.retention.wave"].sudo().search(
            [("company_id", "=", self.id)], order="date desc", limit=1)
        return {"per_salesperson": self.ai_retention_per_salesperson,
                "control_percent": self.ai_retention_control_percent,
                "horizon_days": self.ai_retention_horizon_days,
                "fallback_user_id": self.ai_retention_user_id.id or None,
                "salespeople": self.env["res.users"].sudo().search(
                    [("share", "=", False), ("company_ids", "in", self.id)]).ids,
                "churn_horizon_days": self.ai_churn_horizon_days or None,
                "last_wave_date": fields.Date.to_string(last.date) if last else None}
