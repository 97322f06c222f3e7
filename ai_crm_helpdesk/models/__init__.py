from . import (  # noqa: I001
    ai_contract,  # noqa: F401
    ai_run,  # noqa: F401
    ai_ticket_similar,  # noqa: F401
    helpdesk_ticket,  # noqa: F401
    res_partner,  # noqa: F401
)
