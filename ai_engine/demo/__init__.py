"""``ai-engine demo`` and ``ai-engine seed-odoo``: generated histories, scored, analysed and
reported, or written into an Odoo database."""
