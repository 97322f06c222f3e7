from . import (
    models,  # noqa: F401
    wizards,  # noqa: F401
)
