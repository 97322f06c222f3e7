import json
import logging
from collections import Counter

from odoo import api, fields, models
from odoo.tools import SQL
from odoo.tools.sql import create_index, create_unique_index

_logger = logging.getLogger(__name__)

INSERT_BATCH = 5000


def _json_column_value(value):
    """What ``json.dumps`` cannot write itself: dates."""
    return value.isoformat()


class AiEngineSnapshot(models.AbstractModel):
    """Results the engine replaces as a whole per company and run: one snapshot per task.

    A run stages its rows (``ai_write``, any number of batches, each all or nothing) as
    inactive rows of that run; when the engine reports the run done, ``ai.run.ai_finish``
    publishes them in the same transaction: the company's previous rows go and the new ones
    become active. Whatever a run did not produce is retired that way, readers never see half a
    snapshot, and a failed run leaves the previous results untouched. Rows of a partner who
    objects to profiling are deleted at once (``_ai_forget_partners``) and never staged again.
    """

    _name = "ai.engine.snapshot"
    _inherit = ["ai.engine.api"]
    _description = "AI Engine Results Replaced per Run"

    # The field naming the customer a row is about, for models that hold personal results.
    _ai_partner_field = None
    # Keys that identify a row within a run (checked before they reach a unique index).
    _ai_unique = ()
    # Columns readers look the published rows up by (a partial index on active rows).
    _ai_lookup_index = ()
    # Published by pointing at the run rather than by flagging its rows: the company's last done
    # run of the task is the published one (``_ai_published_run_ids``), ``active`` is computed
    # from it, and readers look rows up by run. For the millions of suggestion rows a night,
    # setting ``active`` rewrote every row and its index entries: 29 of the 31 s a publish of
    # 2.1 M rows took, against 2 s to delete the previous run's rows.
    _ai_published_by_run = False

    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True,
                                 ondelete="cascade")
    # No index of its own: every snapshot's unique index starts with run_id (``init``), and
    # each index more costs every one of the millions of rows a run stages.
    run_id = fields.Many2one("ai.run", readonly=True, ondelete="set null")
    active = fields.Boolean(
        default=False, readonly=True,
        help="Published: the results of the company's last successful run.",
    )

    def init(self):
        if self._abstract:
            return
        if self._ai_published_by_run and self._ai_lookup_index:
            raise ValueError(f"{self._name}: rows published by run are looked up by run")
        if self._ai_lookup_index:
            create_index(self.env.cr, f"{self._table}_lookup_idx", self._table,
                         list(self._ai_lookup_index), where="active")
        if self._ai_unique:
            # COALESCE: the popular list's rows have no partner and must be unique too.
            create_unique_index(self.env.cr, f"{self._table}_run_unique_idx", self._table,
                                ["run_id", *(f"COALESCE({key}, 0)" for key in self._ai_unique)])
        else:  # publish and discard still find a run's rows by run
            create_index(self.env.cr, f"{self._table}_run_idx", self._table, ["run_id"])

    @api.model
    def ai_write(self, run_id, rows):
        """Stage ``rows`` for the running ``run_id``, all or nothing.

        :param int run_id: the run the engine claimed (``ai.run.ai_claim_next``).
        :param list rows: dicts whose keys are this model's field names (``_ai_converters``).
        :return: ``{"written": n, "skipped_excluded": k}``; rows of customers excluded from
            profiling are skipped, not written.
        """
        run = self._ai_check_run(run_id)
        values = self._ai_convert_rows(rows)
        self._ai_raise(self._ai_check_unique(run, values)
                       + self._ai_check_references(run.company_id, values))
        kept = self._ai_drop_excluded(values)
        written = self._ai_insert(run, kept)
        _logger.info("%s: %d rows staged for run %d (%d excluded)", self._name, written, run.id,
                     len(values) - len(kept))
        return {"written": written, "skipped_excluded": len(values) - len(kept)}

    @api.model
    def _ai_check_unique(self, run, values):
        if not self._ai_unique:
            return []
        keys = Counter(tuple(row.get(k) or 0 for k in self._ai_unique) for row in values)
        errors = [self.env._("Rows %(keys)s are sent twice.", keys=key)
                  for key, n in keys.items() if n > 1]
        # Only this batch's keys are looked up (the unique index's expressions): a run stages
        # hundreds of batches, and reading back all it staged before each one grew quadratic.
        self.flush_model()
        names = [SQL.identifier(f"k{n}") for n in range(len(self._ai_unique))]
        self.env.cr.execute(SQL(
            "SELECT %(names)s FROM unnest(%(arrays)s) AS k(%(names)s) WHERE EXISTS ("
            " SELECT 1 FROM %(table)s t WHERE t.run_id = %(run)s AND %(match)s)",
            names=SQL(", ").join(names),
            arrays=SQL(", ").join(SQL("%s::int4[]", [key[n] for key in keys])
                                  for n in range(len(self._ai_unique))),
            table=SQL.identifier(self._table), run=run.id,
            match=SQL(" AND ").join(SQL("COALESCE(t.%s, 0) = k.%s", SQL.identifier(column), name)
                                    for column, name in zip(self._ai_unique, names, strict=True)),
        ))
        staged = sorted(map(tuple, self.env.cr.fetchall()))
        errors += [self.env._("Rows %(keys)s were written earlier in this run.", keys=key)
                   for key in staged[:20]]
        return errors

    @api.model
    def _ai_drop_excluded(self, values):
        if not self._ai_partner_field:
            return values
        partner_ids = {row.get(self._ai_partner_field) for row in values} - {None}
        excluded = set(self.env["res.partner"]._ai_excluded_ids(partner_ids))
        return [row for row in values if row.get(self._ai_partner_field) not in excluded]

    @api.model
    def _ai_insert(self, run, values):
        """Converted rows as inactive rows of ``run``: one ``INSERT … SELECT`` per batch from
        ``json_populate_recordset``, which PostgreSQL parses into the table's own row type
        (about twice as fast as a multi-row ``VALUES`` of one parameter per value)."""
        if not values:
            return 0
        keys = list(self._ai_converters)
        # The statement's columns and values are the same for every batch: built once.
        columns = SQL(", ").join(SQL.identifier(k) for k in keys)
        staged = SQL(", ").join(self._ai_staged_value(k) for k in keys)
        if not self._ai_published_by_run:  # staged rows wait inactive
            columns, staged = SQL("active, %s", columns), SQL("FALSE, %s", staged)
        if self._log_access:
            columns = SQL("%s, create_uid, create_date, write_uid, write_date", columns)
            staged = SQL("%(staged)s, %(uid)s, %(now)s, %(uid)s, %(now)s", staged=staged,
                         uid=self.env.uid, now=fields.Datetime.now())
        for start in range(0, len(values), INSERT_BATCH):
            payload = json.dumps(values[start:start + INSERT_BATCH], default=_json_column_value)
            self.env.cr.execute(SQL(
                "INSERT INTO %(table)s (company_id, run_id, %(columns)s)"
                " SELECT %(company)s, %(run)s, %(staged)s"
                " FROM json_populate_recordset(NULL::%(table)s, %(payload)s) AS v",
                table=SQL.identifier(self._table), columns=columns, staged=staged,
                company=run.company_id.id, run=run.id, payload=payload,
            ))
        self.invalidate_model()
        return len(values)

    @api.model
    def _ai_staged_value(self, key):
        """Column ``key`` of a JSON row as stored: the converters made every value its column's
        type already; a float with digits is rounded as Odoo rounds it (half away from zero),
        by PostgreSQL rather than value by value in Python (a tenth of the write's time)."""
        field = self._fields[key]
        digits = field.type == "float" and field.get_digits(self.env)
        if digits:
            return SQL("round(%s, %s)", SQL.identifier("v", key), digits[1])
        return SQL.identifier("v", key)

    # ------------------------------------------------------------------------------------------
    # The run's end (called by ai.run) and objections
    # ------------------------------------------------------------------------------------------
    @api.model
    def _ai_publish(self, run):
        """The run's rows replace the company's previous ones, in the caller's transaction;
        a run of the changed customers replaces only the rows of the customers it wrote."""
        self.flush_model()
        table = SQL.identifier(self._table)
        only_written = SQL()
        if run.scope == "changes" and self._ai_partner_field:
            partner = SQL.identifier(self._ai_partner_field)
            only_written = SQL(" AND %s IN (SELECT %s FROM %s WHERE run_id = %s)",
                               partner, partner, table, run.id)
        self.env.cr.execute(SQL(
            "DELETE FROM %s WHERE company_id = %s AND run_id IS DISTINCT FROM %s%s",
            table, run.company_id.id, run.id, only_written,
        ))
        retired = self.env.cr.rowcount
        if self._ai_published_by_run:  # the run becomes the published one by being done
            self.env.cr.execute(SQL("SELECT count(*) FROM %s WHERE run_id = %s", table, run.id))
            published = self.env.cr.fetchone()[0]
        else:
            self.env.cr.execute(SQL("UPDATE %s SET active = TRUE WHERE run_id = %s",
                                    table, run.id))
            published = self.env.cr.rowcount
        self._ai_invalidate()
        return {"published": published, "retired": retired}

    @api.model
    def _ai_discard(self, run):
        """A failed or stopped run's staged rows go; the published ones stay."""
        self.flush_model()
        # A run published by being done is never discarded (only pending runs are).
        staged = SQL() if self._ai_published_by_run else SQL(" AND active IS NOT TRUE")
        self.env.cr.execute(SQL("DELETE FROM %s WHERE run_id = %s%s",
                                SQL.identifier(self._table), run.id, staged))
        self._ai_invalidate()

    @api.model
    def _ai_published_run_ids(self, company_ids=None):
        """Per company (of ``company_ids``, default all), the last done run of this model's
        task: for models published by run, the run whose rows are the published ones."""
        Run = self.env["ai.run"]
        Run.flush_model(["company_id", "task", "state", "finished_at"])
        companies = SQL(" AND company_id = ANY(%s)", list(company_ids)) \
            if company_ids is not None else SQL()
        self.env.cr.execute(SQL(
            "SELECT DISTINCT ON (company_id) id FROM %s WHERE task = %s AND state = 'done'%s"
            " ORDER BY company_id, finished_at DESC NULLS LAST, id DESC",
            SQL.identifier(Run._table), self._ai_task, companies))
        return [row[0] for row in self.env.cr.fetchall()]

    @api.depends("run_id", "run_id.state")
    def _compute_published(self):
        published = set(self._ai_published_run_ids(self.company_id.ids))
        for row in self:
            row.active = row.run_id.id in published

    def _search_published(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, (bool, int)):
            return NotImplemented
        positive = (operator == "=") == bool(value)
        return [("run_id", "in" if positive else "not in", self._ai_published_run_ids())]

    @api.model
    def _ai_forget_partners(self, partner_ids):
        """Delete every row about these customers, published or staged, in every company."""
        if not self._ai_partner_field or not partner_ids:
            return 0
        self.flush_model()
        self.env.cr.execute(SQL(
            "DELETE FROM %s WHERE %s = ANY(%s)", SQL.identifier(self._table),
            SQL.identifier(self._ai_partner_field), list(partner_ids),
        ))
        forgotten = self.env.cr.rowcount
        self._ai_invalidate()
        return forgotten

    @api.model
    def _ai_invalidate(self):
        """Rows changed in SQL: forget them, and what partners show of them."""
        self.invalidate_model()
        self.env["res.partner"].invalidate_model()

    @api.model
    def _ai_snapshot_models(self, task=None):
        """Every concrete snapshot model (of ``task``)."""
        names = self.env.registry.descendants(["ai.engine.snapshot"], "_inherit")
        return [self.env[name] for name in names
                if not self.env[name]._abstract
                and (task is None or self.env[name]._ai_task == task)]
