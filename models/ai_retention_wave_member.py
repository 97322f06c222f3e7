import logging

from markupsafe import Markup

from odoo import api, fields, models
from odoo.tools import SQL

from . import ai_values
from .ai_retention_wave import ACTIVITY_TYPE, NOTE_PRODUCTS, measured_rows

_logger = logging.getLogger(__name__)

GROUPS = [("treated", "Called"), ("control", "Control (no call)")]
# What the engine writes on members when it measures their wave.
OUTCOME_KEYS = ("id", "ordered_again", "orders_after", "revenue_after")


class AiRetentionWaveMember(models.Model):
    """A customer drawn into a retention wave: called (an activity for the salesperson) or in
    the control group; what they ordered within the horizon once it has passed."""

    _name = "ai.retention.wave.member"
    _inherit = ["ai.engine.api"]
    _description = "AI Retention Wave Customer"
    _order = "wave_id desc, assignment desc, rank, id"
    _rec_name = "partner_id"

    _ai_task = "retention"
    _ai_required = ()
    _ai_converters = {
        "id": ai_values.record_id,
        "partner_id": ai_values.record_id,
        "user_id": ai_values.record_id,
        "assignment": ai_values.choice(GROUPS),
        "rank": ai_values.count,
        "churn_probability": ai_values.percent,
        "baseline_value": ai_values.number,
        "ordered_again": ai_values.flag,
        "orders_after": ai_values.count,
        "revenue_after": ai_values.number,
    }

    wave_id = fields.Many2one("ai.retention.wave", required=True, readonly=True, index=True,
                              ondelete="cascade")
    company_id = fields.Many2one(related="wave_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="wave_id.currency_id")
    date = fields.Date(related="wave_id.date", store=True)
    partner_id = fields.Many2one("res.partner", string="Customer", required=True,
                                 readonly=True, index=True, ondelete="cascade")
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True, index=True,
                              ondelete="set null")
    assignment = fields.Selection(GROUPS, required=True, readonly=True, index=True)
    rank = fields.Integer(readonly=True, help="1: the salesperson's most valuable customer at "
                          "risk in this wave.")
    churn_probability = fields.Float(string="Churn Probability (%)", readonly=True,
                                     digits=(16, 1))
    baseline_value = fields.Monetary(
        string="Value at the Wave", readonly=True,
        help="The customer's expected value over 12 months when the wave was drawn.")
    activity_id = fields.Many2one("mail.activity", string="Call Activity", readonly=True,
                                  ondelete="set null")
    activity_state = fields.Selection(
        [("open", "To do"), ("done", "Done"), ("gone", "Cancelled")],
        compute="_compute_activity_state", string="Call",
        help="Whether the salesperson marked the call done.")
    ordered_again = fields.Boolean(readonly=True, help="Ordered within the wave's horizon.")
    orders_after = fields.Integer(readonly=True)
    revenue_after = fields.Monetary(string="Revenue within Horizon", readonly=True)

    @api.depends("activity_id", "assignment")
    def _compute_activity_state(self):
        for member in self:
            activity = member.sudo().with_context(active_test=False).activity_id
            if member.assignment != "treated":
                member.activity_state = False
            elif not activity.exists():
                member.activity_state = "gone"
            else:
                member.activity_state = "done" if activity.date_done else "open"

    # ------------------------------------------------------------------------------------------
    # Checks of a new wave (ai.retention.wave.ai_create_wave)
    # ------------------------------------------------------------------------------------------
    @api.model
    def _ai_check_new_members(self, company, members):
        problems = []
        for number, row in enumerate(members, start=1):
            missing = [key for key in ("partner_id", "user_id", "assignment") if key not in row]
            if missing:
                problems.append(self.env._("member %(n)s: missing %(keys)s", n=number,
                                           keys=", ".join(missing)))
            extra = sorted(set(row) & set(OUTCOME_KEYS))
            if extra:
                problems.append(self.env._(
                    "member %(n)s: %(keys)s are measured later, not sent with the wave",
                    n=number, keys=", ".join(extra)))
        if problems:
            return problems
        partner_ids = [row["partner_id"] for row in members]
        twice = sorted({pid for pid in partner_ids if partner_ids.count(pid) > 1})
        if twice:
            problems.append(self.env._("Customers drawn twice: %(ids)s", ids=twice))
        problems += self.env["res.partner"]._ai_partner_problems(company, partner_ids)
        users = self.env["res.users"].sudo().browse(
            {row["user_id"] for row in members}).exists()
        bad_users = sorted({row["user_id"] for row in members} - set(
            users.filtered(lambda u: u.active and not u.share
                           and company in u.company_ids).ids))
        if bad_users:
            problems.append(self.env._(
                "Users %(ids)s are not active internal users of %(company)s.",
                ids=bad_users, company=company.name))
        cap = company.ai_retention_per_salesperson
        treated = [row["user_id"] for row in members if row["assignment"] == "treated"]
        over = sorted({uid for uid in treated if treated.count(uid) > cap})
        if over:
            problems.append(self.env._("More than %(cap)s calls for users %(ids)s.", cap=cap,
                                       ids=over))
        self.flush_model()
        self.env.cr.execute(SQL(
            "SELECT m.partner_id FROM ai_retention_wave_member m "
            "JOIN ai_retention_wave w ON w.id = m.wave_id "
            "WHERE w.company_id = %s AND w.state = 'waiting' AND m.partner_id = ANY(%s)",
            company.id, partner_ids))
        busy = sorted({row[0] for row in self.env.cr.fetchall()})
        if busy:
            problems.append(self.env._(
                "Customers %(ids)s are in a wave still waiting for its horizon.", ids=busy[:20]))
        return problems

    def _ai_schedule_calls(self):
        """A call activity for each treated customer, assigned to the salesperson, whose note
        says why (churn reasons) and what to offer (suggested products). Nothing is sent to
        the customer."""
        activity_type = self.env.ref(ACTIVITY_TYPE)
        model_id = self.env["ir.model"]._get_id("res.partner")
        vals_list, members = [], self.browse()
        for member in self.filtered(lambda m: m.assignment == "treated"):
            vals_list.append({
                "res_model_id": model_id,
                "res_id": member.partner_id.id,
                "activity_type_id": activity_type.id,
                "summary": activity_type.summary,
                "user_id": member.user_id.id,
                "date_deadline": member._ai_call_deadline(),
                "note": member.with_context(lang=member.user_id.lang)._ai_call_note(),
            })
            members |= member
        activities = self.env["mail.activity"].sudo().with_context(
            mail_activity_quick_update=True).create(vals_list)
        for member, activity in zip(members, activities, strict=True):
            member.activity_id = activity
        return activities

    def _ai_call_deadline(self):
        return fields.Date.add(self.date, days=7)

    def _ai_call_note(self):
        """Why this customer is worth a call, in the salesperson's language."""
        self.ensure_one()
        company = self.company_id
        insight = self.env["ai.partner.insight"].sudo().with_company(company).search([
            ("partner_id", "=", self.partner_id.id), ("company_id", "=", company.id)], limit=1)
        suggestions = self.env["ai.customer.suggestion"].sudo().search([
            ("partner_id", "=", self.partner_id.id), ("company_id", "=", company.id)],
            order="rank", limit=NOTE_PRODUCTS)
        parts = [Markup("<p>%s</p>") % self.env._(
            "Valuable customer at risk: %(percent)s %% churn probability, %(value)s expected "
            "over 12 months.", percent=round(self.churn_probability),
            value=company.currency_id.format(self.baseline_value or 0.0))]
        reasons = (insight.churn_reasons_text or "").splitlines()
        if reasons:
            parts.append(Markup("<p>%s</p><ul>%s</ul>") % (
                self.env._("Why:"), Markup().join(Markup("<li>%s</li>") % r for r in reasons)))
        if suggestions:
            parts.append(Markup("<p>%s</p><ul>%s</ul>") % (
                self.env._("Products to offer:"), Markup().join(
                    Markup("<li>%s — %s</li>") % (
                        s.product_id.with_context(display_default_code=False).display_name,
                        s.reason_text or "")
                    for s in suggestions)))
        parts.append(Markup("<p><em>%s</em></p>") % self.env._(
            "Proposed by AI CRM's retention wave; nothing was sent to the customer."))
        return Markup().join(parts)

    # ------------------------------------------------------------------------------------------
    # The engine measures a wave (outcomes per customer)
    # ------------------------------------------------------------------------------------------
    @api.model
    def ai_write(self, run_id, rows):
        """What each member ordered within its wave's horizon, once it has passed.

        :param list rows: dicts of ``id``, ``ordered_again``, ``orders_after``,
            ``revenue_after``.
        :return: ``{"updated": n}``
        """
        values = measured_rows(self, run_id, rows, OUTCOME_KEYS)
        return {"updated": self._ai_update(values, {})}

    @api.model
    def _ai_forget_partners(self, partner_ids):
        """An objection to profiling: the customer leaves every wave, their open call goes."""
        members = self.sudo().search([("partner_id", "in", list(partner_ids))])
        members.activity_id.filtered(lambda a: not a.date_done).unlink()
        count = len(members)
        members.unlink()
        return count
