from odoo import api, fields, models

from . import ai_contract


class AiRun(models.Model):
    _inherit = "ai.run"

    task = fields.Selection(selection_add=[("helpdesk", "Helpdesk ticket insights")],
                            ondelete={"helpdesk": "cascade"})

    @api.model
    def _ai_task_needs(self):
        return {**super()._ai_task_needs(), **ai_contract.TASK_NEEDS}

    def _ai_claim_params(self):
        params = super()._ai_claim_params()
        if self.task == "helpdesk":
            params["since"] = self._ai_since()
        return params

    def _ai_since(self):
        """When the last successful run of this task and company started: the helpdesk run
        only analyses what changed since then; None for the first run."""
        self.ensure_one()
        last = self.sudo().search([
            ("task", "=", self.task), ("company_id", "=", self.company_id.id),
            ("state", "=", "done"), ("id", "!=", self.id),
        ], order="started_at desc", limit=1)
        return fields.Datetime.to_string(last.started_at) if last else None
