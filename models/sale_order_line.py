import contextlib

from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError
from odoo.tools import SQL

from . import ai_contract
from .ai_engine_api import AI_GROUP_ENGINE

SALES_PAGE = 50000        # lines per call when the engine does not say
SALES_PAGE_MAX = 200000   # at most, per call: about 10 MB of JSON


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    # ------------------------------------------------------------------------------------------
    # The engine's fast read of a company's sales history
    # ------------------------------------------------------------------------------------------
    @api.model
    def _ai_sales_domain(self, company_id, after_id, changed_since=None, before_id=None):
        """The lines the engine learns from: confirmed, of the company, not a section or note;
        with ``changed_since``, only those of customers with an order of the company created,
        edited, confirmed or cancelled since then (all their lines, for their whole history)."""
        domain = [("company_id", "=", company_id), ("state", "=", "sale"),
                  ("display_type", "=", False), ("id", ">", after_id)]
        if before_id is not None:
            domain.append(("id", "<", before_id))
        if changed_since is not None:
            changed = self.env["sale.order"].search([("company_id", "=", company_id),
                                                     ("write_date", ">=", changed_since)])
            domain.append(("order_partner_id.commercial_partner_id", "in",
                           changed.partner_id.commercial_partner_id.ids))
        return domain

    @api.model
    def _ai_changed_since(self, value):
        """``changed_since`` as a datetime; None: the whole history."""
        if value is None or value is False:
            return None
        parsed = None
        if isinstance(value, str):
            with contextlib.suppress(ValueError):  # refused below, with the value named
                parsed = fields.Datetime.to_datetime(value)
        if parsed is None:
            raise ValidationError(self.env._(
                "changed_since must be a date and time like 2026-12-07 06:00:00, not "
                "%(value)r.", value=value))
        return parsed

    @api.model
    def _ai_check_sales_args(self, company_id, after_id, limit, before_id=None):
        if not (self.env.su or self.env.user.has_group(AI_GROUP_ENGINE)):
            raise AccessError(self.env._("Only the AI engine may read the sales history."))
        if not isinstance(company_id, int) or isinstance(company_id, bool) or (
                not self.env.su and company_id not in self.env.user.company_ids.ids):
            raise AccessError(self.env._("Company %(company)s is not one of your companies.",
                                         company=company_id))
        if not isinstance(after_id, int) or isinstance(after_id, bool) or after_id < 0:
            raise ValidationError(self.env._(
                "after_id must be a whole number, 0 or more (the last line id of the previous "
                "page), not %(value)r.", value=after_id))
        if before_id is not None and (not isinstance(before_id, int)
                                      or isinstance(before_id, bool) or before_id <= after_id):
            raise ValidationError(self.env._(
                "before_id must be a whole number above after_id (the first line id past the "
                "range read), or empty for no bound, not %(value)r.", value=before_id))
        if not isinstance(limit, int) or isinstance(limit, bool) \
                or not 1 <= limit <= SALES_PAGE_MAX:
            raise ValidationError(self.env._(
                "limit must be a whole number from 1 to %(max)s, not %(value)r.",
                max=SALES_PAGE_MAX, value=limit))

    @api.model
    def ai_read_sales(self, company_id, after_id=0, limit=SALES_PAGE, changed_since=None,
                      before_id=None):
        """One page of the company's sales history as columns, for the AI engine.

        ``changed_since`` (``"YYYY-MM-DD HH:MM:SS"``, UTC): only the history of the customers
        whose orders changed since then, for a run that refreshes those customers alone.
        ``before_id``: only lines below that id, so that a reader can page through ranges of
        ids side by side (each range keyset-paged from its ``after_id``).

        The page is the first ``limit`` confirmed order lines of ``company_id`` after line
        ``after_id`` (keyset paging by line id), sections and notes left out; of those, lines
        whose commercial customer objected to profiling are dropped. The answer is
        ``{"columns": [...], "data": {column: "v1,v2,…"}, "next_after_id": id or None on the
        last page}`` with the columns of ``ai_contract.SALES_COLUMNS``; each column is one
        text, its values separated by commas (an empty value: no product), the n-th value of
        every column from the same line (none is ever skipped: a null is written empty), lines
        in no particular order (sorting them here
        would cost the database more than it costs the reader). Amounts are the subtotal
        divided by the order's currency rate (company currency); numbers are written so that
        they read back exactly.

        Why text: Odoo's RPC layer visits every value of an answer in Python
        (``odoo.service.model.execute``), about 5 µs each; 100,000 lines of 7 values as lists
        cost seconds there, as 7 texts nothing, and the database writes the texts itself.

        Why SQL is safe here: the caller is checked (engine group), the company is one of the
        caller's, and the page of line ids is chosen by ``_search`` as the caller, so access
        rights and record rules on ``sale.order.line`` hold exactly as for ``search_read``.
        The lines' orders are theirs (the line's company is its order's, a stored related
        field); the partner table is read only for the order's commercial customer id and its
        objection, as ``read`` of those two fields would.
        """
        self._ai_check_sales_args(company_id, after_id, limit, before_id)
        since = self._ai_changed_since(changed_since)
        lines = self.with_company(company_id)
        lines.check_access("read")
        self.env["sale.order"].check_access("read")
        self.env["res.partner"].check_access("read")
        for model, fnames in (("sale.order.line", ["order_id", "product_id", "product_uom_qty",
                                                   "price_subtotal", "display_type", "state",
                                                   "company_id"]),
                              ("sale.order", ["partner_id", "date_order", "currency_rate"]),
                              ("res.partner", ["commercial_partner_id",
                                               "ai_exclude_profiling"])):
            self.env[model].flush_model(fnames)
        page = lines._search(self._ai_sales_domain(company_id, after_id, since, before_id),
                             order="id", limit=limit)
        # The page carries the line's own columns, so the line table is read once, by its
        # primary key; only the page's range of orders is read (by primary key too: a page's
        # lines belong to neighbouring orders), not every order of the database.
        self.env.cr.execute(SQL(
            """
            WITH page AS MATERIALIZED (%(page)s)
            SELECT (SELECT max(id) FROM page), (SELECT count(*) FROM page),
                   string_agg(l.id::text, ','), string_agg(l.order_id::text, ','),
                   string_agg(p.commercial_partner_id::text, ','),
                   string_agg(COALESCE(to_char(o.date_order, 'YYYY-MM-DD'), ''), ','),
                   string_agg(COALESCE(l.product_id::text, ''), ','),
                   string_agg(COALESCE(l.product_uom_qty, 0)::float8::text, ','),
                   string_agg((COALESCE(l.price_subtotal, 0)::float8
                               / CASE WHEN o.currency_rate > 0 THEN o.currency_rate::float8
                                      ELSE 1.0 END)::text, ',')
              FROM page AS l
              JOIN sale_order o ON o.id = l.order_id
                   AND o.id BETWEEN (SELECT min(order_id) FROM page)
                                AND (SELECT max(order_id) FROM page)
              JOIN res_partner p ON p.id = o.partner_id
              JOIN res_partner c ON c.id = p.commercial_partner_id
             WHERE c.ai_exclude_profiling IS NOT TRUE
            """,
            page=page.select(*(SQL.identifier(page.table, fname) for fname in (
                "id", "order_id", "product_id", "product_uom_qty", "price_subtotal"))),
        ))
        last_id, count, *columns = self.env.cr.fetchone()
        return {
            "columns": list(ai_contract.SALES_COLUMNS),
            "data": {name: values or "" for name, values in
                     zip(ai_contract.SALES_COLUMNS, columns, strict=True)},
            "next_after_id": last_id if count == limit else None,
        }
