"""What a full insights run leaves for the runs of changed customers that follow it: the fitted
models and the population they scored, on the worker's own disk.

A run of the changed customers (``scope: changes``) scores only the customers whose orders
changed, with these models, among this population (RFM quintiles, value bands), so that it
takes seconds instead of a full run's minutes. A worker without a state of the company, or with
one older than ``MAX_AGE_DAYS`` or learned with other settings, makes a full run instead: the
state is a cache, never the only copy of anything (the results live in Odoo). It is the
engine's own pickle, in a directory only the engine's user writes (``AI_ENGINE_STATE_DIR``,
else the systemd unit's cache directory, else ``~/.cache/ai-engine``).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import joblib
import pandas as pd

from ai_engine.insights.scoring import CustomerScorer
from ai_engine.models.clusters import BehaviourClusters

MAX_AGE_DAYS = 7    # older models: the run of changed customers becomes a full run
FORMAT = 1          # bumped when what is saved changes; another format is not read


@dataclass
class InsightsState:
    as_of: pd.Timestamp
    settings: dict            # the run's settings the models were learned with
    scorer: CustomerScorer
    clusters: BehaviourClusters
    population: pd.DataFrame  # customer_summary of every customer scored (index customer_id)
    clv_12m: pd.Series        # each of them's 12-month value (the value bands' population)
    metrics: dict             # the full run's metrics: back-tests, serving, horizon
    format: int = FORMAT


def settings_of(params: dict) -> dict:
    """The settings that change what the models learn (a change calls for a full run)."""
    return {"horizon_days": params.get("horizon_days") or None,
            "min_repeat_customers": params.get("min_repeat_customers") or 50}


def state_path(url: str, db: str, company_id: int) -> Path:
    # CACHE_DIRECTORY: what systemd gives a unit with CacheDirectory= (deploy/).
    root = Path(os.environ.get("AI_ENGINE_STATE_DIR") or os.environ.get("CACHE_DIRECTORY")
                or Path.home() / ".cache" / "ai-engine")
    database = hashlib.sha256(f"{url}|{db}".encode()).hexdigest()[:16]
    return root / database / f"insights-company-{company_id}.joblib"


def save(path: Path, state: InsightsState) -> None:
    """Written whole or not at all: a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".tmp", delete=False) as tmp:
        joblib.dump(state, tmp)
    os.replace(tmp.name, path)


def load(path: Path, params: dict, today) -> tuple[InsightsState | None, str]:
    """(the saved state, "") when it serves a run of changed customers ``today`` with
    ``params``; else (None, why not)."""
    if not path.exists():
        return None, "no models of a full run on this worker"
    try:
        state = joblib.load(path)
    except Exception as exc:  # a cache: unreadable means a full run, never a failed one
        return None, f"the saved models could not be read ({exc.__class__.__name__})"
    if getattr(state, "format", None) != FORMAT:
        return None, "the saved models are of another engine version"
    age = (pd.Timestamp(today).normalize() - state.as_of).days
    if not 0 <= age <= MAX_AGE_DAYS:
        return None, f"the saved models are {age} days old (more than {MAX_AGE_DAYS})"
    if state.settings != settings_of(params):
        return None, "the settings changed since the models were learned"
    return state, ""
