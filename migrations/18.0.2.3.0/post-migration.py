"""18.0.2.3: suggestions and product affinities are published by run: the company's last done
suggestions run is the published one, readers look its rows up by run, and publishing no
longer rewrites every row to set ``active`` (now computed). The stored column goes, and with it
the partial lookup index on active rows (Odoo keeps both when a field stops being stored).
The rows published before are those of that last done run already: nothing to move."""

TABLES = ("ai_customer_suggestion", "ai_product_affinity")


def migrate(cr, version):
    if not version:
        return
    for table in TABLES:
        cr.execute(f"DROP INDEX IF EXISTS {table}_lookup_idx")  # noqa: S608 (fixed names)
        cr.execute(f"ALTER TABLE {table} DROP COLUMN IF EXISTS active")  # noqa: S608
