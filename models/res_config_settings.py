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
    ai_retention_per_salesperson = fields.Integer(
        related="company_id.ai_retention_per_salesperson", readonly=False
    )
    ai_retention_control_percent = fields.Integer(
        related="company_id.ai_retention_control_percent", readonly=False
    )
    ai_retention_horizon_days = fields.Integer(
        related="company_id.ai_retention_horizon_days", readonly=False
    )
    ai_retention_user_id = fields.Many2one(
        related="company_id.ai_retention_user_id", readonly=False
    )
