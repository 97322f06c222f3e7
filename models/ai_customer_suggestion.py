from odoo import api, fields, models

from . import ai_contract, ai_explain, ai_values


class AiCustomerSuggestion(models.Model):
    """A product the engine suggests to a customer (commercial partner), with its reason.

    Rows without ``partner_id`` are the company's popular products, the list for customers
    without history. Written only by the engine, through ``ai_write`` (``ai.engine.snapshot``).
    """

    _name = "ai.customer.suggestion"
    _inherit = ["ai.engine.snapshot"]
    _description = "AI Customer Product Suggestion"
    _order = "company_id, partner_id, rank, id"
    # Millions of rows a night, each written by the engine for a run: the run says who and when.
    # Without the log columns a row has two foreign keys fewer for PostgreSQL to check, and
    # those checks are most of what staging a row costs.
    _log_access = False

    _ai_task = "suggestions"
    _ai_partner_field = "partner_id"
    _ai_published_by_run = True
    _ai_unique = ("partner_id", "product_id")
    _ai_required = ("product_id",)
    _ai_converters = {
        "partner_id": ai_values.record_id,
        "product_id": ai_values.record_id,
        "rank": ai_values.count,
        "score": ai_values.amount,
        "reason": ai_values.explanation(ai_contract.SUGGESTION_REASONS),
        "source": ai_values.choice(ai_contract.SUGGESTION_SOURCES),
    }

    active = fields.Boolean(
        compute="_compute_published", search="_search_published",
        help="Published: a row of the company's last successful run.",
    )
    partner_id = fields.Many2one(
        "res.partner", string="Customer", readonly=True, ondelete="cascade",
        help="Commercial partner; empty for the company's popular products.",
    )
    product_id = fields.Many2one("product.product", required=True, readonly=True,
                                 ondelete="cascade")
    rank = fields.Integer(readonly=True, help="1 is the best.")
    score = fields.Float(readonly=True, digits=(16, 4))
    reason = fields.Json(string="Reason Codes", readonly=True)
    reason_text = fields.Char(string="Reason", compute="_compute_reason_text")
    source = fields.Selection(ai_contract.SUGGESTION_SOURCES, readonly=True,
                              help="What the suggestion comes from.")

    @api.depends_context("lang")
    @api.depends("reason")
    def _compute_reason_text(self):
        names = ai_explain.product_names(self.env, self.mapped("reason"))
        for suggestion in self:
            suggestion.reason_text = ai_explain.render(
                self.env, suggestion.reason or {}, ai_contract.SUGGESTION_REASONS,
                names=names) or False

    @api.model
    def _ai_check_references(self, company, values):
        Partner = self.env["res.partner"]
        return [
            *Partner._ai_partner_problems(company, [row.get("partner_id") for row in values]),
            self.env["ai.product.affinity"]._ai_product_problem(
                company, [row["product_id"] for row in values]),
        ]
