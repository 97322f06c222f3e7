from odoo import api, fields, models

from . import ai_values


class AiProductAffinity(models.Model):
    """Co-purchase affinity computed by the engine: customers who bought ``product_id`` also
    bought ``related_product_id`` (``confidence`` of them, ``lift`` times more than on average).

    Written only by the engine through ``ai_replace_affinities``; read by quotations to suggest
    what goes with their lines.
    """

    _name = "ai.product.affinity"
    _inherit = ["ai.replace.mixin"]
    _description = "AI Product Affinity"
    _order = "company_id, product_id, rank, id"

    _ai_replace_key = "product_id"
    _ai_replace_index = ("company_id", "product_id", "rank")
    _ai_replace_required = ("product_id", "related_product_id")
    _ai_replace_converters = {
        "product_id": ai_values.record_id,
        "related_product_id": ai_values.record_id,
        "rank": ai_values.whole_number,
        "score": ai_values.number,
        "customers_both": ai_values.whole_number,
        "confidence": ai_values.number,
        "lift": ai_values.number,
    }

    related_product_id = fields.Many2one(
        "product.product", string="Bought With", required=True, readonly=True,
        ondelete="cascade",
    )
    customers_both = fields.Integer(
        string="Customers (both)", readonly=True,
        help="Customers who bought both products.",
    )
    confidence = fields.Float(
        readonly=True, digits=(16, 4),
        help="Share (0-1) of the product's customers who also bought the related product.",
    )
    lift = fields.Float(
        readonly=True, digits=(16, 2),
        help="How many times more often the two are bought together than by chance.",
    )

    @api.model
    def ai_replace_affinities(self, company_id, product_ids, rows):
        """Replace the company's affinities of ``product_ids`` by ``rows``, all or nothing.

        :param int company_id: one of the engine user's companies.
        :param list product_ids: products whose rows are deleted first.
        :param list rows: dicts with ``product_id``, ``related_product_id`` and any of ``rank,
            score, customers_both, confidence, lift``.
        :return: ``{"written": n}``
        """
        return self._ai_replace(company_id, product_ids, rows)
