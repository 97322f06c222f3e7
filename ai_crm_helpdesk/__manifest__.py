{  # noqa: B018 (an Odoo manifest is a bare dict)
    "name": "AI CRM Insights for Helpdesk",
    "summary": "Sentiment, escalation, a suggested category and a suggested reply on OCA "
    "helpdesk tickets, and the customer's recent ticket mood on contacts (AI CRM engine)",
    "version": "18.0.1.0.0",
    "category": "After-Sales",
    "license": "AGPL-3",
    "author": "ai_crm contributors",
    "website": "https://example.com/ai_crm",
    "maintainers": ["ai-crm"],
    "development_status": "Alpha",
    "depends": ["ai_crm", "helpdesk_mgmt"],
    "data": [
        "security/ai_crm_helpdesk_security.xml",
        "security/ir.model.access.csv",
        "data/ir_cron.xml",
        "views/helpdesk_ticket_views.xml",
        "views/res_partner_views.xml",
    ],
    "auto_install": True,
}
