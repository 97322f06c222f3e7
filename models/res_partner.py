import logging

from odoo import api, fields, models
from odoo.tools import SQL

_logger = logging.getLogger(__name__)


def _insight_field(field_cls, name, label, **kwargs):
    """A field of the current company's insight, shown on the contact (and its company)."""
    # The insight depends on the company looked from (a related field would not know).
    return field_cls(related=f"ai_insight_id.{name}", string=label, groups="base.group_user",
                     depends_context=("company", "lang"), **kwargs)


class ResPartner(models.Model):
    _inherit = "res.partner"

    # --- what a human sets ------------------------------------------------------------------
    ai_exclude_profiling = fields.Boolean(
        string="Exclude from AI profiling",
        groups="base.group_user",
        copy=False,
        tracking=True,
        help="The customer objected to profiling (GDPR art. 21): every AI result about them is "
        "deleted now and the AI engine leaves them out of every future run. Set it on the "
        "company; its contacts follow it.",
    )

    # --- what the engine found, for the current company (ai.partner.insight) -----------------
    ai_insight_id = fields.Many2one(
        "ai.partner.insight", string="AI Insight", compute="_compute_ai_insight_id",
        search="_search_ai_insight_id", groups="base.group_user",
        help="The contact insights of the commercial partner in the current company.",
    )
    ai_recency_days = _insight_field(fields.Integer, "recency_days", "Recency (days)")
    ai_frequency = _insight_field(fields.Integer, "frequency", "Frequency (orders)")
    ai_currency_id = _insight_field(fields.Many2one, "currency_id", "AI Currency")
    ai_monetary = _insight_field(fields.Monetary, "monetary", "Monetary",
                                 currency_field="ai_currency_id")
    ai_rfm_score = _insight_field(fields.Char, "rfm_score", "RFM Score")
    ai_segment_id = _insight_field(fields.Many2one, "segment_id", "Segment")
    ai_segment_description = _insight_field(fields.Char, "segment_id.description",
                                            "Segment Meaning")
    ai_cluster = _insight_field(fields.Char, "cluster_name", "Behaviour Cluster")
    ai_churn_probability = _insight_field(fields.Float, "churn_probability",
                                          "Churn Probability (%)")
    ai_churn_risk = _insight_field(fields.Selection, "churn_risk", "Churn Risk")
    ai_churn_reasons = _insight_field(fields.Text, "churn_reasons_text", "Churn Reasons")
    ai_churn_method = _insight_field(fields.Selection, "churn_method", "Method")
    ai_churn_grade = _insight_field(fields.Selection, "churn_grade", "Churn Grade")
    ai_clv = _insight_field(fields.Monetary, "clv", "Lifetime Value (12 months)",
                            currency_field="ai_currency_id")
    ai_expected_orders = _insight_field(fields.Float, "expected_orders", "Expected Orders",
                                        digits=(16, 1))
    ai_expected_revenue = _insight_field(fields.Monetary, "expected_revenue", "Expected Revenue",
                                         currency_field="ai_currency_id")
    ai_next_order_date = _insight_field(fields.Date, "next_order_date", "Expected Next Order")
    ai_clv_12m = _insight_field(fields.Monetary, "clv_12m", "12-Month Value",
                                currency_field="ai_currency_id")
    ai_clv_low = _insight_field(fields.Monetary, "clv_low", "12-Month Value, Low",
                                currency_field="ai_currency_id")
    ai_clv_high = _insight_field(fields.Monetary, "clv_high", "12-Month Value, High",
                                 currency_field="ai_currency_id")
    ai_value_range = _insight_field(fields.Char, "value_range", "12-Month Value Range (80 %)")
    ai_value_band = _insight_field(fields.Selection, "value_band", "Value Band")
    ai_value_method = _insight_field(fields.Selection, "value_method", "Value Method")
    ai_value_grade = _insight_field(fields.Selection, "value_grade", "Value Grade")
    ai_value_reasons = _insight_field(fields.Text, "value_reasons_text", "Value Explained")
    ai_no_next_order = _insight_field(fields.Boolean, "no_next_order", "No Next Order Expected")
    ai_scored_at = _insight_field(fields.Datetime, "scored_at", "Scored At")

    @api.model
    def _commercial_fields(self):
        # The objection is recorded on the company and followed by its contacts, like the VAT.
        return super()._commercial_fields() + ["ai_exclude_profiling"]

    @api.depends_context("company")
    @api.depends("commercial_partner_id")
    def _compute_ai_insight_id(self):
        commercial = {p.id: p.commercial_partner_id.id for p in self}
        found = self.env["ai.partner.insight"]._ai_current_ids_by_partner(
            [pid for pid in commercial.values() if isinstance(pid, int)])
        for partner in self:
            partner.ai_insight_id = found.get(commercial[partner.id], False)

    def _search_ai_insight_id(self, operator, value):
        """Partners whose current-company insight matches (``in`` a query, ``=`` an id, or
        ``=``/``!=`` False for has none/has one)."""
        Insight = self.env["ai.partner.insight"].sudo()
        company = [("company_id", "=", self.env.company.id)]
        if value is False and operator in ("=", "!="):
            query = Insight._search(company)
            return [("id", "in" if operator == "!=" else "not in",
                     query.subselect("partner_id"))]
        if operator not in ("in", "not in", "=", "!="):
            return NotImplemented
        ids = value if not isinstance(value, int) else [value]
        query = Insight._search([("id", "in", ids), *company])
        positive = operator in ("in", "=")
        return [("id", "in" if positive else "not in", query.subselect("partner_id"))]

    # ------------------------------------------------------------------------------------------
    # Objection to profiling: everything about the person goes, at once
    # ------------------------------------------------------------------------------------------
    def write(self, vals):
        res = super().write(vals)
        if vals.get("ai_exclude_profiling"):
            self._ai_forget()
        return res

    def _ai_forget(self):
        """Delete every AI result about these partners and their commercial partners."""
        ids = set(self.ids) | set(self.commercial_partner_id.ids)
        forgotten = sum(model._ai_forget_partners(ids) for model in
                        self.env["ai.engine.snapshot"]._ai_snapshot_models())
        forgotten += self.env["ai.retention.wave.member"]._ai_forget_partners(ids)
        _logger.info("AI profiling objection: %d results of %d partners deleted",
                     forgotten, len(ids))
        return forgotten

    # ------------------------------------------------------------------------------------------
    # Checks of the engine's rows (ai.engine.api)
    # ------------------------------------------------------------------------------------------
    @api.model
    def _ai_excluded_ids(self, ids):
        if not ids:
            return []
        self.flush_model(["ai_exclude_profiling"])
        self.env.cr.execute(SQL(
            "SELECT id FROM res_partner WHERE id = ANY(%s) AND ai_exclude_profiling",
            sorted(ids)))
        return [row[0] for row in self.env.cr.fetchall()]

    @api.model
    def _ai_partner_problems(self, company, ids):
        """Texts naming the ids that are not commercial partners the company may score."""
        ids = sorted(set(ids) - {None})
        if not ids:
            return []
        self.flush_model(["commercial_partner_id", "company_id"])
        self.env.cr.execute(SQL(
            "SELECT id, commercial_partner_id = id, company_id IS NULL OR company_id = %s "
            "FROM res_partner WHERE id = ANY(%s)", company.id, ids,
        ))
        found = {pid: (commercial, ours) for pid, commercial, ours in self.env.cr.fetchall()}
        problems = {
            self.env._("do not exist"): [i for i in ids if i not in found],
            self.env._("belong to another company than %(company)s", company=company.name):
                [i for i, (_c, ours) in found.items() if not ours],
            self.env._("are contacts, not commercial partners"):
                [i for i, (commercial, ours) in found.items() if ours and not commercial],
        }
        return [self.env._("Partners %(ids)s %(problem)s.", problem=problem,
                           ids=", ".join(map(str, bad[:20])) + (" …" if len(bad) > 20 else ""))
                for problem, bad in problems.items() if bad]
