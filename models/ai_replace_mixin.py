import logging

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL, create_index

from . import ai_values

_logger = logging.getLogger(__name__)

INSERT_BATCH = 1000


class AiReplaceMixin(models.AbstractModel):
    """Tables of engine results that the engine replaces wholesale, key by key.

    A concrete model says which column its rows are grouped by (``_ai_replace_key``), how each
    row key is checked (``_ai_replace_converters``) and which keys are required; the engine then
    calls one public method that, in one transaction, deletes the company's rows for the given
    keys and bulk-inserts the new ones (multi-row ``INSERT``, not ORM ``create``).
    """

    _name = "ai.replace.mixin"
    _description = "AI Engine Results Replaced in Bulk"

    # Row key → converter raising TypeError/ValueError; overridden by each model.
    _ai_replace_converters = {}
    _ai_replace_required = ()
    _ai_replace_key = None
    _ai_replace_index = ()

    company_id = fields.Many2one("res.company", required=True, readonly=True, ondelete="cascade")
    product_id = fields.Many2one(
        "product.product", required=True, readonly=True, ondelete="cascade"
    )
    rank = fields.Integer(readonly=True, help="1 is the best.")
    score = fields.Float(readonly=True, digits=(16, 4))

    def init(self):
        if self._abstract or not self._ai_replace_index:
            return
        create_index(
            self.env.cr, f"{self._table}_{'_'.join(self._ai_replace_index)}_idx", self._table,
            list(self._ai_replace_index),
        )

    @api.model
    def _ai_replace(self, company_id, keys, rows):
        """Delete the company's rows whose ``_ai_replace_key`` is in ``keys``, insert ``rows``.

        All or nothing: any invalid key, value or id raises before anything is written.

        :return: ``{"written": n}``
        """
        Partner = self.env["res.partner"]
        company = Partner._ai_check_engine_call(company_id)
        if not isinstance(keys, (list, tuple)):
            # The argument's name is built outside _(): babel evaluates f-strings inside it.
            argument = self._ai_replace_key + "s"
            raise ValidationError(self.env._("%(key)s must be a list.", key=argument))
        if not isinstance(rows, (list, tuple)) or not all(isinstance(r, dict) for r in rows):
            raise ValidationError(self.env._("rows must be a list of dictionaries."))
        converters = self._ai_replace_converters
        unknown = sorted({str(key) for row in rows for key in row} - set(converters))
        if unknown:
            raise ValidationError(self.env._(
                "Unknown keys: %(keys)s. Allowed: %(allowed)s. Nothing was written.",
                keys=", ".join(unknown), allowed=", ".join(converters),
            ))
        keys = self._ai_convert_keys(keys)
        values, errors = [], []
        for number, row in enumerate(rows, start=1):
            missing = [key for key in self._ai_replace_required if key not in row]
            if missing:
                errors.append(f"row {number}: missing {', '.join(missing)}")
                continue
            converted = {}
            for key, convert in converters.items():
                value = row.get(key)
                try:
                    converted[key] = None if value is None else convert(value)
                except (TypeError, ValueError) as exc:
                    errors.append(f"row {number}, {key}: {exc}")
            if converted.get(self._ai_replace_key) not in keys:
                errors.append(f"row {number}: {self._ai_replace_key} "
                              f"{row.get(self._ai_replace_key)!r} is not among the replaced keys")
            values.append(converted)
        if errors:
            raise ValidationError(self.env._(
                "Invalid rows, nothing was written:\n%(errors)s", errors="\n".join(errors[:50])
            ))
        self._ai_check_references(company, keys, values)
        self._ai_delete_rows(company, keys)
        written = self._ai_insert_rows(company, values)
        _logger.info("%s: %d rows of company %d replaced for %d keys",
                     self._name, written, company.id, len(keys))
        return {"written": written}

    @api.model
    def _ai_convert_keys(self, keys):
        try:
            return {ai_values.optional_record_id(key) for key in keys}
        except ValueError as exc:
            raise ValidationError(self.env._("Invalid %(key)s: %(error)s",
                                             key=self._ai_replace_key, error=exc)) from exc

    @api.model
    def _ai_check_references(self, company, keys, values):
        """Every product id must exist and be shared or of ``company``; raise otherwise."""
        product_ids = {
            row[name] for row in values for name in self._ai_product_keys() if row.get(name)
        }
        if self._ai_replace_key in self._ai_product_keys():
            product_ids |= keys - {None}
        if not product_ids:
            return
        self.env["product.product"].flush_model(["product_tmpl_id"])
        self.env["product.template"].flush_model(["company_id"])
        self.env.cr.execute(SQL(
            "SELECT pp.id, pt.company_id FROM product_product pp "
            "JOIN product_template pt ON pt.id = pp.product_tmpl_id WHERE pp.id = ANY(%s)",
            sorted(product_ids),
        ))
        found = dict(self.env.cr.fetchall())
        Partner = self.env["res.partner"]
        missing = sorted(product_ids - set(found))
        other = sorted(pid for pid, cid in found.items() if cid and cid != company.id)
        lines = []
        if missing:
            lines.append(self.env._("Products %(ids)s do not exist.",
                                    ids=Partner._ai_list_ids(missing)))
        if other:
            lines.append(self.env._("Products %(ids)s belong to another company than %(company)s.",
                                    ids=Partner._ai_list_ids(other), company=company.name))
        if lines:
            raise ValidationError("\n".join([self.env._("Nothing was written."), *lines]))

    @api.model
    def _ai_product_keys(self):
        return [key for key in self._ai_replace_converters if key.endswith("product_id")]

    @api.model
    def _ai_delete_rows(self, company, keys):
        self.flush_model()
        column = SQL.identifier(self._ai_replace_key)
        ids = sorted(key for key in keys if key)
        self.env.cr.execute(SQL(
            "DELETE FROM %s WHERE company_id = %s AND (%s = ANY(%s) OR (%s AND %s IS NULL))",
            SQL.identifier(self._table), company.id, column, ids, None in keys, column,
        ))

    @api.model
    def _ai_insert_rows(self, company, values):
        """Multi-row ``INSERT``s of converted rows, ``INSERT_BATCH`` rows per statement."""
        if values:
            columns = ["company_id", *self._ai_replace_converters,
                       "create_uid", "create_date", "write_uid", "write_date"]
            now = fields.Datetime.now()
            constants = [self.env.uid, now, self.env.uid, now]
            row_code = "(" + ", ".join(["%s"] * len(columns)) + ")"
            for start in range(0, len(values), INSERT_BATCH):
                batch = values[start:start + INSERT_BATCH]
                flat = [v for row in batch for v in [company.id, *row.values(), *constants]]
                self.env.cr.execute(SQL(
                    "INSERT INTO %s (%s) VALUES %s",
                    SQL.identifier(self._table),
                    SQL(", ").join(SQL.identifier(c) for c in columns),
                    SQL(", ".join([row_code] * len(batch)), *flat),
                ))
        self.invalidate_model()
        return len(values)

