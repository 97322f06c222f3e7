"""How the sentiment weights were made, and the check that they still fit the code reading them.

Beside ``sentiment.npz`` lies ``sentiment.provenance.json`` (written with the weights by
``ai_engine.text.training.train_sentiment``): the weights' SHA-256, the source commit, the package
pins, the SHA-256 of every training set, the VADER words dropped from the lexicon and the
training parameters. The record sits beside the npz, not inside it, so recording how the weights
were made needs no new copy of a 6 MB binary in git.

At load the scorer checks two things a person could otherwise get wrong by hand: the npz is the
one the record describes, and the lexicon patch applied at run time (NOT_SENTIMENT_IN_TICKETS) is
the one the English model was trained with: VADER's scores are features of that model, so a word
dropped at run time but not in training (or the reverse) shifts every score that contains it.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from ai_engine.errors import AiEngineError
from ai_engine.text import linear

FORMAT = 1


def provenance_path(model_path: str | Path) -> Path:
    """``…/sentiment.npz`` -> ``…/sentiment.provenance.json``."""
    return Path(model_path).with_suffix(".provenance.json")


def sha256_of(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def runtime_lexicon_patch() -> list[str]:
    """The VADER entries the engine drops at run time, as the record lists them."""
    # Read through the module at call time, so the value checked is the one in force.
    return sorted(linear.NOT_SENTIMENT_IN_TICKETS)


def read_provenance(model_path: str | Path) -> dict:
    path = provenance_path(model_path)
    if not path.exists():
        raise AiEngineError(f"Sentiment weights {model_path} have no provenance file {path.name} "
                            "beside them: retrain with `ai-engine train-sentiment`.")
    record = json.loads(path.read_text(encoding="utf-8"))
    if record.get("format") != FORMAT:
        raise AiEngineError(f"{path} has format {record.get('format')!r}, this engine reads "
                            f"{FORMAT}: retrain with `ai-engine train-sentiment`.")
    return record


def check_provenance(model_path: str | Path) -> dict:
    """The record of ``model_path``; AiEngineError when the file or the runtime patch is not
    the one it describes."""
    record = read_provenance(model_path)
    expected, actual = record["weights"]["sha256"], sha256_of(model_path)
    if actual != expected:
        raise AiEngineError(f"Sentiment weights {model_path} are not the ones their provenance "
                            f"describes (SHA-256 {actual[:12]}…, recorded {expected[:12]}…): "
                            "restore the file or retrain with `ai-engine train-sentiment`.")
    if "lexicon_patch" not in record:  # weights that do not read VADER (the mood heads)
        return record
    trained, runtime = sorted(record["lexicon_patch"]["vader_removed"]), runtime_lexicon_patch()
    if trained != runtime:
        raise AiEngineError(f"NOT_SENTIMENT_IN_TICKETS drops {runtime} from VADER at run time, "
                            f"but the weights {Path(model_path).name} were trained without "
                            f"{trained}: retrain with `ai-engine train-sentiment`, or restore "
                            "the list.")
    return record
