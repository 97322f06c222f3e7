import logging
from collections import Counter

from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError
from odoo.tools import SQL

from . import ai_values
from .helpdesk_ticket import SENTIMENTS

_logger = logging.getLogger(__name__)


# Scores the engine computes; only it (or the superuser) may write them. Stored on the commercial
# partner; contacts show the commercial partner's values through the ``*_display`` fields.
AI_SCORE_FIELDS = (
    "ai_recency_days",
    "ai_frequency",
    "ai_monetary",
    "ai_currency_id",
    "ai_rfm_score",
    "ai_segment_id",
    "ai_cluster",
    "ai_churn_probability",
    "ai_churn_risk",
    "ai_churn_reasons",
    "ai_churn_method",
    "ai_clv",
    "ai_scored_at",
    "ai_ticket_count",
    "ai_ticket_sentiment",
    "ai_ticket_mood",
)

# ``ai_apply_insights`` row key → stored field (the allow list of the bulk write).
AI_INSIGHT_KEYS = {
    "recency_days": "ai_recency_days",
    "frequency": "ai_frequency",
    "monetary": "ai_monetary",
    "rfm_score": "ai_rfm_score",
    "segment_code": "ai_segment_id",
    "cluster": "ai_cluster",
    "churn_probability": "ai_churn_probability",
    "churn_risk": "ai_churn_risk",
    "churn_reasons": "ai_churn_reasons",
    "churn_method": "ai_churn_method",
    "clv": "ai_clv",
    "ticket_count": "ai_ticket_count",
    "ticket_sentiment": "ai_ticket_sentiment",
    "ticket_mood": "ai_ticket_mood",
}

CHURN_RISKS = [("low", "Low"), ("medium", "Medium"), ("high", "High")]
CHURN_METHODS = [
    ("model", "Model (trained on your sales history)"),
    ("fallback", "Transparent rule (recency vs. usual gap)"),
]
MAX_LISTED_IDS = 20


def _rfm_score(value):
    converted = ai_values.text(value)
    if converted and len(converted) > 3:
        raise ValueError(f"{value!r} is longer than 3 characters")
    return converted


# How each ``ai_apply_insights`` key is checked and converted (segment_code is looked up).
_CONVERTERS = {
    "recency_days": ai_values.whole_number,
    "frequency": ai_values.whole_number,
    "monetary": ai_values.number,
    "rfm_score": _rfm_score,
    "cluster": ai_values.text,
    "churn_probability": ai_values.percent,
    "churn_risk": ai_values.choice(CHURN_RISKS),
    "churn_reasons": ai_values.lines,
    "churn_method": ai_values.choice(CHURN_METHODS),
    "clv": ai_values.number,
    "ticket_count": ai_values.whole_number,
    "ticket_sentiment": ai_values.bounded(-1.0, 1.0),
    "ticket_mood": ai_values.choice(SENTIMENTS),
}


def _display_field(field_cls, name, label, **kwargs):
    """A non-stored field showing the commercial partner's score (contacts show their company's)."""
    return field_cls(
        related=f"commercial_partner_id.{name}",
        string=f"{label} (commercial entity)",
        groups="base.group_user",
        **kwargs,
    )


class ResPartner(models.Model):
    _name = "res.partner"
    _inherit = ["res.partner", "ai.engine.fields.guard"]

    # --- what a human sets ------------------------------------------------------------------
    ai_exclude_profiling = fields.Boolean(
        string="Exclude from AI profiling",
        groups="base.group_user",
        copy=False,
        tracking=True,
        help="The customer objected to profiling (GDPR art. 21): their scores are cleared now "
        "and the AI engine leaves them out of every future run. Set it on the company; its "
        "contacts follow it.",
    )

    # --- what the engine computed (stored on commercial partners) -------------------------------
    ai_recency_days = fields.Integer(
        string="Recency (days)", readonly=True, copy=False, groups="base.group_user",
        help="Days since the last confirmed sale order.",
    )
    ai_frequency = fields.Integer(
        string="Frequency (orders)", readonly=True, copy=False, groups="base.group_user",
        help="Number of confirmed sale orders.",
    )
    ai_currency_id = fields.Many2one(
        "res.currency", string="AI Currency", readonly=True, copy=False,
        groups="base.group_user", help="Company currency of the scoring run.",
    )
    ai_monetary = fields.Monetary(
        string="Monetary", currency_field="ai_currency_id", readonly=True, copy=False,
        groups="base.group_user", help="Total of confirmed sale orders, in company currency.",
    )
    ai_rfm_score = fields.Char(
        string="RFM Score", size=3, readonly=True, copy=False, groups="base.group_user",
        help="Recency, frequency and monetary quintiles, each 1 (lowest) to 5 (best).",
    )
    ai_segment_id = fields.Many2one(
        "ai.segment", string="Segment", readonly=True, copy=False, index="btree_not_null",
        ondelete="set null", groups="base.group_user",
    )
    ai_cluster = fields.Char(
        string="Behaviour Cluster", readonly=True, copy=False, groups="base.group_user",
    )
    ai_churn_probability = fields.Float(
        string="Churn Probability (%)", readonly=True, copy=False, aggregator="avg",
        groups="base.group_user",
        help="Probability (0-100 %) of no confirmed order within the churn horizon.",
    )
    ai_churn_risk = fields.Selection(
        CHURN_RISKS, string="Churn Risk", readonly=True, copy=False, groups="base.group_user",
    )
    ai_churn_reasons = fields.Text(
        string="Churn Reasons", readonly=True, copy=False, groups="base.group_user",
        help="The main reasons behind the churn probability, one per line.",
    )
    ai_churn_method = fields.Selection(
        CHURN_METHODS, string="Method", readonly=True, copy=False, groups="base.group_user",
        help="Model: a calibrated estimator trained on this company's history. Transparent "
        "rule: used when there is too little history; compares the days since the last order "
        "with the customer's usual gap between orders.",
    )
    ai_clv = fields.Monetary(
        string="Lifetime Value (12 months)", currency_field="ai_currency_id", readonly=True,
        copy=False, groups="base.group_user",
        help="Expected value of confirmed orders in the next 12 months, in company currency.",
    )
    ai_scored_at = fields.Datetime(
        string="Scored At", readonly=True, copy=False, groups="base.group_user",
    )
    ai_ticket_count = fields.Integer(
        string="Recent Tickets", readonly=True, copy=False, groups="base.group_user",
        help="Helpdesk tickets opened in the last 90 days.",
    )
    ai_ticket_sentiment = fields.Float(
        string="Recent Ticket Sentiment", readonly=True, copy=False, digits=(3, 2),
        groups="base.group_user",
        help="Average sentiment of the tickets of the last 90 days, -1 to +1.",
    )
    ai_ticket_mood = fields.Selection(
        SENTIMENTS, string="Recent Ticket Mood", readonly=True, copy=False,
        groups="base.group_user",
    )

    # --- what the partner form shows: the commercial partner's values -----------------------------
    ai_recency_days_display = _display_field(fields.Integer, "ai_recency_days", "Recency (days)")
    ai_frequency_display = _display_field(fields.Integer, "ai_frequency", "Frequency (orders)")
    ai_currency_id_display = _display_field(fields.Many2one, "ai_currency_id", "AI Currency")
    ai_monetary_display = _display_field(
        fields.Monetary, "ai_monetary", "Monetary", currency_field="ai_currency_id_display"
    )
    ai_rfm_score_display = _display_field(fields.Char, "ai_rfm_score", "RFM Score")
    ai_segment_id_display = _display_field(fields.Many2one, "ai_segment_id", "Segment")
    ai_segment_description_display = _display_field(
        fields.Char, "ai_segment_id.description", "Segment Meaning"
    )
    ai_cluster_display = _display_field(fields.Char, "ai_cluster", "Behaviour Cluster")
    ai_churn_probability_display = _display_field(
        fields.Float, "ai_churn_probability", "Churn Probability (%)"
    )
    ai_churn_risk_display = _display_field(fields.Selection, "ai_churn_risk", "Churn Risk")
    ai_churn_reasons_display = _display_field(fields.Text, "ai_churn_reasons", "Churn Reasons")
    ai_churn_method_display = _display_field(fields.Selection, "ai_churn_method", "Method")
    ai_clv_display = _display_field(
        fields.Monetary, "ai_clv", "Lifetime Value (12 months)",
        currency_field="ai_currency_id_display",
    )
    ai_scored_at_display = _display_field(fields.Datetime, "ai_scored_at", "Scored At")
    ai_ticket_count_display = _display_field(fields.Integer, "ai_ticket_count", "Recent Tickets")
    ai_ticket_mood_display = _display_field(
        fields.Selection, "ai_ticket_mood", "Recent Ticket Mood"
    )
    ai_ticket_sentiment_display = _display_field(
        fields.Float, "ai_ticket_sentiment", "Recent Ticket Sentiment"
    )

    @api.model
    def _commercial_fields(self):
        # The objection is recorded on the company and followed by its contacts, like the VAT.
        return super()._commercial_fields() + ["ai_exclude_profiling"]

    # ------------------------------------------------------------------------------------------
    # Guard: only the engine (or the superuser) writes scores
    # ------------------------------------------------------------------------------------------
    @api.model
    def _ai_protected_fields(self):
        return set(AI_SCORE_FIELDS) | {
            name for name in self._fields if name.startswith("ai_") and name.endswith("_display")
        }

    def write(self, vals):
        if self.env.context.get("ai_skip_score_fields"):
            # e.g. merging partners copies every field: keep the destination's scores.
            vals = {k: v for k, v in vals.items() if k not in self._ai_protected_fields()}
        res = super().write(vals)
        if vals.get("ai_exclude_profiling"):
            self._ai_clear_scores()
        return res

    def _ai_clear_scores(self):
        """Forget every score of these partners (objection to profiling, or no longer scored)."""
        scored = self.sudo().filtered("ai_scored_at")
        if scored:
            scored.write(dict.fromkeys(AI_SCORE_FIELDS, False))

    # ------------------------------------------------------------------------------------------
    # Bulk write-back from the engine
    # ------------------------------------------------------------------------------------------
    @api.model
    def ai_apply_insights(self, company_id, rows):
        """Write the engine's scores for commercial partners of ``company_id``, all or nothing.

        :param int company_id: company the scores were computed for (one of the caller's).
        :param list rows: dicts with ``id`` and any of the keys of ``AI_INSIGHT_KEYS``;
            ``churn_probability`` is 0..1, ``churn_reasons`` a list or text, ``segment_code`` an
            ``ai.segment`` code; ``None`` clears a value.
        :return: ``{"updated": n}``
        """
        company = self._ai_check_engine_call(company_id)
        if not isinstance(rows, (list, tuple)) or not all(isinstance(r, dict) for r in rows):
            raise ValidationError(self.env._("rows must be a list of dictionaries."))
        if not rows:
            return {"updated": 0}
        unknown = sorted({key for row in rows for key in row} - set(AI_INSIGHT_KEYS) - {"id"})
        if unknown:
            raise ValidationError(
                self.env._(
                    "Unknown insight keys: %(keys)s. Allowed: %(allowed)s.",
                    keys=", ".join(map(str, unknown)),
                    allowed=", ".join(["id", *AI_INSIGHT_KEYS]),
                )
            )
        ids = self._ai_check_row_ids([row.get("id") for row in rows])
        self._ai_check_partners(company, ids, allow_excluded=False)
        segment_ids = self._ai_segment_ids_by_code(rows)
        # Rows may carry different subsets of keys; usually they all carry the same ones, so
        # this is one UPDATE per call.
        by_keys = {}
        for row in rows:
            keys = tuple(key for key in AI_INSIGHT_KEYS if key in row)
            by_keys.setdefault(keys, []).append(row)
        errors = []
        batches = []
        for keys, group in by_keys.items():
            values = []
            for row in group:
                converted = [row["id"]]
                for key in keys:
                    try:
                        converted.append(self._ai_convert_value(key, row[key], segment_ids))
                    except (TypeError, ValueError) as exc:
                        errors.append(f"id {row['id']}, {key}: {exc}")
                values.append(converted)
            batches.append(([AI_INSIGHT_KEYS[key] for key in keys], values))
        if errors:
            raise ValidationError(
                self.env._("Invalid insight values:\n%(errors)s", errors="\n".join(errors[:50]))
            )
        constants = {
            "ai_scored_at": fields.Datetime.now(),
            "ai_currency_id": company.currency_id.id,
        }
        updated = sum(
            self._ai_sql_update(fnames, values, constants) for fnames, values in batches
        )
        _logger.info("ai_apply_insights: %d partners of company %d updated", updated, company.id)
        return {"updated": updated}

    @api.model
    def ai_clear_insights(self, company_id, ids):
        """Clear the scores of commercial partners of ``company_id`` that are no longer scored.

        :return: ``{"cleared": n}``
        """
        company = self._ai_check_engine_call(company_id)
        if not isinstance(ids, (list, tuple)):
            raise ValidationError(self.env._("ids must be a list of partner ids."))
        if not ids:
            return {"cleared": 0}
        ids = self._ai_check_row_ids(ids)
        self._ai_check_partners(company, ids, allow_excluded=True)
        self.env["res.partner"].flush_model(AI_SCORE_FIELDS)
        self.env.cr.execute(
            SQL(
                "UPDATE res_partner SET %s WHERE id = ANY(%s)",
                SQL(", ").join(SQL("%s = NULL", SQL.identifier(f)) for f in AI_SCORE_FIELDS),
                list(ids),
            )
        )
        cleared = self.env.cr.rowcount
        self._ai_invalidate_scores()
        _logger.info("ai_clear_insights: %d partners of company %d cleared", cleared, company.id)
        return {"cleared": cleared}

    @api.model
    def _ai_check_engine_call(self, company_id):
        if not self._ai_can_write_scores():
            raise AccessError(self.env._("Only the AI engine may write AI scores."))
        valid = isinstance(company_id, int) and not isinstance(company_id, bool)
        if not valid or company_id not in self.env.user.company_ids.ids:
            raise AccessError(
                self.env._("Company %(company)s is not one of your companies.", company=company_id)
            )
        return self.env["res.company"].browse(company_id)

    @api.model
    def _ai_check_row_ids(self, ids):
        bad = [i for i in ids if not isinstance(i, int) or isinstance(i, bool) or i <= 0]
        if bad:
            raise ValidationError(
                self.env._("Invalid partner ids: %(ids)s", ids=", ".join(map(repr, bad[:20])))
            )
        duplicates = [i for i, n in Counter(ids).items() if n > 1]
        if duplicates:
            raise ValidationError(
                self.env._("Duplicate partner ids: %(ids)s", ids=self._ai_list_ids(duplicates))
            )
        return ids

    @api.model
    def _ai_list_ids(self, ids):
        ids = sorted(ids)
        text = ", ".join(map(str, ids[:MAX_LISTED_IDS]))
        return text + (f" … (+{len(ids) - MAX_LISTED_IDS})" if len(ids) > MAX_LISTED_IDS else "")

    @api.model
    def _ai_check_partners(self, company, ids, allow_excluded):
        """Every id must be a commercial partner of ``company`` (or shared) and not excluded."""
        self.env["res.partner"].flush_model(
            ["company_id", "commercial_partner_id", "ai_exclude_profiling"]
        )
        self.env.cr.execute(
            SQL(
                "SELECT id, company_id, commercial_partner_id, ai_exclude_profiling "
                "FROM res_partner WHERE id = ANY(%s)",
                list(ids),
            )
        )
        found = {row[0]: row[1:] for row in self.env.cr.fetchall()}
        problems = {
            "missing": [i for i in ids if i not in found],
            "company": [i for i, r in found.items() if r[0] and r[0] != company.id],
            "commercial": [i for i, r in found.items() if r[1] != i],
            "excluded": [] if allow_excluded else [i for i, r in found.items() if r[2]],
        }
        labels = {
            "missing": self.env._("do not exist"),
            "company": self.env._("belong to another company than %(company)s",
                                  company=company.name),
            "commercial": self.env._("are contacts, not commercial partners"),
            "excluded": self.env._("are excluded from AI profiling"),
        }
        lines = [
            self.env._("Partners %(ids)s %(problem)s.", ids=self._ai_list_ids(bad),
                       problem=labels[kind])
            for kind, bad in problems.items() if bad
        ]
        if lines:
            raise ValidationError("\n".join([self.env._("Nothing was written."), *lines]))

    @api.model
    def _ai_segment_ids_by_code(self, rows):
        codes = {row["segment_code"] for row in rows if row.get("segment_code") is not None}
        if not codes:
            return {}
        segments = self.env["ai.segment"].sudo().with_context(active_test=False).search_read(
            [("code", "in", list(codes))], ["code"]
        )
        by_code = {seg["code"]: seg["id"] for seg in segments}
        unknown = sorted(map(str, codes - set(by_code)))
        if unknown:
            raise ValidationError(
                self.env._("Unknown segment codes: %(codes)s", codes=", ".join(unknown))
            )
        return by_code

    @api.model
    def _ai_convert_value(self, key, value, segment_ids):
        """Row value → column value; raises TypeError/ValueError with a short reason."""
        if value is None or value is False:
            return None
        if key == "segment_code":
            return segment_ids[value]
        return _CONVERTERS[key](value)

    @api.model
    def _ai_sql_update(self, fnames, values, constants):
        """One ``UPDATE res_partner … FROM (VALUES …)``; ``values`` rows are ``[id, *fnames]``."""
        self.env["res.partner"].flush_model([*AI_SCORE_FIELDS, "ai_exclude_profiling"])
        updated = ai_values.sql_update_from_values(
            self, fnames, values, constants, where=SQL("t.ai_exclude_profiling IS NOT TRUE")
        )
        self._ai_invalidate_scores()
        return updated

    @api.model
    def _ai_invalidate_scores(self):
        self.env["res.partner"].invalidate_model(sorted(self._ai_protected_fields()))
