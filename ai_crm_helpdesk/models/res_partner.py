from datetime import timedelta

from odoo import api, fields, models

from . import ai_contract

MOOD_WINDOW_DAYS = 90
MOOD_BAND = 0.15  # mean sentiment beyond ±band → a negative or positive mood


class ResPartner(models.Model):
    _inherit = "res.partner"

    ai_ticket_count = fields.Integer(
        string="Recent Tickets", compute="_compute_ai_ticket_mood", groups="base.group_user",
        help="Helpdesk tickets of the commercial partner opened in the last 90 days, in the "
        "current company.",
    )
    ai_ticket_sentiment = fields.Float(
        string="Recent Ticket Sentiment", compute="_compute_ai_ticket_mood", digits=(3, 2),
        groups="base.group_user",
        help="Average sentiment of the analysed tickets of the last 90 days, -1 to +1.",
    )
    ai_ticket_mood = fields.Selection(
        ai_contract.SENTIMENTS, string="Recent Ticket Mood", compute="_compute_ai_ticket_mood",
        groups="base.group_user",
    )

    @api.depends_context("company")
    @api.depends("commercial_partner_id")
    def _compute_ai_ticket_mood(self):
        commercial = {p.id: p.commercial_partner_id.id for p in self}
        ids = [pid for pid in set(commercial.values()) if isinstance(pid, int)]
        domain = [("commercial_partner_id", "in", ids),
                  ("company_id", "=", self.env.company.id),
                  ("create_date", ">=", fields.Datetime.now() - timedelta(days=MOOD_WINDOW_DAYS))]
        Ticket = self.env["helpdesk.ticket"].sudo()
        counts = dict(Ticket._read_group(domain, ["commercial_partner_id"], ["__count"]))
        means = dict(Ticket._read_group(domain + [("ai_sentiment", "!=", False)],
                                        ["commercial_partner_id"], ["ai_sentiment_score:avg"]))
        for partner in self:
            who = partner.commercial_partner_id
            mean = means.get(who)
            partner.ai_ticket_count = counts.get(who, 0)
            partner.ai_ticket_sentiment = mean or 0.0
            partner.ai_ticket_mood = False if mean is None else (
                "negative" if mean < -MOOD_BAND else "positive" if mean > MOOD_BAND
                else "neutral")

    def _ai_forget(self):
        forgotten = super()._ai_forget()
        ids = list(set(self.ids) | set(self.commercial_partner_id.ids))
        tickets = self.env["helpdesk.ticket"].sudo().with_context(active_test=False).search(
            [("commercial_partner_id", "in", ids)])
        tickets._ai_forget_person()
        return forgotten + len(tickets)
