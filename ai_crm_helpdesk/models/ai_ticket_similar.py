from odoo import fields, models


class AiTicketSimilar(models.Model):
    """A solved ticket the engine found similar to a ticket, with its rank (1 = the most similar,
    the one whose reply is suggested). Written with the ticket's insights; shown in rank order."""

    _name = "ai.ticket.similar"
    _description = "AI Similar Solved Ticket"
    _order = "ticket_id, rank, id"

    ticket_id = fields.Many2one("helpdesk.ticket", required=True, readonly=True, index=True,
                                ondelete="cascade")
    similar_id = fields.Many2one("helpdesk.ticket", string="Similar Ticket", required=True,
                                 readonly=True, ondelete="cascade")
    rank = fields.Integer(readonly=True, help="1 is the most similar.")
