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
