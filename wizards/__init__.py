from . import base_partner_merge_automatic_wizard  # noqa: F401
