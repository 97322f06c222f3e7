"""The shipped sentiment weights and their provenance record agree, and the scorer refuses to load
weights their record does not describe or a runtime lexicon patch they were not trained with."""

import hashlib
import json
import re
import shutil

import numpy as np
import pytest

from ai_engine.errors import AiEngineError
from ai_engine.text import linear
from ai_engine.text.provenance import check_provenance, provenance_path
from ai_engine.text.sentiment import MODEL_PATH, SentimentScorer
from ai_engine.text.training.record import PINNED, arrays_sha256
from ai_engine.text.training.sentiment_data import PACKAGES

RECORD = provenance_path(MODEL_PATH)
SHA256 = re.compile("[0-9a-f]{64}")


@pytest.fixture(scope="module")
def record():
    return json.loads(RECORD.read_text(encoding="utf-8"))


@pytest.fixture
def copy(tmp_path):
    """The shipped weights and record, copied where a test may spoil them."""
    shutil.copy(MODEL_PATH, tmp_path / MODEL_PATH.name)
    shutil.copy(RECORD, tmp_path / RECORD.name)
    return tmp_path / MODEL_PATH.name


def test_shipped_record_describes_the_shipped_weights_and_patch(record):
    # Hashed here with hashlib, not with the helper the scorer uses.
    assert record["weights"]["sha256"] == hashlib.sha256(MODEL_PATH.read_bytes()).hexdigest()
    assert record["weights"]["arrays_sha256"] == arrays_sha256(MODEL_PATH)
    assert record["lexicon_patch"]["vader_removed"] == sorted(linear.NOT_SENTIMENT_IN_TICKETS)
    assert check_provenance(MODEL_PATH) == record


def test_shipped_record_names_commit_pins_and_every_training_set(record):
    assert re.fullmatch("[0-9a-f]{40}", record["source"]["commit"])
    assert set(PINNED) <= set(record["packages"])
    sets = record["training_sets"]
    assert set(PACKAGES) | {"bench/data/ticket_sentiment_train.csv",
                            "bench/data/ticket_context_train.csv"} == set(sets)
    assert all(SHA256.fullmatch(entry["sha256"]) for entry in sets.values())
    assert SHA256.fullmatch(record["word_vectors"]["sha256"])
    assert {"en", "zh", "words"} == set(record["chosen_on_dev"])


@pytest.mark.parametrize("patch", [(), ("po", "sorry")], ids=["dropped", "extended"])
def test_a_runtime_patch_other_than_the_trained_one_is_refused(monkeypatch, patch):
    monkeypatch.setattr(linear, "NOT_SENTIMENT_IN_TICKETS", patch)
    with pytest.raises(AiEngineError, match="NOT_SENTIMENT_IN_TICKETS"):
        SentimentScorer()


def test_weights_the_record_does_not_describe_are_refused(copy):
    SentimentScorer(copy)  # the untouched copy loads
    with np.load(copy) as arrays:
        changed = dict(arrays)
    changed["en_intercept"] = changed["en_intercept"] + np.float32(0.5)
    np.savez_compressed(copy, **changed)  # a valid npz, other weights
    with pytest.raises(AiEngineError, match="not the ones their provenance describes"):
        SentimentScorer(copy)


def test_a_flipped_byte_is_refused(copy):
    data = bytearray(copy.read_bytes())
    data[len(data) // 2] ^= 0xFF
    copy.write_bytes(bytes(data))
    with pytest.raises(AiEngineError, match="not the ones"):
        SentimentScorer(copy)


def test_weights_without_a_record_are_refused(copy):
    provenance_path(copy).unlink()
    with pytest.raises(AiEngineError, match="no provenance file"):
        SentimentScorer(copy)
