"""Models a full run leaves on the worker's disk for the quick runs that follow it (contact
insights of changed customers, the hourly helpdesk run): a cache, never the only copy of a
result (results live in Odoo), so a worker without it (another machine, a lost file, another
engine version) simply makes a full run.

Each file is the engine's own pickle, in a directory only the engine's user writes:
``AI_ENGINE_STATE_DIR``, else the systemd unit's cache directory (``CACHE_DIRECTORY``, see
deploy/), else ``~/.cache/ai-engine``; one directory per Odoo database, one file per company
and feature.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

import joblib

FORMAT = 1  # bumped when what is saved changes; a file of another format is not read


def cache_path(client, company_id: int, feature: str) -> Path:
    """Where ``feature``'s state of ``company_id`` on ``client``'s Odoo database is kept."""
    root = Path(os.environ.get("AI_ENGINE_STATE_DIR") or os.environ.get("CACHE_DIRECTORY")
                or Path.home() / ".cache" / "ai-engine")
    settings = client.settings
    database = hashlib.sha256(f"{settings.url}|{settings.db}".encode()).hexdigest()[:16]
    return root / database / f"{feature}-company-{company_id}.joblib"


def save(path: Path, state) -> None:
    """Written whole or not at all: a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".tmp", delete=False) as tmp:
        joblib.dump((FORMAT, state), tmp)
    os.replace(tmp.name, path)


def keep(path: Path | None, state, log) -> None:
    """``save`` after a full run, when it learned something and knows where to keep it; a disk
    that refuses is logged, never a failed run (the next run learns again)."""
    if state is None or path is None:
        return
    try:
        save(path, state)
    except OSError as exc:
        log(f"The models could not be kept for the next quick runs ({exc}): the next run "
            "learns again")


def load(path: Path):
    """(what ``save`` wrote, "") or (None, why it cannot serve)."""
    if not path.exists():
        return None, "no models of a full run on this worker"
    try:
        saved_format, state = joblib.load(path)
    except Exception as exc:  # a cache: unreadable means a full run, never a failed one
        return None, f"the saved models could not be read ({exc.__class__.__name__})"
    if saved_format != FORMAT:
        return None, "the saved models are of another engine version"
    return state, ""
