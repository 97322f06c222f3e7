import logging

from odoo import api, models
from odoo.exceptions import AccessError, ValidationError
from odoo.tools import SQL

_logger = logging.getLogger(__name__)

AI_GROUP_ENGINE = "ai_crm.group_ai_engine"
MAX_ROWS = 10000        # per call: the engine sends batches of at most 5,000
MAX_LISTED = 50         # problems listed in one error


class AiEngineApi(models.AbstractModel):
    """The one door the AI engine writes through, for every model that holds its results.

    A model declares what the engine may send (``_ai_converters``: row key → converter raising
    ``TypeError``/``ValueError``), which keys each row needs (``_ai_required``), the task whose
    runs write it (``_ai_task``) and, in ``_ai_check_references``, which ids must exist in the
    run's company. This mixin checks the caller (engine group only), the run (running, one of
    the caller's companies, the model's task), every key and value, all or nothing, before the
    model writes. Fields named ``ai_<key>`` on a core model are written by the engine alone.
    """

    _name = "ai.engine.api"
    _description = "AI Engine Write API"

    _ai_converters = {}
    _ai_required = ()
    _ai_task = None
    # Core models keep the engine's fields apart with this prefix (helpdesk.ticket: ai_…).
    _ai_field_prefix = ""

    # ------------------------------------------------------------------------------------------
    # Who may write
    # ------------------------------------------------------------------------------------------
    @api.model
    def _ai_can_write(self):
        return self.env.su or self.env.user.has_group(AI_GROUP_ENGINE)

    @api.model
    def _ai_protected_fields(self):
        if not self._ai_field_prefix:
            return set()
        return {self._ai_field_prefix + key for key in self._ai_converters} & set(self._fields)

    def _ai_check_protected_write(self, fnames):
        protected = sorted(set(fnames) & self._ai_protected_fields())
        if protected and not self._ai_can_write():
            raise AccessError(self.env._(
                "Only the AI engine may set these fields: %(fields)s.", fields=", ".join(protected),
            ))

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._ai_check_protected_write(vals)
        return super().create(vals_list)

    def write(self, vals):
        self._ai_check_protected_write(vals)
        return super().write(vals)

    @api.model
    def _ai_check_run(self, run_id):
        """The running ``ai.run`` of this model's task that the engine writes for."""
        if not self._ai_can_write():
            raise AccessError(self.env._("Only the AI engine may write AI results."))
        return self.env["ai.run"]._ai_engine_run(run_id, ("running",), task=self._ai_task)

    # ------------------------------------------------------------------------------------------
    # What may be written
    # ------------------------------------------------------------------------------------------
    @api.model
    def _ai_convert_rows(self, rows):
        """Rows of the engine → dicts of column values; one ``ValidationError`` lists every
        problem and nothing is written. ``rows`` is a list of dicts, or the same rows as
        columns (``{key: [value per row]}``): the compact form the engine sends in bulk."""
        if isinstance(rows, dict):
            rows = self._ai_rows_from_columns(rows)
        if not isinstance(rows, (list, tuple)) or not all(isinstance(r, dict) for r in rows):
            raise ValidationError(self.env._("rows must be a list of dictionaries."))
        if len(rows) > MAX_ROWS:
            raise ValidationError(self.env._(
                "At most %(max)s rows per call, not %(n)s.", max=MAX_ROWS, n=len(rows)))
        converters = self._ai_converters
        unknown = sorted({str(key) for row in rows for key in row} - set(converters))
        if unknown:
            raise ValidationError(self.env._(
                "Unknown keys: %(keys)s. Allowed: %(allowed)s. Nothing was written.",
                keys=", ".join(unknown), allowed=", ".join(converters),
            ))
        converted, errors = [], []
        for number, row in enumerate(rows, start=1):
            missing = [key for key in self._ai_required if row.get(key) in (None, False)]
            if missing:
                errors.append(f"row {number}: missing {', '.join(missing)}")
            values = {}
            for key, value in row.items():
                try:
                    values[key] = None if value is None or value is False else \
                        converters[key](value)
                except (TypeError, ValueError) as exc:
                    errors.append(f"row {number}, {key}: {exc}")
            converted.append(values)
        self._ai_raise(errors)
        return converted

    @api.model
    def _ai_rows_from_columns(self, columns):
        """``{key: [value per row]}`` → a list of row dicts; every column as long as the others."""
        if not all(isinstance(values, list) for values in columns.values()):
            raise ValidationError(self.env._("columns must be lists of values, one per row."))
        lengths = {len(values) for values in columns.values()}
        if len(lengths) > 1:
            raise ValidationError(self.env._(
                "Columns of different lengths (%(lengths)s): nothing was written.",
                lengths=", ".join(map(str, sorted(lengths)))))
        keys = list(columns)
        return [dict(zip(keys, values, strict=True))
                for values in zip(*columns.values(), strict=True)]

    @api.model
    def _ai_check_references(self, company, values):
        """Problems with the ids the rows name (overridden by each model); a list of texts."""
        return []

    @api.model
    def _ai_missing_ids(self, model_name, ids, condition, label):
        """A problem text when some ``ids`` of ``model_name`` do not exist or fail ``condition``
        (SQL on the table itself), else None."""
        ids = sorted(set(ids) - {None})
        if not ids:
            return None
        model = self.env[model_name]
        self.env.cr.execute(SQL(
            "SELECT id FROM %s WHERE id = ANY(%s) AND %s",
            SQL.identifier(model._table), ids, condition,
        ))
        missing = sorted(set(ids) - {row[0] for row in self.env.cr.fetchall()})
        if not missing:
            return None
        listed = ", ".join(map(str, missing[:20])) + (" …" if len(missing) > 20 else "")
        return self.env._("%(what)s %(ids)s do not exist or belong to another company.",
                          what=label, ids=listed)

    @api.model
    def _ai_raise(self, errors):
        errors = [error for error in errors if error]
        if errors:
            raise ValidationError(self.env._(
                "Invalid rows, nothing was written:\n%(errors)s",
                errors="\n".join(errors[:MAX_LISTED]),
            ))

    # ------------------------------------------------------------------------------------------
    # Writing in bulk
    # ------------------------------------------------------------------------------------------
    @api.model
    def _ai_update(self, values, constants):
        """``UPDATE <table> … FROM (VALUES …)`` of the rows' ``id``, one statement per set of
        keys; values are cast to each column's type, so a key that is None in every row still
        works. ``constants``: column → value set on every row. Returns the rows updated."""
        by_keys = {}
        for row in values:
            keys = tuple(key for key in self._ai_converters if key in row and key != "id")
            by_keys.setdefault(keys, []).append(row)
        updated = 0
        for keys, group in by_keys.items():
            fnames = [self._ai_field_prefix + key for key in keys]
            self.flush_model(fnames)
            row_code = "(" + ", ".join(["%s"] * (len(keys) + 1)) + ")"
            assignments = [
                SQL("%s = v.%s::%s", SQL.identifier(f), SQL.identifier(f),
                    SQL(self._fields[f].column_type[0]))
                for f in fnames
            ] + [SQL("%s = %s", SQL.identifier(f), value) for f, value in constants.items()]
            self.env.cr.execute(SQL(
                "UPDATE %s AS t SET %s FROM (VALUES %s) AS v(%s) WHERE t.id = v.id::int4",
                SQL.identifier(self._table),
                SQL(", ").join(assignments),
                SQL(", ".join([row_code] * len(group)), *[
                    v for row in group for v in [
                        row["id"], *(self._ai_column_value(f, row.get(k))
                                     for f, k in zip(fnames, keys, strict=True))]]),
                SQL(", ").join(SQL.identifier(c) for c in ["id", *fnames]),
            ))
            updated += self.env.cr.rowcount
        self.invalidate_model()
        return updated

    @api.model
    def _ai_column_value(self, fname, value):
        """A converted value as SQL sees it (JSON wrapped, floats rounded); None stays NULL."""
        return None if value is None else self._fields[fname].convert_to_column(value, self)
