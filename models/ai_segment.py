from odoo import fields, models


class AiSegment(models.Model):
    """A named RFM segment (Champions, At risk, …) with its one-line meaning.

    The engine names segments by ``code`` (the ``segment_id`` key of ``ai.partner.insight``);
    the records ship as data so that names and meanings can be translated and reworded by
    managers.
    """

    _name = "ai.segment"
    _description = "AI Customer Segment"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(
        required=True,
        help="Technical code the engine sends (e.g. champions, cant_lose). Do not change it.",
    )
    description = fields.Char(
        string="Meaning", translate=True, help="One line explaining what the segment means."
    )
    sequence = fields.Integer(default=10)
    color = fields.Integer(string="Color Index")
    active = fields.Boolean(default=True)
    partner_count = fields.Integer(compute="_compute_partner_count", string="Customers")

    _sql_constraints = [
        ("code_uniq", "unique(code)", "The code of a segment must be unique."),
    ]

    def _compute_partner_count(self):
        counts = dict(
            self.env["ai.partner.insight"].sudo()._read_group(
                [("segment_id", "in", self.ids), ("company_id", "=", self.env.company.id)],
                ["segment_id"], ["__count"],
            )
        )
        for segment in self:
            segment.partner_count = counts.get(segment, 0)

    def action_open_partners(self):
        """The segment's customers in the current company, as the customer insights list."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("ai_crm.ai_partner_insight_action")
        action.update({"domain": [("segment_id", "=", self.id)], "name": self.name})
        return action
