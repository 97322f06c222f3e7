from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    ai_churn_horizon_days = fields.Integer(
        related="company_id.ai_churn_horizon_days", readonly=False
    )
    ai_min_repeat_customers = fields.Integer(
        related="company_id.ai_min_repeat_customers", readonly=False
    )
    ai_suggestion_count = fields.Integer(
        related="company_id.ai_suggestion_count", readonly=False
    )
