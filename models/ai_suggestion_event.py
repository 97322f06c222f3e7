from odoo import api, fields, models
from odoo.tools import SQL

ACTIONS = [("shown", "Shown"), ("added", "Added"), ("dismissed", "Dismissed")]


class AiSuggestionEvent(models.Model):
    """What became of one product suggested on one quotation: shown, then added or dismissed.

    One row per quotation and product; created and updated only by the quotation's actions
    (``sale.order.action_ai_*``), read by managers and the engine for the acceptance rate.
    """

    _name = "ai.suggestion.event"
    _description = "AI Product Suggestion Event"
    _order = "create_date desc, id desc"
    _rec_name = "product_id"

    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    order_id = fields.Many2one(
        "sale.order", string="Quotation", readonly=True, index="btree_not_null",
        ondelete="set null",
    )
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    product_id = fields.Many2one("product.product", required=True, readonly=True)
    source = fields.Char(readonly=True)
    rank = fields.Integer(readonly=True, help="Position in the list shown, 1 is the top.")
    action = fields.Selection(ACTIONS, required=True, default="shown", readonly=True)
    acted_at = fields.Datetime(string="Added/Dismissed At", readonly=True)
    user_id = fields.Many2one(
        "res.users", string="Salesperson", readonly=True, default=lambda self: self.env.user,
    )
    accepted = fields.Float(
        string="Acceptance Rate (%)", compute="_compute_accepted", store=True,
        aggregator="avg", help="100 when the suggestion was added; averaged in reports.",
    )

    @api.depends("action")
    def _compute_accepted(self):
        for event in self:
            event.accepted = 100.0 if event.action == "added" else 0.0

    _sql_constraints = [
        ("order_product_uniq", "unique(order_id, product_id)",
         "A suggestion is recorded once per quotation and product."),
    ]

    @api.model
    def _ai_record(self, order, suggestions, action):
        """Record ``action`` for ``suggestions`` (dicts of ``sale.order.ai_suggestions``) of a
        saved ``order``: one row per quotation and product, even when two requests arrive
        together (``INSERT … ON CONFLICT`` on the unique key, not search then create); a shown
        suggestion keeps its outcome, an outcome replaces "shown" and keeps the rank shown.
        """
        if not suggestions:
            return self.browse()
        self.flush_model()
        now = fields.Datetime.now()
        outcome = action != "shown"
        values = SQL(", ").join(SQL(
            "(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            order.company_id.id, order.id, order.partner_id.commercial_partner_id.id,
            suggestion["product_id"], suggestion.get("source"), suggestion.get("rank"), action,
            now if outcome else None, self.env.uid, 100.0 if action == "added" else 0.0,
            self.env.uid, now, self.env.uid, now,
        ) for suggestion in suggestions)
        conflict = SQL(
            "DO UPDATE SET action = EXCLUDED.action, acted_at = EXCLUDED.acted_at, "
            "user_id = EXCLUDED.user_id, accepted = EXCLUDED.accepted, "
            "write_uid = EXCLUDED.write_uid, write_date = EXCLUDED.write_date"
            if outcome else "DO NOTHING")
        self.env.cr.execute(SQL(
            "INSERT INTO ai_suggestion_event (company_id, order_id, partner_id, product_id, "
            "source, rank, action, acted_at, user_id, accepted, create_uid, create_date, "
            "write_uid, write_date) VALUES %s ON CONFLICT (order_id, product_id) %s",
            values, conflict,
        ))
        self.invalidate_model()
        return self.sudo().search([("order_id", "=", order.id),
                                   ("product_id", "in", [s["product_id"] for s in suggestions])])
