from odoo import models


class BasePartnerMergeAutomaticWizard(models.TransientModel):
    _inherit = "base.partner.merge.automatic.wizard"

    def _update_values(self, src_partners, dst_partner):
        # Merging copies every stored field onto the destination, which would hit the guard on
        # AI scores for anyone but the engine: keep the destination's scores (the next run
        # recomputes them for the merged history).
        return super()._update_values(
            src_partners, dst_partner.with_context(ai_skip_score_fields=True)
        )
