import logging

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, plaintext2html

from odoo.addons.ai_crm.models import ai_explain, ai_values

from . import ai_contract

_logger = logging.getLogger(__name__)

# What the engine may send per ticket; each key is a field of the ticket with the ai_ prefix.
CONVERTERS = {
    "id": ai_values.record_id,
    "sentiment": ai_values.choice(ai_contract.SENTIMENTS),
    "sentiment_score": ai_values.bounded(-1.0, 1.0),
    "language": ai_values.choice(ai_contract.LANGUAGES),
    "sentiment_sentence": ai_values.text,
    "escalate": ai_values.flag,
    "category_id": ai_values.record_id,
    "category_confidence": ai_values.percent,
    "topic": ai_values.explanation(ai_contract.TOPICS),
    "similar_ticket_ids": ai_values.record_ids(3),
    "reply": ai_values.text,
    "reply_source_id": ai_values.record_id,
}
# What is about the person, not the problem: never kept for a customer who objected.
PERSONAL_KEYS = ("sentiment", "sentiment_score", "language", "sentiment_sentence", "escalate")


class HelpdeskTicket(models.Model):
    _name = "helpdesk.ticket"
    _inherit = ["helpdesk.ticket", "ai.engine.api"]

    _ai_task = "helpdesk"
    _ai_field_prefix = "ai_"
    _ai_required = ("id",)
    _ai_converters = CONVERTERS

    ai_sentiment = fields.Selection(
        ai_contract.SENTIMENTS, string="Sentiment", readonly=True, copy=False, index=True,
        groups="base.group_user",
        help="Mood of the customer's side of the conversation (description and customer "
        "messages), computed by the AI engine.",
    )
    ai_sentiment_score = fields.Float(
        string="Sentiment Score", readonly=True, copy=False, digits=(3, 2), aggregator="avg",
        groups="base.group_user", help="From -1 (very negative) to +1 (very positive).",
    )
    ai_language = fields.Selection(
        ai_contract.LANGUAGES, string="Detected Language", readonly=True, copy=False,
        groups="base.group_user",
    )
    ai_sentiment_sentence = fields.Text(
        string="Driving Sentence", readonly=True, copy=False, groups="base.group_user",
        help="The sentence of the customer that weighed most in the sentiment.",
    )
    ai_escalate = fields.Boolean(
        string="Escalate", readonly=True, copy=False, index=True, groups="base.group_user",
        help="Very negative ticket from a valuable or at-risk customer (contact insights).",
    )
    ai_category_id = fields.Many2one(
        "helpdesk.ticket.category", string="Suggested Category", readonly=True, copy=False,
        ondelete="set null", groups="base.group_user",
        help="Learned from the tickets of this company that already have a category.",
    )
    ai_category_confidence = fields.Float(
        string="Category Confidence (%)", readonly=True, copy=False, groups="base.group_user",
    )
    ai_topic = fields.Json(string="Topic Codes", readonly=True, copy=False,
                           groups="base.group_user")
    ai_topic_text = fields.Char(
        string="Topic", compute="_compute_ai_topic_text", groups="base.group_user",
        help="When no ticket has a category yet: the topic found in the text, by its top words.",
    )
    ai_similar_ticket_ids = fields.Many2many(
        "helpdesk.ticket", string="Similar Solved Tickets", compute="_compute_ai_similar",
        groups="base.group_user", help="Most similar first: the first one's reply is suggested.",
    )
    ai_reply = fields.Text(
        string="Suggested Reply", readonly=True, copy=False, groups="base.group_user",
        help="How the most similar solved ticket was answered.",
    )
    ai_reply_source_id = fields.Many2one(
        "helpdesk.ticket", string="Reply Taken From", readonly=True, copy=False,
        ondelete="set null", groups="base.group_user",
    )
    ai_scored_at = fields.Datetime(
        string="AI Scored At", readonly=True, copy=False, groups="base.group_user",
    )
    ai_can_apply_category = fields.Boolean(
        compute="_compute_ai_can_apply_category", groups="base.group_user",
    )

    def _compute_ai_similar(self):
        rows = self.env["ai.ticket.similar"].sudo().search([("ticket_id", "in", self.ids)])
        for ticket in self:
            ticket.ai_similar_ticket_ids = rows.filtered(
                lambda row, ticket=ticket: row.ticket_id == ticket).similar_id

    @api.depends_context("lang")
    @api.depends("ai_topic")
    def _compute_ai_topic_text(self):
        for ticket in self:
            ticket.ai_topic_text = ai_explain.render(self.env, ticket.ai_topic or {},
                                                     ai_contract.TOPICS) or False

    @api.depends("ai_category_id", "category_id")
    def _compute_ai_can_apply_category(self):
        for ticket in self:
            ticket.ai_can_apply_category = bool(
                ticket.ai_category_id and ticket.ai_category_id != ticket.category_id
            )

    # ------------------------------------------------------------------------------------------
    # What the agent clicks
    # ------------------------------------------------------------------------------------------
    def action_ai_apply_category(self):
        for ticket in self.filtered("ai_category_id"):
            ticket.category_id = ticket.ai_category_id
        return True

    def action_ai_use_reply(self):
        """Open the full chatter composer holding the suggested reply; sending stays manual."""
        self.ensure_one()
        if not self.ai_reply:
            raise UserError(self.env._("There is no suggested reply for this ticket yet."))
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Reply"),
            "res_model": "mail.compose.message",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {
                "default_model": self._name,
                "default_res_ids": self.ids,
                "default_composition_mode": "comment",
                "default_subtype_xmlid": "mail.mt_comment",
                "default_body": plaintext2html(self.ai_reply),
                # Addressed to the customer even when they do not follow the ticket.
                "default_partner_ids": self.partner_id.ids,
            },
        }

    @api.model
    def _ai_protected_fields(self):
        return super()._ai_protected_fields() | {"ai_scored_at"}

    # ------------------------------------------------------------------------------------------
    # Bulk write-back from the engine
    # ------------------------------------------------------------------------------------------
    @api.model
    def ai_write(self, run_id, rows):
        """Write the helpdesk run's insights on tickets of its company, all or nothing.

        :param int run_id: the running helpdesk run (``ai.run.ai_claim_next``).
        :param list rows: dicts with ``id`` and any key of ``CONVERTERS`` (the ticket's field
            names without ``ai_``); ``similar_ticket_ids`` is at most three solved tickets,
            best first; ``category_confidence`` is 0..1; ``None`` clears a value. Sentiment
            sent for a customer who objected to profiling is not kept.
        :return: ``{"updated": n}``
        """
        run = self._ai_check_run(run_id)
        values = self._ai_convert_rows(rows)
        self._ai_raise(self._ai_check_references(run.company_id, values))
        similar = {row["id"]: row.pop("similar_ticket_ids") or []
                   for row in values if "similar_ticket_ids" in row}
        for row in self._ai_rows_of_excluded(values):
            row.update(dict.fromkeys(PERSONAL_KEYS))
        updated = self._ai_update(values, {"ai_scored_at": fields.Datetime.now()})
        self._ai_replace_similar(similar)
        self.env["res.partner"].invalidate_model(["ai_ticket_sentiment", "ai_ticket_mood"])
        _logger.info("helpdesk.ticket ai_write: %d tickets of run %d", updated, run.id)
        return {"updated": updated}

    @api.model
    def _ai_rows_of_excluded(self, values):
        tickets = self.sudo().browse([row["id"] for row in values])
        excluded = set(tickets.filtered("commercial_partner_id.ai_exclude_profiling").ids)
        return [row for row in values if row["id"] in excluded]

    @api.model
    def _ai_check_references(self, company, values):
        """Tickets and categories named by the rows must exist and belong to ``company``."""
        tickets = {row["id"] for row in values} | {row.get("reply_source_id") for row in values}
        tickets |= {tid for row in values for tid in row.get("similar_ticket_ids") or []}
        return [
            self._ai_missing_ids("helpdesk.ticket", tickets,
                                 SQL("company_id = %s", company.id), self.env._("Tickets")),
            self._ai_missing_ids("helpdesk.ticket.category",
                                 {row.get("category_id") for row in values},
                                 SQL("(company_id IS NULL OR company_id = %s)", company.id),
                                 self.env._("Ticket categories")),
        ]

    def _ai_forget_person(self):
        """Drop what these tickets say about the customer's mood (objection to profiling)."""
        self.flush_model()
        self.env.cr.execute(SQL(
            "UPDATE helpdesk_ticket SET %s WHERE id = ANY(%s)",
            SQL(", ").join(SQL("%s = NULL", SQL.identifier(f"ai_{key}"))
                           for key in PERSONAL_KEYS),
            self.ids,
        ))
        self.invalidate_model([f"ai_{key}" for key in PERSONAL_KEYS])
        self.env["res.partner"].invalidate_model(["ai_ticket_sentiment", "ai_ticket_mood"])

    @api.model
    def _ai_replace_similar(self, similar):
        """Each ticket's similar tickets, in the order the engine ranked them."""
        if not similar:
            return
        Similar = self.env["ai.ticket.similar"]
        Similar.flush_model()
        self.env.cr.execute(SQL("DELETE FROM ai_ticket_similar WHERE ticket_id = ANY(%s)",
                                list(similar)))
        rows = [(tid, sid, rank) for tid, sims in similar.items()
                for rank, sid in enumerate(dict.fromkeys(sims), start=1) if sid != tid]
        if rows:
            now = fields.Datetime.now()
            self.env.cr.execute(SQL(
                "INSERT INTO ai_ticket_similar (ticket_id, similar_id, rank, create_uid, "
                "create_date, write_uid, write_date) VALUES %s",
                SQL(", ").join(SQL("(%s, %s, %s, %s, %s, %s, %s)", tid, sid, rank, self.env.uid,
                                   now, self.env.uid, now) for tid, sid, rank in rows),
            ))
        Similar.invalidate_model()
        self.invalidate_model(["ai_similar_ticket_ids"])
