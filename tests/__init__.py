from . import (  # the module's Odoo tests
    test_access_rights,  # noqa: F401
    test_ai_run_queue,  # noqa: F401
    test_customer_value,  # noqa: F401
    test_insight_snapshots,  # noqa: F401
    test_partner_insights,  # noqa: F401
    test_profiling_objection,  # noqa: F401
    test_quote_suggestions,  # noqa: F401
    test_retention,  # noqa: F401
    test_sales_extract,  # noqa: F401
    test_translations,  # noqa: F401
)
