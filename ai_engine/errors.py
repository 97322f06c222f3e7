"""Errors the engine raises on purpose; anything else is a bug.

The CLI turns these into one readable line, so messages are written for the person running the
command, not for a programmer.
"""


class AiEngineError(Exception):
    """Base of every error the engine raises deliberately."""


class DataError(AiEngineError, ValueError):
    """The input data cannot be used as given; the message says which column/rows and why."""
