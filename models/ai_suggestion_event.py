from odoo import api, fields, models

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

    @api.model
    def _ai_record(self, order, suggestions, action):
        """Record ``action`` for ``suggestions`` (dicts of ``sale.order.ai_suggestions``) of a
        saved ``order``; a shown suggestion keeps its outcome, an outcome replaces "shown".
        """
        events = self.sudo()
        existing = {
            event.product_id.id: event
            for event in events.search([
                ("order_id", "=", order.id),
                ("product_id", "in", [s["product_id"] for s in suggestions]),
            ])
        }
        now = fields.Datetime.now()
        new = []
        for suggestion in suggestions:
            event = existing.get(suggestion["product_id"])
            if event and action != "shown":
                event.write({"action": action, "acted_at": now, "user_id": self.env.uid})
            elif not event:
                new.append({
                    "company_id": order.company_id.id,
                    "order_id": order.id,
                    "partner_id": order.partner_id.commercial_partner_id.id,
                    "product_id": suggestion["product_id"],
                    "source": suggestion.get("source"),
                    "rank": suggestion.get("rank"),
                    "action": action,
                    "acted_at": now if action != "shown" else False,
                    "user_id": self.env.uid,
                })
        return events.create(new) | events.browse([e.id for e in existing.values()])
