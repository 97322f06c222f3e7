"""ai_crm sidecar engine: learns from Odoo sales history outside the Odoo server."""

__version__ = "0.1.0"
