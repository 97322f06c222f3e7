# The Odoo models of the module, registered on import; the mixins first, as others inherit them.
from . import (  # noqa: I001
    ai_engine_api,  # noqa: F401
    ai_engine_snapshot,  # noqa: F401
    ai_customer_suggestion,  # noqa: F401
    ai_partner_insight,  # noqa: F401
    ai_product_affinity,  # noqa: F401
    ai_run,  # noqa: F401
    ai_segment,  # noqa: F401
    ai_suggestion_event,  # noqa: F401
    res_company,  # noqa: F401
    res_config_settings,  # noqa: F401
    res_partner,  # noqa: F401
    res_users,  # noqa: F401
    sale_order,  # noqa: F401
    sale_order_line,  # noqa: F401
    ai_retention_wave,  # noqa: F401
    ai_retention_wave_member,  # noqa: F401
)
