"""How many threads a run's model learning and scoring may use."""

from __future__ import annotations

import os

from ai_engine.errors import DataError

THREADS_SETTING = "AI_ENGINE_THREADS"


def threads() -> int:
    """``AI_ENGINE_THREADS`` when set, else 1. Offline, two threads on two cores learned and
    scored the suggestions of 10,000 customers about 20 % faster; against Odoo on a 2-core
    virtual machine whose host was busy the task was slower than on one thread (a single
    paired run each), so more threads are a choice per machine, not the default. Several
    workers on one machine should share its cores out (OpenMP threads that outnumber the
    cores spin against each other)."""
    value = os.environ.get(THREADS_SETTING, "").strip()
    if not value:
        return 1
    try:
        count = int(value)
    except ValueError:
        count = 0
    if count < 1:
        raise DataError(f"{THREADS_SETTING} must be a whole number of threads from 1 "
                        f"(got {value!r}).")
    return count
