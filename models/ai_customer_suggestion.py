from odoo import api, fields, models

from . import ai_values

SOURCES = {
    "cycle": "Reorder cycle",
    "affinity": "Bought together",
    "segment": "Similar customers",
    "category": "Category top seller",
    "popular": "Popular",
}


class AiCustomerSuggestion(models.Model):
    """A product the engine suggests to a customer (commercial partner), with a reason.

    Rows without ``partner_id`` are the company's popular products, the cold-start list for
    customers without history. Written only by the engine through ``ai_replace_suggestions``.
    """

    _name = "ai.customer.suggestion"
    _inherit = ["ai.replace.mixin"]
    _description = "AI Customer Product Suggestion"
    _order = "company_id, partner_id, rank, id"

    _ai_replace_key = "partner_id"
    _ai_replace_index = ("company_id", "partner_id", "rank")
    _ai_replace_required = ("partner_id", "product_id")
    _ai_replace_converters = {
        "partner_id": ai_values.optional_record_id,
        "product_id": ai_values.record_id,
        "rank": ai_values.whole_number,
        "score": ai_values.number,
        "reason": ai_values.text,
        "source": ai_values.text,
    }

    partner_id = fields.Many2one(
        "res.partner", string="Customer", readonly=True, ondelete="cascade",
        help="Commercial partner; empty for the company's popular products.",
    )
    reason = fields.Char(readonly=True)
    source = fields.Char(
        readonly=True,
        help="What the suggestion comes from: " + ", ".join(SOURCES) + ".",
    )

    @api.model
    def ai_replace_suggestions(self, company_id, partner_ids, rows):
        """Replace the company's suggestions of ``partner_ids`` by ``rows``, all or nothing.

        :param int company_id: one of the engine user's companies.
        :param list partner_ids: commercial partners whose rows are deleted first; False/None
            stands for the popular list.
        :param list rows: dicts with ``partner_id`` (int or False), ``product_id`` and any of
            ``rank, score, reason, source``.
        :return: ``{"written": n}``
        """
        return self._ai_replace(company_id, partner_ids, rows)

    @api.model
    def _ai_check_references(self, company, keys, values):
        result = super()._ai_check_references(company, keys, values)
        Partner = self.env["res.partner"]
        replaced = sorted(key for key in keys if key)
        if replaced:
            Partner._ai_check_partners(company, replaced, allow_excluded=True)
        suggested = sorted({row["partner_id"] for row in values if row["partner_id"]})
        if suggested:
            Partner._ai_check_partners(company, suggested, allow_excluded=False)
        return result
