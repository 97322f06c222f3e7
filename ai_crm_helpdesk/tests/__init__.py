from . import test_helpdesk_insights  # noqa: F401
