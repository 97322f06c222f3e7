from odoo import api, models
from odoo.exceptions import AccessError

AI_GROUP_ENGINE = "ai_crm.group_ai_engine"


class AiEngineFieldsGuard(models.AbstractModel):
    """Fields that only the AI engine (or the superuser) writes, on any model that inherits this.

    The engine writes them through its validated bulk methods; a human or another module
    writing them through the ORM gets an error instead of silently faking a score.
    """

    _name = "ai.engine.fields.guard"
    _description = "Fields Only the AI Engine Writes"

    @api.model
    def _ai_protected_fields(self):
        """Names of the fields this model protects; overridden by each model."""
        return set()

    def _ai_can_write_scores(self):
        return self.env.su or self.env.user.has_group(AI_GROUP_ENGINE)

    def _ai_check_score_write(self, fnames):
        protected = sorted(set(fnames) & self._ai_protected_fields())
        if protected and not self._ai_can_write_scores():
            raise AccessError(self.env._(
                "Only the AI engine may set these fields: %(fields)s.",
                fields=", ".join(protected),
            ))

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._ai_check_score_write(vals)
        return super().create(vals_list)

    def write(self, vals):
        self._ai_check_score_write(vals)
        return super().write(vals)
