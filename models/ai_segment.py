from odoo import fields, models


class AiSegment(models.Model):
    """A named RFM segment (Champions, At risk, …) with its one-line meaning.

    The engine names segments by ``code`` (``segment_code`` in ``ai_apply_insights``); the records
    ship as data so that names and meanings can be translated and reworded by managers.
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
            self.env["res.partner"]._read_group(
                [("ai_segment_id", "in", self.ids)], ["ai_segment_id"], ["__count"]
            )
        )
        for segment in self:
            segment.partner_count = counts.get(segment, 0)

    def action_open_partners(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("contacts.action_contacts")
        action.update(
            {
                "domain": [("ai_segment_id", "=", self.id)],
                "context": {},
                "name": self.name,
            }
        )
        return action
