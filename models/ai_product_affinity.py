from odoo import api, fields, models
from odoo.tools import SQL

from . import ai_values


class AiProductAffinity(models.Model):
    """Co-purchase affinity computed by the engine: customers who bought ``product_id`` also
    bought ``related_product_id`` (``confidence`` of them, ``lift`` times more than on average).

    Written only by the engine through ``ai_write`` (``ai.engine.snapshot``); read by
    quotations to suggest what goes with their lines.
    """

    _name = "ai.product.affinity"
    _inherit = ["ai.engine.snapshot"]
    _description = "AI Product Affinity"
    _order = "company_id, product_id, rank, id"
    # Millions of rows a night, each written by the engine for a run: the run says who and when.
    # Without the log columns a row has two foreign keys fewer for PostgreSQL to check, and
    # those checks are most of what staging a row costs.
    _log_access = False

    _ai_task = "suggestions"
    _ai_published_by_run = True
    _ai_unique = ("product_id", "related_product_id")
    _ai_required = ("product_id", "related_product_id")
    _ai_converters = {
        "product_id": ai_values.record_id,
        "related_product_id": ai_values.record_id,
        "rank": ai_values.count,
        "score": ai_values.amount,
        "customers_both": ai_values.count,
        "confidence": ai_values.bounded(0.0, 1.0),
        "lift": ai_values.amount,
    }

    active = fields.Boolean(
        compute="_compute_published", search="_search_published",
        help="Published: a row of the company's last successful run.",
    )
    product_id = fields.Many2one("product.product", required=True, readonly=True,
                                 ondelete="cascade")
    related_product_id = fields.Many2one(
        "product.product", string="Bought With", required=True, readonly=True,
        ondelete="cascade",
    )
    rank = fields.Integer(readonly=True, help="1 is the best.")
    score = fields.Float(readonly=True, digits=(16, 4))
    customers_both = fields.Integer(
        string="Customers (both)", readonly=True, help="Customers who bought both products.",
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
    def _ai_check_references(self, company, values):
        return [self._ai_product_problem(
            company, [row[key] for row in values
                      for key in ("product_id", "related_product_id")])]

    @api.model
    def _ai_product_problem(self, company, ids):
        """A text naming the products that do not exist or belong to another company."""
        self.env["product.template"].flush_model(["company_id"])
        return self._ai_missing_ids(
            "product.product", ids,
            SQL("product_tmpl_id IN (SELECT id FROM product_template "
                "WHERE company_id IS NULL OR company_id = %s)", company.id),
            self.env._("Products"))
