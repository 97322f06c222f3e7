from odoo import api, fields, models
from odoo.tools import SQL

from . import ai_contract, ai_explain, ai_values


def _rfm_score(value):
    converted = ai_values.text(value)
    if converted and (len(converted) != 3 or not set(converted) <= set("12345")):
        raise ValueError(f"{value!r} is not three digits from 1 to 5")
    return converted


class AiPartnerInsight(models.Model):
    """What the contact-insights run found about one customer, for one company.

    A customer two companies sell to has one row per company, each from that company's orders
    only; the contact form shows the current company's (``res.partner.ai_insight_id``). The
    engine writes rows through ``ai_write`` (``ai.engine.snapshot``); field names are the keys
    it sends.
    """

    _name = "ai.partner.insight"
    _inherit = ["ai.engine.snapshot"]
    _description = "AI Customer Insight"
    _order = "churn_probability desc, id"
    _rec_name = "partner_id"

    _ai_task = "insights"
    _ai_partner_field = "partner_id"
    _ai_unique = ("partner_id",)
    _ai_required = ("partner_id",)
    _ai_converters = {
        "partner_id": ai_values.record_id,
        "recency_days": ai_values.count,
        "frequency": ai_values.count,
        "monetary": ai_values.number,
        "rfm_score": _rfm_score,
        "segment_id": ai_values.text,  # a segment code, resolved in _ai_check_references
        "cluster": ai_values.explanation(ai_contract.CLUSTERS),
        "churn_probability": ai_values.percent,
        "churn_risk": ai_values.choice(ai_contract.CHURN_RISKS),
        "churn_reasons": ai_values.explanations(ai_contract.CHURN_REASONS, limit=5),
        "churn_method": ai_values.choice(ai_contract.CHURN_METHODS),
        "churn_grade": ai_values.choice(ai_contract.GRADES),
        "clv": ai_values.amount,
        "expected_orders": ai_values.amount,
        "expected_revenue": ai_values.amount,
        "next_order_date": ai_values.iso_date,
        "clv_12m": ai_values.amount,
        "clv_low": ai_values.amount,
        "clv_high": ai_values.amount,
        "value_band": ai_values.choice(ai_contract.VALUE_BANDS),
        "value_method": ai_values.choice(ai_contract.VALUE_METHODS),
        "value_grade": ai_values.choice(ai_contract.GRADES),
        "value_reasons": ai_values.explanations(ai_contract.VALUE_REASONS, limit=6),
    }

    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, readonly=True, index=True,
        ondelete="cascade", help="The commercial partner (a company, or a person buying alone).",
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    recency_days = fields.Integer(string="Recency (days)", readonly=True,
                                  help="Days since the last confirmed sale order.")
    frequency = fields.Integer(string="Frequency (orders)", readonly=True,
                               help="Number of confirmed sale orders.")
    monetary = fields.Monetary(readonly=True,
                               help="Total of confirmed sale orders, in company currency.")
    rfm_score = fields.Char(
        string="RFM Score", size=3, readonly=True,
        help="Recency, frequency and monetary quintiles, each 1 (lowest) to 5 (best).",
    )
    segment_id = fields.Many2one("ai.segment", readonly=True, index=True,
                                 ondelete="set null")
    cluster = fields.Json(string="Cluster Codes", readonly=True)
    cluster_name = fields.Char(string="Behaviour Cluster", compute="_compute_texts")
    churn_probability = fields.Float(
        string="Churn Probability (%)", readonly=True, aggregator="avg",
        help="Probability (0-100 %) of no confirmed order within the churn horizon.",
    )
    churn_risk = fields.Selection(ai_contract.CHURN_RISKS, readonly=True)
    churn_reasons = fields.Json(string="Churn Reason Codes", readonly=True)
    churn_reasons_text = fields.Text(
        string="Churn Reasons", compute="_compute_texts",
        help="The main reasons behind the churn probability, one per line.",
    )
    churn_method = fields.Selection(
        ai_contract.CHURN_METHODS, string="Method", readonly=True,
        help="Model: a calibrated estimator trained on this company's history. Transparent "
        "rule: used when there is too little history; compares the days since the last order "
        "with the customer's usual gap between orders.",
    )
    churn_grade = fields.Selection(
        ai_contract.GRADES, readonly=True,
        help="How the churn model did on this company's own past against the recency rule "
        "(silence against the customer's usual gap): A clearly better, B about equal (the model "
        "serves in both cases), C worse (the rule serves).",
    )
    clv = fields.Monetary(
        string="Lifetime Value (12 months)", readonly=True,
        help="Expected value of confirmed orders in the next 12 months, in company currency.",
    )
    expected_orders = fields.Float(
        readonly=True, digits=(16, 1), aggregator="sum",
        help="Orders (days with an order) expected within the churn horizon after the run.",
    )
    expected_revenue = fields.Monetary(
        readonly=True, help="Value of the orders expected within the churn horizon after the run, "
        "in company currency.",
    )
    next_order_date = fields.Date(
        readonly=True, help="The date by which the customer has ordered as likely as not. Empty: "
        "no next order expected (most likely gone).",
    )
    clv_12m = fields.Monetary(
        string="12-Month Value", readonly=True,
        help="Expected value of confirmed orders in the next 12 months, in company currency.",
    )
    clv_low = fields.Monetary(
        string="12-Month Value, Low", readonly=True, aggregator=False,
        help="Low end of the 80 % range of the next 12 months' spend.",
    )
    clv_high = fields.Monetary(
        string="12-Month Value, High", readonly=True, aggregator=False,
        help="High end of the 80 % range of the next 12 months' spend.",
    )
    value_range = fields.Char(string="12-Month Value Range (80 %)", compute="_compute_texts")
    value_band = fields.Selection(
        ai_contract.VALUE_BANDS, readonly=True, index=True,
        help="Where the customer's 12-month value ranks among this company's customers.",
    )
    value_method = fields.Selection(
        ai_contract.VALUE_METHODS, readonly=True,
        help="Which served on this run: the model, or the baseline when the model did worse on "
        "the company's own past.",
    )
    value_grade = fields.Selection(
        ai_contract.GRADES, readonly=True,
        help="How the value model did on this company's own past against the baseline (average "
        "monthly spend × months × retention): A clearly better, B about equal (the model serves "
        "in both cases), C worse (the baseline serves).",
    )
    value_reasons = fields.Json(string="Value Explanation Codes", readonly=True)
    value_reasons_text = fields.Text(
        string="Value Explained", compute="_compute_texts",
        help="How each value figure was reached, one line each.",
    )
    no_next_order = fields.Boolean(
        string="No Next Order Expected", compute="_compute_no_next_order",
        search="_search_no_next_order",
    )
    scored_at = fields.Datetime(related="create_date", string="Scored At")

    @api.depends("next_order_date", "value_band")
    def _compute_no_next_order(self):
        for insight in self:
            insight.no_next_order = bool(insight.value_band) and not insight.next_order_date

    def _search_no_next_order(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise NotImplementedError(self.env._("Unsupported search on No Next Order Expected"))
        gone = [("value_band", "!=", False), ("next_order_date", "=", False)]
        return gone if (operator == "=") == value else ["!", "&", *gone]

    @api.depends_context("lang")
    @api.depends("cluster", "churn_reasons", "currency_id", "value_reasons", "clv_low",
                 "clv_high")
    def _compute_texts(self):
        for insight in self:
            insight.value_range = ai_explain.money_range(
                self.env, insight.clv_low, insight.clv_high, insight.currency_id
            ) if insight.value_band else False
            insight.value_reasons_text = "\n".join(ai_explain.render_all(
                self.env, insight.value_reasons, ai_contract.VALUE_REASONS,
                insight.currency_id)) or False
            insight.cluster_name = ai_explain.render(self.env, insight.cluster or {},
                                                     ai_contract.CLUSTERS) or False
            insight.churn_reasons_text = "\n".join(ai_explain.render_all(
                self.env, insight.churn_reasons, ai_contract.CHURN_REASONS,
                insight.currency_id)) or False

    @api.model
    def _ai_check_references(self, company, values):
        errors = self.env["res.partner"]._ai_partner_problems(
            company, [row["partner_id"] for row in values])
        codes = {row["segment_id"] for row in values if row.get("segment_id")}
        segments = self.env["ai.segment"].sudo().with_context(active_test=False).search(
            [("code", "in", list(codes))])
        by_code = {segment.code: segment.id for segment in segments}
        unknown = sorted(codes - set(by_code))
        if unknown:
            errors.append(self.env._("Unknown segment codes: %(codes)s",
                                     codes=", ".join(unknown)))
        for row in values:
            if row.get("segment_id"):
                row["segment_id"] = by_code.get(row["segment_id"])
        return errors

    @api.model
    def _ai_current_ids_by_partner(self, partner_ids):
        """commercial partner id → its published insight in the current company."""
        if not partner_ids:
            return {}
        self.flush_model(["partner_id", "company_id", "active"])
        self.env.cr.execute(SQL(
            "SELECT partner_id, id FROM ai_partner_insight "
            "WHERE active AND company_id = %s AND partner_id = ANY(%s)",
            self.env.company.id, list(partner_ids),
        ))
        return dict(self.env.cr.fetchall())
