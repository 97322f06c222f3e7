import logging

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL, plaintext2html

from . import ai_values

_logger = logging.getLogger(__name__)

SENTIMENTS = [("negative", "Negative"), ("neutral", "Neutral"), ("positive", "Positive")]
LANGUAGES = [
    ("en", "English"),
    ("zh", "Chinese"),
    ("de", "German"),
    ("fr", "French"),
    ("es", "Spanish"),
    ("unknown", "Unknown language"),
]

# Fields the engine computes; only it (or the superuser) writes them.
AI_TICKET_FIELDS = (
    "ai_sentiment",
    "ai_sentiment_score",
    "ai_language",
    "ai_sentiment_sentence",
    "ai_escalate",
    "ai_category_id",
    "ai_category_confidence",
    "ai_topic",
    "ai_similar_ticket_ids",
    "ai_reply",
    "ai_reply_source_id",
    "ai_scored_at",
)

# ``ai_apply_ticket_insights`` row key → converter (record ids are checked separately).
_CONVERTERS = {
    "sentiment": ai_values.choice(SENTIMENTS),
    "sentiment_score": ai_values.bounded(-1.0, 1.0),
    "language": ai_values.choice(LANGUAGES),
    "sentiment_sentence": ai_values.text,
    "escalate": ai_values.flag,
    "category_confidence": ai_values.percent,
    "topic": ai_values.text,
    "reply": ai_values.text,
}
_RECORD_KEYS = {"category_id", "reply_source_id", "similar_ids"}
AI_TICKET_KEYS = {
    **{key: f"ai_{key}" for key in _CONVERTERS},
    "category_id": "ai_category_id",
    "reply_source_id": "ai_reply_source_id",
}
MAX_SIMILAR = 3


class HelpdeskTicket(models.Model):
    _name = "helpdesk.ticket"
    _inherit = ["helpdesk.ticket", "ai.engine.fields.guard"]

    ai_sentiment = fields.Selection(
        SENTIMENTS, string="Sentiment", readonly=True, copy=False, index=True,
        groups="base.group_user",
        help="Mood of the customer's side of the conversation (description and customer "
        "messages), computed by the AI engine.",
    )
    ai_sentiment_score = fields.Float(
        string="Sentiment Score", readonly=True, copy=False, digits=(3, 2), aggregator="avg",
        groups="base.group_user", help="From -1 (very negative) to +1 (very positive).",
    )
    ai_language = fields.Selection(
        LANGUAGES, string="Detected Language", readonly=True, copy=False,
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
    ai_topic = fields.Char(
        string="Topic", readonly=True, copy=False, groups="base.group_user",
        help="When no ticket has a category yet: the topic found in the text, by its top words.",
    )
    ai_similar_ticket_ids = fields.Many2many(
        "helpdesk.ticket", "ai_helpdesk_ticket_similar_rel", "ticket_id", "similar_id",
        string="Similar Solved Tickets", readonly=True, copy=False, groups="base.group_user",
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
        return set(AI_TICKET_FIELDS)

    # ------------------------------------------------------------------------------------------
    # Bulk write-back from the engine
    # ------------------------------------------------------------------------------------------
    @api.model
    def ai_apply_ticket_insights(self, company_id, rows):
        """Write the engine's insights for tickets of ``company_id``, all or nothing.

        :param list rows: dicts with ``id`` and any of the keys of ``AI_TICKET_KEYS`` plus
            ``similar_ids`` (up to three solved tickets, best first); ``category_confidence``
            is 0..1, ``sentiment_score`` -1..1; ``None`` clears a value.
        :return: ``{"updated": n}``
        """
        company = self.env["res.partner"]._ai_check_engine_call(company_id)
        if not isinstance(rows, (list, tuple)) or not all(isinstance(r, dict) for r in rows):
            raise ValidationError(self.env._("rows must be a list of dictionaries."))
        if not rows:
            return {"updated": 0}
        allowed = {"id", "similar_ids", *AI_TICKET_KEYS}
        unknown = sorted({str(key) for row in rows for key in row} - allowed)
        if unknown:
            raise ValidationError(self.env._(
                "Unknown ticket insight keys: %(keys)s. Allowed: %(allowed)s. Nothing was "
                "written.", keys=", ".join(unknown), allowed=", ".join(sorted(allowed)),
            ))
        Partner = self.env["res.partner"]
        ids = Partner._ai_check_row_ids([row.get("id") for row in rows])
        similar = {row["id"]: row.get("similar_ids") or [] for row in rows if "similar_ids" in row}
        errors = self._ai_check_references(company, rows, ids, similar)
        by_keys = {}
        for row in rows:
            keys = tuple(key for key in AI_TICKET_KEYS if key in row)
            converted = [row["id"]]
            for key in keys:
                value = row[key]
                try:
                    if value is None or value is False or key in _RECORD_KEYS:
                        converted.append(value or None)
                    else:
                        converted.append(_CONVERTERS[key](value))
                except (TypeError, ValueError) as exc:
                    errors.append(f"id {row['id']}, {key}: {exc}")
            by_keys.setdefault(keys, []).append(converted)
        if errors:
            raise ValidationError(self.env._(
                "Invalid ticket insights, nothing was written:\n%(errors)s",
                errors="\n".join(errors[:50]),
            ))
        self.flush_model(AI_TICKET_FIELDS)
        now = fields.Datetime.now()
        updated = sum(
            ai_values.sql_update_from_values(
                self, [AI_TICKET_KEYS[key] for key in keys], values, {"ai_scored_at": now}
            )
            for keys, values in by_keys.items()
        )
        self._ai_replace_similar(similar)
        self.invalidate_model(list(AI_TICKET_FIELDS))
        _logger.info("ai_apply_ticket_insights: %d tickets of company %d", updated, company.id)
        return {"updated": updated}

    @api.model
    def _ai_check_references(self, company, rows, ids, similar):
        """Tickets and categories named by the rows must exist and belong to ``company``."""
        errors = []
        too_many = [tid for tid, sims in similar.items()
                    if not isinstance(sims, (list, tuple)) or len(sims) > MAX_SIMILAR]
        if too_many:
            errors.append(self.env._("similar_ids must be a list of at most %(n)s ticket ids "
                                     "(ids %(ids)s).", n=MAX_SIMILAR, ids=too_many[:20]))
            return errors
        tickets = set(ids) | {r.get("reply_source_id") for r in rows} | {
            s for sims in similar.values() for s in sims}
        tickets.discard(None)
        categories = {r.get("category_id") for r in rows} - {None, False}
        checks = [
            (self, tickets, SQL("company_id = %s", company.id), self.env._("tickets")),
            (self.env["helpdesk.ticket.category"], categories,
             SQL("(company_id IS NULL OR company_id = %s)", company.id),
             self.env._("ticket categories")),
        ]
        for model, wanted, condition, label in checks:
            bad = [i for i in wanted if isinstance(i, bool) or not isinstance(i, int)]
            if bad:
                errors.append(self.env._("Invalid ids of %(what)s: %(ids)s", what=label,
                                         ids=bad[:20]))
                continue
            if not wanted:
                continue
            self.env.cr.execute(SQL(
                "SELECT id FROM %s WHERE id = ANY(%s) AND %s",
                SQL.identifier(model._table), list(wanted), condition,
            ))
            missing = wanted - {row[0] for row in self.env.cr.fetchall()}
            if missing:
                errors.append(self.env._(
                    "%(what)s %(ids)s do not exist or belong to another company than "
                    "%(company)s.", what=label, ids=sorted(missing)[:20], company=company.name,
                ))
        return errors

    @api.model
    def _ai_replace_similar(self, similar):
        if not similar:
            return
        self.env.cr.execute(SQL(
            "DELETE FROM ai_helpdesk_ticket_similar_rel WHERE ticket_id = ANY(%s)",
            list(similar),
        ))
        pairs = [(tid, sid) for tid, sims in similar.items() for sid in sims if sid != tid]
        if pairs:
            self.env.cr.execute(SQL(
                "INSERT INTO ai_helpdesk_ticket_similar_rel (ticket_id, similar_id) VALUES %s "
                "ON CONFLICT DO NOTHING",
                SQL(", ").join(SQL("(%s, %s)", tid, sid) for tid, sid in pairs),
            ))
