import datetime
import logging

from odoo import api, fields, models
from odoo.tools import SQL, format_date

from . import ai_contract, ai_values

_logger = logging.getLogger(__name__)

# Keys of the wave the engine sends when it draws one (ai_create_wave) …
WAVE_KEYS = ("date", "seed", "horizon_days", "per_salesperson", "control_percent")
WAVE_REQUIRED = ("date", "seed", "horizon_days")
# … and when it measures one (ai_write), after its horizon.
EFFECT_KEYS = (
    "id", "treated_measured", "control_measured", "treated_ordered", "control_ordered",
    "treated_reorder_rate", "control_reorder_rate", "reorder_diff", "reorder_diff_low",
    "reorder_diff_high", "treated_revenue", "control_revenue", "revenue_diff",
    "revenue_diff_low", "revenue_diff_high", "activities_done", "conclusion",
)
ACTIVITY_TYPE = "ai_crm.mail_activity_type_retention_call"
NOTE_PRODUCTS = 3


def _date(value):
    if not isinstance(value, str):
        raise TypeError(f"{value!r} is not a date")
    return datetime.date.fromisoformat(value)


def _points(value):
    """A difference of two shares (-1..1), stored in percentage points."""
    return round(ai_values.bounded(-1.0, 1.0)(value) * 100.0, 2)


class AiRetentionWave(models.Model):
    """One weekly draw of customers worth a call: the treated get an activity for their
    salesperson, a random control group (the company's share, drawn with ``seed``) gets none.

    The engine draws the wave (``ai_create_wave``, one validated call, all or nothing) and,
    once the horizon has passed, compares what treated and control customers ordered
    (``ai_write``): the difference with its 95 % confidence interval, shown in plain words.
    """

    _name = "ai.retention.wave"
    _inherit = ["ai.engine.api"]
    _description = "AI Retention Wave"
    _order = "date desc, id desc"
    _check_company_auto = True

    _ai_task = "retention"
    _ai_required = ()  # a new wave needs WAVE_REQUIRED; a measurement, the wave's id
    _ai_converters = {
        "id": ai_values.record_id,
        "date": _date,
        "seed": ai_values.count,
        "horizon_days": ai_values.count,
        "per_salesperson": ai_values.count,
        "control_percent": ai_values.bounded(0.0, 90.0),
        "treated_measured": ai_values.count,
        "control_measured": ai_values.count,
        "treated_ordered": ai_values.count,
        "control_ordered": ai_values.count,
        "treated_reorder_rate": ai_values.percent,
        "control_reorder_rate": ai_values.percent,
        "reorder_diff": _points,
        "reorder_diff_low": _points,
        "reorder_diff_high": _points,
        "treated_revenue": ai_values.number,
        "control_revenue": ai_values.number,
        "revenue_diff": ai_values.number,
        "revenue_diff_low": ai_values.number,
        "revenue_diff_high": ai_values.number,
        "activities_done": ai_values.count,
        "conclusion": ai_values.choice(ai_contract.RETENTION_CONCLUSIONS),
    }

    name = fields.Char(compute="_compute_name")
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True,
                                 ondelete="cascade")
    currency_id = fields.Many2one(related="company_id.currency_id")
    run_id = fields.Many2one("ai.run", readonly=True, ondelete="set null",
                             help="The retention run that drew the wave.")
    date = fields.Date(required=True, readonly=True, help="When the customers were drawn.")
    seed = fields.Integer(readonly=True, help="The random seed the control group was drawn "
                          "with: the same seed and customers draw the same groups.")
    horizon_days = fields.Integer(
        string="Horizon (days)", readonly=True,
        help="How long after the wave orders are counted before treated and control customers "
        "are compared.")
    horizon_date = fields.Date(compute="_compute_horizon_date", store=True,
                               string="Measured From")
    per_salesperson = fields.Integer(string="Calls per Salesperson", readonly=True)
    control_percent = fields.Float(string="Control Group (%)", readonly=True, digits=(16, 1))
    state = fields.Selection(
        [("waiting", "Waiting for the horizon"), ("measured", "Measured")],
        required=True, default="waiting", readonly=True, index=True)
    member_ids = fields.One2many("ai.retention.wave.member", "wave_id", string="Customers",
                                 readonly=True)
    treated_count = fields.Integer(string="Called", compute="_compute_counts", store=True,
                                   help="Customers given a call activity.")
    control_count = fields.Integer(string="Control", compute="_compute_counts", store=True,
                                   help="Customers drawn at random to get no activity.")
    skipped_excluded = fields.Integer(
        readonly=True, help="Customers the engine proposed who objected to profiling meanwhile: "
        "left out.")
    measured_at = fields.Datetime(readonly=True)
    treated_measured = fields.Integer(readonly=True)
    control_measured = fields.Integer(readonly=True)
    treated_ordered = fields.Integer(readonly=True, help="Called customers who ordered again "
                                     "within the horizon.")
    control_ordered = fields.Integer(readonly=True, help="Control customers who ordered again "
                                     "within the horizon.")
    treated_reorder_rate = fields.Float(string="Called: Ordered Again (%)", readonly=True,
                                        aggregator="avg", digits=(16, 1))
    control_reorder_rate = fields.Float(string="Control: Ordered Again (%)", readonly=True,
                                        aggregator="avg", digits=(16, 1))
    reorder_diff = fields.Float(string="Effect (points)", readonly=True, aggregator="avg",
                                digits=(16, 1),
                                help="Share of called customers who ordered again minus the "
                                "control group's, in percentage points.")
    reorder_diff_low = fields.Float(string="95 % CI Low (points)", readonly=True,
                                    digits=(16, 1))
    reorder_diff_high = fields.Float(string="95 % CI High (points)", readonly=True,
                                     digits=(16, 1))
    treated_revenue = fields.Monetary(string="Called: Revenue per Customer", readonly=True)
    control_revenue = fields.Monetary(string="Control: Revenue per Customer", readonly=True)
    revenue_diff = fields.Monetary(string="Revenue Effect per Customer", readonly=True)
    revenue_diff_low = fields.Monetary(string="Revenue 95 % CI Low", readonly=True)
    revenue_diff_high = fields.Monetary(string="Revenue 95 % CI High", readonly=True)
    activities_done = fields.Integer(
        readonly=True, help="Call activities the salespeople marked done (at the measurement).")
    conclusion = fields.Selection(ai_contract.RETENTION_CONCLUSIONS, readonly=True)
    effect_text = fields.Text(string="Effect", compute="_compute_effect_text")

    @api.depends("date")
    def _compute_name(self):
        for wave in self:
            wave.name = self.env._("Retention calls of %(date)s",
                                   date=format_date(self.env, wave.date)) if wave.date else ""

    @api.depends("date", "horizon_days")
    def _compute_horizon_date(self):
        for wave in self:
            wave.horizon_date = wave.date and wave.date + datetime.timedelta(
                days=wave.horizon_days)

    @api.depends("member_ids.assignment")
    def _compute_counts(self):
        for wave in self:
            groups = wave.member_ids.mapped("assignment")
            wave.treated_count = groups.count("treated")
            wave.control_count = groups.count("control")

    @api.depends_context("lang")
    @api.depends("state", "conclusion", "reorder_diff", "treated_measured", "revenue_diff")
    def _compute_effect_text(self):
        for wave in self:
            wave.effect_text = wave._effect_text()

    def _effect_text(self):
        """The measured effect in plain words; a wave too small or whose interval includes 0
        says that nothing can be concluded."""
        self.ensure_one()
        if self.state != "measured":
            return self.env._("Waiting: called and control customers are compared on %(date)s.",
                     date=format_date(self.env, self.horizon_date))
        counts = self.env._("%(treated)s called / %(control)s control",
                   treated=self.treated_measured, control=self.control_measured)
        if self.conclusion == "too_small":
            return self.env._("Too few customers for a conclusion (%(counts)s).", counts=counts)
        effect = self.env._("%(diff)s points of customers ordering again, 95 %% CI %(low)s to "
                   "%(high)s, %(counts)s.", diff=_signed(self.reorder_diff),
                   low=_signed(self.reorder_diff_low), high=_signed(self.reorder_diff_high),
                   counts=counts)
        verdict = dict(self._fields["conclusion"]._description_selection(self.env)).get(
            self.conclusion, "")
        revenue = self.env._("Revenue per customer %(diff)s (95 %% CI %(low)s to %(high)s).",
                    diff=self._money(self.revenue_diff, signed=True),
                    low=self._money(self.revenue_diff_low, signed=True),
                    high=self._money(self.revenue_diff_high, signed=True))
        return "\n".join([effect, verdict, revenue])

    def _money(self, value, signed=False):
        text = self.currency_id.format(abs(value)) if self.currency_id else f"{abs(value):.0f}"
        return ("-" if value < 0 else "+" if signed else "") + text

    # ------------------------------------------------------------------------------------------
    # The engine draws a wave
    # ------------------------------------------------------------------------------------------
    @api.model
    def ai_create_wave(self, run_id, wave):
        """Record the wave the retention run drew and give each treated customer's salesperson
        a call activity; all or nothing.

        :param dict wave: ``date`` (ISO), ``seed``, ``horizon_days``, ``per_salesperson``,
            ``control_percent`` and ``members``: dicts of ``partner_id``, ``user_id``,
            ``assignment`` (``treated``/``control``), ``rank``, ``churn_probability`` (0..1),
            ``baseline_value``. Treated customers per salesperson may not exceed the company's
            setting; a customer already in a wave still waiting for its horizon may not be
            drawn again. Customers who objected to profiling are left out (and counted).
        :return: ``{"wave_id", "activities", "skipped_excluded"}``
        """
        run = self._ai_check_run(run_id)
        company = run.company_id
        Member = self.env["ai.retention.wave.member"]
        if not isinstance(wave, dict):
            self._ai_raise([self.env._("wave must be a dictionary.")])
        header = {key: wave[key] for key in WAVE_KEYS if key in wave}
        missing = [key for key in WAVE_REQUIRED if header.get(key) in (None, False)]
        if missing:
            self._ai_raise([self.env._("The wave lacks %(keys)s.", keys=", ".join(missing))])
        [values] = self._ai_convert_rows([header])
        members = Member._ai_convert_rows(wave.get("members") or [])
        self._ai_raise(Member._ai_check_new_members(company, members))
        excluded = set(self.env["res.partner"]._ai_excluded_ids(
            {row["partner_id"] for row in members}))
        kept = [row for row in members if row["partner_id"] not in excluded]
        record = self.sudo().create({
            **values, "company_id": company.id, "run_id": run.id,
            "skipped_excluded": len(members) - len(kept),
            "member_ids": [(0, 0, row) for row in kept],
        })
        activities = record.member_ids._ai_schedule_calls()
        _logger.info("Retention wave %d of company %d: %d called, %d control, %d excluded",
                     record.id, company.id, record.treated_count, record.control_count,
                     record.skipped_excluded)
        return {"wave_id": record.id, "activities": len(activities),
                "skipped_excluded": record.skipped_excluded}

    # ------------------------------------------------------------------------------------------
    # The engine measures a wave
    # ------------------------------------------------------------------------------------------
    @api.model
    def ai_write(self, run_id, rows):
        """The comparison of treated and control customers of waves whose horizon has passed.

        :param list rows: dicts with ``id`` and the effect keys (``EFFECT_KEYS``): counts,
            shares 0..1, differences with their 95 % CI, revenue per customer, ``conclusion``.
        :return: ``{"updated": n}``
        """
        values = measured_rows(self, run_id, rows, EFFECT_KEYS)
        updated = self._ai_update(values, {"state": "measured",
                                           "measured_at": fields.Datetime.now()})
        return {"updated": updated}


def measured_rows(model, run_id, rows, keys):
    """The rows of a measurement sent to ``model`` (the wave or its members: ``keys``, ``id``
    required), each about a wave of the run's company whose horizon has passed; converted, or
    one error listing every problem."""
    run = model._ai_check_run(run_id)
    values = model._ai_convert_rows(rows)
    problems = [model.env._("%(model)s rows hold %(keys)s, not %(key)s.", model=model._name,
                  keys=", ".join(keys), key=key)
                for key in sorted({k for row in values for k in row} - set(keys))]
    problems += [model.env._("Every row needs an id.")] * any("id" not in row for row in values)
    waves = SQL("SELECT id FROM ai_retention_wave WHERE company_id = %s "
                "AND date + horizon_days <= %s", run.company_id.id,
                fields.Date.context_today(model))
    column = "id" if model._name == "ai.retention.wave" else "wave_id"
    problems.append(model._ai_missing_ids(
        model._name, {row.get("id") for row in values},
        SQL("%s IN (%s)", SQL.identifier(column), waves),
        model.env._("Records of waves whose horizon has passed:")))
    model._ai_raise(problems)
    return values


def _signed(value):
    return f"{value:+.0f}" if round(value) else "0"
