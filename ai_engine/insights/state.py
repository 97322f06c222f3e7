"""What a full insights run leaves for the runs of changed customers that follow it: the fitted
models and the population they scored (kept by ``ai_engine.model_cache``).

A run of the changed customers (``scope: changes``) scores only the customers whose orders
changed, with these models, among this population (RFM quintiles, value bands), so that it
takes seconds instead of a full run's minutes. A state older than ``MAX_AGE_DAYS`` or learned
with other settings does not serve: the run is then a full one.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ai_engine import model_cache
from ai_engine.insights.scoring import CustomerScorer
from ai_engine.models.clusters import BehaviourClusters

MAX_AGE_DAYS = 7    # older models: the run of changed customers becomes a full run


@dataclass
class InsightsState:
    as_of: pd.Timestamp
    settings: dict            # the run's settings the models were learned with
    scorer: CustomerScorer
    clusters: BehaviourClusters
    population: pd.DataFrame  # customer_summary of every customer scored (index customer_id)
    clv_12m: pd.Series        # each of them's 12-month value (the value bands' population)
    metrics: dict             # the full run's metrics: back-tests, serving, horizon


def settings_of(params: dict) -> dict:
    """The settings that change what the models learn (a change calls for a full run)."""
    return {"horizon_days": params.get("horizon_days") or None,
            "min_repeat_customers": params.get("min_repeat_customers") or 50}


def load(path: Path, params: dict, today) -> tuple[InsightsState | None, str]:
    """(the saved state, "") when it serves a run of changed customers ``today`` with
    ``params``; else (None, why not)."""
    state, why = model_cache.load(path)
    if state is None:
        return None, why
    age = (pd.Timestamp(today).normalize() - state.as_of).days
    if not 0 <= age <= MAX_AGE_DAYS:
        return None, f"the saved models are {age} days old (more than {MAX_AGE_DAYS})"
    if state.settings != settings_of(params):
        return None, "the settings changed since the models were learned"
    return state, ""
