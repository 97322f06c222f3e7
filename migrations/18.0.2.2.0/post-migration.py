"""18.0.2.2: suggestions and product affinities no longer keep Odoo's log columns (the run
says who wrote a row and when): their columns go, and with them two foreign keys PostgreSQL
checked on every staged row. The snapshots' run_id index goes too (the field lost index=True,
which Odoo does not undo itself): their unique index, which starts with run_id, serves."""

LOG_COLUMNS = ("create_uid", "create_date", "write_uid", "write_date")
SNAPSHOT_TABLES = ("ai_customer_suggestion", "ai_product_affinity", "ai_partner_insight")


def migrate(cr, version):
    if not version:
        return
    for table in ("ai_customer_suggestion", "ai_product_affinity"):
        cr.execute(f"ALTER TABLE {table} "  # noqa: S608 (fixed names)
                   + ", ".join(f"DROP COLUMN IF EXISTS {column}" for column in LOG_COLUMNS))
    for table in SNAPSHOT_TABLES:
        cr.execute(f"DROP INDEX IF EXISTS {table}__run_id_index")
