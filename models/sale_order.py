from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from . import ai_contract, ai_explain, ai_run_metrics

SUGGESTION_STATES = ("draft", "sent")
# How many candidates each source reads per suggestion shown (filters drop some of them).
CANDIDATES_PER_SLOT = 3


def _with_code(name, code):
    """The product's name as Odoo shows it on a line: ``[code] name``."""
    return f"[{code}] {name}" if code else name


class SaleOrder(models.Model):
    _inherit = "sale.order"

    ai_suggestions = fields.Json(
        string="Suggested Products", compute="_compute_ai_suggestions",
        groups="base.group_user",
        help="Products the AI suggests for this quotation, best first: what goes with its "
        "lines, what this customer is likely to buy, then popular products.",
    )

    ai_suggestions_serving = fields.Char(
        string="Which Suggestions Serve", compute="_compute_ai_suggestions_serving",
        groups="base.group_user",
        help="For products the customer bought before and for products it never bought: "
        "whether the model's list or the plain one (own most-bought products, best sellers) "
        "serves on this company, as the last product suggestions run measured on its past.",
    )

    # ------------------------------------------------------------------------------------------
    # Suggestions: read from the engine's stored results, never from the engine itself
    # ------------------------------------------------------------------------------------------
    @api.depends("partner_id", "company_id", "order_line.product_id", "state")
    def _compute_ai_suggestions(self):
        for order in self:
            order.ai_suggestions = order._ai_get_suggestions()

    @api.depends("company_id", "state")
    def _compute_ai_suggestions_serving(self):
        texts = {}
        for order in self:
            company = order.company_id
            if order.state not in SUGGESTION_STATES or not company:
                order.ai_suggestions_serving = False
                continue
            if company.id not in texts:
                texts[company.id] = order._ai_suggestions_serving_text()
            order.ai_suggestions_serving = texts[company.id]

    def _ai_suggestions_serving_text(self):
        """One line from the company's published product suggestions run, the one quotations
        read (as superuser: a salesperson sees what serves, not the run), or False before the
        first one."""
        run = self.env["ai.run"].sudo().browse(
            self.env["ai.customer.suggestion"]._ai_published_run_ids(self.company_id.ids))
        serving = (ai_run_metrics.load_metrics(run.metrics_json) or {}).get("serving")
        lines = ai_run_metrics.serving_lines(self.env, serving,
                                             ("suggestions_repeat", "suggestions_new"))
        if not lines:
            return False
        return " · ".join(f"{label}: {text}" for _key, label, _grade, text in lines)

    def _ai_suggestion_count(self):
        return self.company_id.ai_suggestion_count or 0

    @api.model
    def _ai_suggestion_domain(self):
        """Extra conditions on the suggested ``product.product`` (besides active, sellable and
        of the order's company)."""
        return []

    def _ai_get_suggestions(self):
        """Up to ``ai_suggestion_count`` dicts ``{product_id, name, reason, score, source,
        rank}``: what goes with the lines and the customer's own candidates in the order of
        their scores (the share of customers who bought it with a line, the chance that this
        customer's next order holds it), then the popular list; products on the quotation or
        dismissed on it are left out.
        """
        self.ensure_one()
        count = self._ai_suggestion_count()
        if self.state not in SUGGESTION_STATES or not self.company_id or count <= 0:
            return []
        # Suggestions and affinities are the rows of the company's last done suggestions run.
        run_ids = self.env["ai.customer.suggestion"]._ai_published_run_ids(self.company_id.ids)
        if not run_ids:
            return []
        run_id, limit = run_ids[0], count * CANDIDATES_PER_SLOT
        on_quote = set(self.order_line.product_id.ids)
        with_lines = self._ai_affinity_candidates(run_id, on_quote, limit)
        partner = self.partner_id.commercial_partner_id
        # A customer who objected to profiling has no personal list (it was deleted); the
        # check keeps it so even if a stale row were left.
        profiled = partner and not partner.sudo().ai_exclude_profiling
        own = self._ai_stored_candidates(run_id, partner.id, limit) if profiled else []
        popular = self._ai_stored_candidates(run_id, None, limit)
        merged = sorted(with_lines + own, key=lambda c: -c["score"]) + popular
        excluded = on_quote | self._ai_dismissed_product_ids()
        candidate_ids = list({c["product_id"] for c in merged} - excluded)
        products = self.env["product.product"].with_company(self.company_id).search([
            ("id", "in", candidate_ids),
            ("sale_ok", "=", True),
            ("company_id", "in", [False, self.company_id.id]),
            *self._ai_suggestion_domain(),
        ])
        offered = set(products.ids)
        chosen = []
        for candidate in merged:
            product_id = candidate["product_id"]
            if product_id in offered and product_id not in excluded:
                excluded.add(product_id)
                chosen.append(candidate)
                if len(chosen) >= count:
                    break
        # Names and reasons of the shown ones only (the sources read three candidates a slot),
        # all products named in one read: a product's display name costs a few queries per read.
        shown = products.browse([candidate["product_id"] for candidate in chosen])
        names = ai_explain.product_names(
            self.env, [candidate["reason"] for candidate in chosen], shown.ids)
        codes = dict(zip(shown.ids, shown.mapped("default_code"), strict=True))
        return [{
            "product_id": candidate["product_id"],
            "name": _with_code(names[candidate["product_id"]], codes[candidate["product_id"]]),
            "reason": ai_explain.render(self.env, candidate["reason"] or {},
                                        ai_contract.SUGGESTION_REASONS, names=names),
            "score": candidate["score"], "source": candidate["source"], "rank": rank,
        } for rank, candidate in enumerate(chosen, 1)]

    def _ai_affinity_candidates(self, run_id, product_ids, limit):
        """Products bought with the lines' products; the score, and the reason, is the share of
        the customers of a line product who bought it too (the highest over the lines), ties
        broken by the summed affinity."""
        if not product_ids:
            return []
        self.env["ai.product.affinity"].flush_model()
        # COALESCE: the run's unique index (run_id, COALESCE(product_id, 0), …) finds them.
        self.env.cr.execute(SQL(
            "SELECT a.product_id, a.related_product_id, a.score, a.confidence "
            "FROM ai_product_affinity a WHERE a.run_id = %s AND a.company_id = %s "
            "AND COALESCE(a.product_id, 0) = ANY(%s) AND a.rank <= %s "
            "ORDER BY a.product_id, a.rank",
            run_id, self.company_id.id, sorted(product_ids), limit,
        ))
        scores, best = {}, {}
        for product_id, related_id, score, confidence in self.env.cr.fetchall():
            scores[related_id] = scores.get(related_id, 0.0) + (score or 0.0)
            if related_id not in best or (confidence or 0.0) > best[related_id][1]:
                best[related_id] = (product_id, confidence or 0.0)
        ranked = sorted(scores, key=lambda pid: (-best[pid][1], -scores[pid], pid))[:limit]
        return [{
            "product_id": pid,
            "reason": {"code": "bought_with", "product": best[pid][0],
                       "percent": round(best[pid][1] * 100)},
            "score": round(best[pid][1], 4),
            "source": "affinity",
        } for pid in ranked]

    def _ai_stored_candidates(self, run_id, partner_id, limit):
        """The engine's ranked candidates for a commercial partner, or the popular list (their
        reasons as codes: only the shown ones are rendered), of the published ``run_id``."""
        self.env["ai.customer.suggestion"].flush_model()
        # COALESCE: the run's unique index (run_id, COALESCE(partner_id, 0), …) finds them;
        # the popular list is the rows without a partner.
        self.env.cr.execute(SQL(
            "SELECT product_id, reason, score, source FROM ai_customer_suggestion "
            "WHERE run_id = %s AND company_id = %s AND COALESCE(partner_id, 0) = %s "
            "ORDER BY rank, id LIMIT %s",
            run_id, self.company_id.id, partner_id or 0, limit,
        ))
        return [
            {"product_id": pid, "reason": reason, "score": score or 0.0,
             "source": source or ("popular" if not partner_id else "")}
            for pid, reason, score, source in self.env.cr.fetchall()
        ]

    def _ai_dismissed_product_ids(self):
        if not isinstance(self.id, int):
            return set()
        self.env["ai.suggestion.event"].flush_model(["order_id", "action", "product_id"])
        self.env.cr.execute(SQL(
            "SELECT product_id FROM ai_suggestion_event WHERE order_id = %s "
            "AND action = 'dismissed'", self.id,
        ))
        return {row[0] for row in self.env.cr.fetchall()}

    # ------------------------------------------------------------------------------------------
    # Actions of the "Suggested products" page
    # ------------------------------------------------------------------------------------------
    def _prepare_ai_suggestion_line_vals(self, product):
        """Values of the line a suggestion adds: only what a salesperson types, so Odoo computes
        the description, UoM, pricelist price and taxes as for a hand-made line."""
        self.ensure_one()
        return {"order_id": self.id, "product_id": product.id, "product_uom_qty": 1.0}

    def _ai_find_suggestion(self, product_id):
        self.ensure_one()
        if self.state not in SUGGESTION_STATES:
            raise UserError(self.env._("Suggestions are only offered on quotations."))
        for suggestion in self.ai_suggestions or []:
            if suggestion["product_id"] == product_id:
                return suggestion
        raise UserError(self.env._(
            "This product is not among the suggestions of %(order)s.", order=self.name
        ))

    def action_ai_add_suggestion(self, product_id, source=None, rank=None):
        """Add a suggested product as a new line and count the suggestion as accepted.

        ``source`` and ``rank`` are what the page showed; the stored suggestion's are used when
        they are missing.
        """
        suggestion = self._ai_find_suggestion(product_id)
        product = self.env["product.product"].browse(product_id)
        line = self.env["sale.order.line"].create(self._prepare_ai_suggestion_line_vals(product))
        self._ai_record_event(suggestion, "added", source, rank)
        return line.id

    def action_ai_dismiss_suggestion(self, product_id, source=None, rank=None):
        """Hide a suggestion on this quotation and count it as dismissed."""
        suggestion = self._ai_find_suggestion(product_id)
        self._ai_record_event(suggestion, "dismissed", source, rank)
        self.invalidate_recordset(["ai_suggestions"])
        return True

    def action_ai_suggestions_shown(self):
        """The page displayed the current suggestions: count them as shown (once per quote)."""
        self.ensure_one()
        if self.state in SUGGESTION_STATES and self.ai_suggestions:
            self.env["ai.suggestion.event"]._ai_record(self, self.ai_suggestions, "shown")
        return True

    def _ai_record_event(self, suggestion, action, source, rank):
        suggestion = dict(suggestion, source=source or suggestion["source"],
                          rank=rank or suggestion["rank"])
        self.env["ai.suggestion.event"]._ai_record(self, [suggestion], action)
