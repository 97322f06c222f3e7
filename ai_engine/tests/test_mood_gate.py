"""The mood gate: a text read negative stays negative only when it shows the customer's mood;
a calm report turns neutral with a score that agrees with its label."""

import json
import shutil

import numpy as np
import pytest

from ai_engine.errors import AiEngineError
from ai_engine.text.mood import MOOD_PATH, MoodGate, is_verdict
from ai_engine.text.provenance import provenance_path, sha256_of
from ai_engine.text.sentiment import CALM_SCALE, MODEL_PATH, SentimentScorer

CALM = ["The invoice S10442 shows the wrong VAT number, please correct it.",
        "Headphones有没有说明书？",
        "订单S2231被重复扣款了两次，请帮我查一下。"]
# Anger the mood heads' training tickets never name ("furious" is not among them): the
# polarity model's reading, a feature of the head, carries it.
ANGRY = ["The screen is broken and I am furious!",
         "The parcel is late again. Unacceptable.",
         "屏幕碎了，太让人失望了！"]


@pytest.fixture(scope="module")
def scorer():
    return SentimentScorer()


def test_polarity_alone_reads_the_calm_reports_negative(scorer, monkeypatch):
    # Without the gate (every negative reading stands) the same texts read negative: the
    # neutral answers below come from the gate, not from the polarity model.
    monkeypatch.setattr(scorer.mood_, "shows_mood",
                        lambda readings, *args: np.ones(len(readings), dtype=bool))
    assert list(scorer.score(CALM)["label"]) == ["negative"] * 3


def test_calm_reports_turn_neutral_and_anger_stays_negative(scorer):
    scored = scorer.score(CALM + ANGRY)
    assert list(scored["label"]) == ["neutral"] * 3 + ["negative"] * 3
    assert (scored["sentence"].iloc[:3] == "").all()
    calm = scored["score"].iloc[:3]
    # A calm report keeps its leaning, small enough for the contact's ±0.15 mood band.
    assert ((calm < 0) & (calm.abs() <= CALM_SCALE)).all()


def test_every_score_agrees_with_its_label(scorer):
    texts = CALM + ANGRY + ["Great!", "terrible", "谢谢", "Danke für die schnelle Hilfe!",
                            "La facture S1 indique un mauvais numéro de TVA."]
    scored = scorer.score(texts)
    for row in scored.itertuples():
        band = scorer.models_[row.language].band
        assert list(scorer.models_[row.language].labels(np.array([row.score]))) == [row.label]
        if row.label == "neutral":
            assert band[0] < row.score < band[1]


def test_a_verdict_of_a_few_words_is_left_alone(scorer):
    assert is_verdict("terrible") and is_verdict("太差了") and is_verdict("Never again!")
    assert not is_verdict("Headphones有没有说明书？")
    assert list(scorer.score(["terrible", "太差了"])["label"]) == ["negative", "negative"]
    # A negative verdict sentence inside a longer text keeps the text negative.
    text = "My order is broken and nobody answers. Terrible!"
    assert scorer.score([text])["label"].iloc[0] == "negative"


def test_positive_and_neutral_answers_are_never_changed(scorer, monkeypatch):
    texts = ["Thank you, the repair was quick and everything works!", "Please send the PDF."]
    before = scorer.score(texts)
    monkeypatch.setattr(scorer.mood_, "shows_mood",
                        lambda readings, *args: np.zeros(len(readings), dtype=bool))
    after = scorer.score(texts)
    assert list(before["label"]) == list(after["label"]) == ["positive", "neutral"]
    assert list(before["score"]) == list(after["score"])


def test_the_record_names_the_polarity_weights_and_the_training_tickets():
    record = json.loads(provenance_path(MOOD_PATH).read_text(encoding="utf-8"))
    assert record["weights"]["sha256"] == sha256_of(MOOD_PATH)
    assert record["polarity_weights"]["sha256"] == sha256_of(MODEL_PATH)
    assert set(record["training_sets"]) == {"bench/data/ticket_mood_train.csv",
                                            "bench/data/ticket_context_train.csv"}


def test_heads_trained_beside_other_polarity_weights_are_refused(tmp_path):
    other = tmp_path / "sentiment.npz"
    shutil.copy(MODEL_PATH, other)
    MoodGate(MOOD_PATH, sha256_of(other))  # the same bytes load
    other.write_bytes(other.read_bytes() + b"\0")
    with pytest.raises(AiEngineError, match="retrain them with"):
        MoodGate(MOOD_PATH, sha256_of(other))
