{  # noqa: B018 (an Odoo manifest is a bare dict)
    "name": "AI CRM Insights",
    "summary": "Customer RFM segments, churn risk with reasons and 12-month value on contacts "
    "and product suggestions on quotations, computed by a sidecar ML engine (helpdesk tickets: "
    "ai_crm_helpdesk)",
    "version": "18.0.2.3.0",
    "category": "Sales/Sales",
    "license": "AGPL-3",
    "author": "ai_crm contributors",
    "website": "https://example.com/ai_crm",
    "maintainers": ["ai-crm"],
    "development_status": "Alpha",
    "depends": ["sale", "contacts"],
    "data": [
        "security/ai_crm_security.xml",
        "security/ir.model.access.csv",
        "data/ai_segment_data.xml",
        "data/ir_cron.xml",
        "data/mail_activity_type_data.xml",
        "views/ai_segment_views.xml",
        "views/ai_run_views.xml",
        "views/res_partner_views.xml",
        "views/sale_order_views.xml",
        "views/ai_partner_insight_views.xml",
        "views/ai_suggestion_views.xml",
        "views/res_config_settings_views.xml",
        "views/ai_retention_wave_views.xml",
        "views/menus.xml",
    ],
    "assets": {
        "web.assets_backend": [
            "ai_crm/static/src/**/*",
        ],
    },
    "application": True,
}
