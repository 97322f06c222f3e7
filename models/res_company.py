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
        if task in ("insights", "suggestions"):
            # Counted as the system: the engine compares it with what its user can see.
            params["company_orders"] = self.env["sale.order"].sudo().search_count(
                [("state", "=", "sale"), ("company_id", "=", self.id)])
        if task == "insights":
            params.update(horizon_days=self.ai_churn_horizon_days or None,
                          min_repeat_customers=self.ai_min_repeat_customers)
        return params
