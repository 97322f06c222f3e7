"""Sentiment of ticket texts: label, score in [-1, 1], language and the sentence that drove it.

Each supported language goes to a linear model trained offline (``ai-engine train-sentiment``,
ai_engine/text/training/): English on word and character n-grams with VADER's scores as extra
features; Chinese on character n-grams (reviews for the polar classes, news sentences for
neutral); German, French and Spanish on multilingual word vectors that carry the English labels
across (word_polarity.py).
The weights ship as ai_engine/text/data/sentiment.npz with how they were made beside them
(sentiment.provenance.json, checked at load: provenance.py); nothing is downloaded. A text in any
other language is neutral with score 0: better no answer than a confident wrong one.

What the labels mean: the customer's mood. Negative is frustration, anger, disappointment, a
threat to leave or a failure that repeats; a calm report of a fault, a request or a plain
question is neutral; thanks and praise are positive, also when a fault is mentioned. A long
mixed text follows its overall judgement, not its worst sentence.

Tickets are e-mails: the greeting and sign-off are removed first (``email_body``). A text of
several sentences is read twice, whole and sentence by sentence, and its polarity is the mean of
the whole text's and of its polar sentences': read whole, a complaint between a line of context
and the order details comes out neutral; read by its polar sentences alone, a long review that
praises the result but names one problem leans on that problem.

Tickets are read for the customer's mood, not their topic: a text the polarity model reads
negative stays negative only when the mood head finds frustration, anger or a threat in it, as
a whole or in one sentence; a calm report of a fault is neutral, its score scaled to within
±0.1 so the number agrees with the label (mood.py, CALM_SCALE).

The language comes from the text; when detection is unsure (a low confidence, a text of a few
words) the caller's per-text fallback decides (``languages``: Odoo's partner.lang), so "Great!"
or "Danke" from a known customer is scored (language.py).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ai_engine.text.clean import split_sentences, to_plain_text
from ai_engine.text.email_parts import email_body
from ai_engine.text.language import UNKNOWN, detect_languages
from ai_engine.text.linear import NEGATIVE, NEUTRAL, LinearTextModel
from ai_engine.text.mood import MOOD_PATH, MoodGate
from ai_engine.text.provenance import check_provenance, read_provenance
from ai_engine.text.word_polarity import LanguageView, WordPolarityModel

MODEL_PATH = Path(__file__).parent / "data" / "sentiment.npz"
LINEAR_LANGUAGES = ("en", "zh")
WORD_LANGUAGES = ("de", "fr", "es")
COLUMNS = ["label", "score", "language", "sentence"]
MAX_SENTENCES = 40  # the driving sentence is looked for among the first sentences only
# From this many sentences on, a text's polarity is the mean of two readings: the whole text's,
# and the mean of its sentences outside the neutral band (when it has any). Read whole, a
# complaint between a line of context and the order details comes out neutral; read by its polar
# sentences alone, or made negative by one sentence at -0.5 or below (English until 2026-12), a
# long review that praises the result but names one problem leans on that problem. Against that
# rule, same weights, on texts never trained on: drugs.com reviews 0.271 -> 0.368 macro-F1,
# Pang & Lee movie reviews (sign of the score) 0.366 -> 0.761; the ticket sets in the long e-mail
# frame move both ways (de +0.10, zh +0.02, en -0.02, fr -0.04, es -0.07: research note, 12).
MEAN_FROM_SENTENCES = 4
# A calm report keeps its leaning, scaled to at most 0.1: inside every language's neutral band
# (the narrowest, Chinese, is ±0.14), so the score agrees with the label, and inside the ±0.15
# band of the contact's ticket mood (the mean score), so calm reports never add up to a
# negative customer.
CALM_SCALE = 0.1


def polarity_models(model_path: str | Path = MODEL_PATH) -> dict:
    """Each language's polarity model, from weights checked against their provenance."""
    check_provenance(model_path)
    with np.load(model_path) as arrays:
        words = WordPolarityModel.from_arrays(arrays, "words_")
        return {**{lang: LinearTextModel.from_arrays(arrays, f"{lang}_")
                   for lang in LINEAR_LANGUAGES},
                **{lang: words.for_language(lang) for lang in WORD_LANGUAGES}}


class SentimentScorer:
    """Load the weights once, then ``score`` any number of texts (HTML is fine)."""

    def __init__(self, model_path: str | Path = MODEL_PATH,
                 mood_path: str | Path | None = MOOD_PATH):
        """``mood_path`` None: no mood gate, the polarity models' labels as they are (what a
        review set's gold means: the bench compares both readings)."""
        self.models_ = polarity_models(model_path)
        # polarity_models checked the weights against their record: its hash is theirs.
        self.mood_ = (MoodGate(mood_path, read_provenance(model_path)["weights"]["sha256"])
                      if mood_path is not None else None)

    def score(self, texts, strip_email: bool = True, languages=None) -> pd.DataFrame:
        """One row per text: label (negative/neutral/positive), score (sign = polarity,
        size = strength), language, sentence ("" when neutral).

        ``strip_email``: remove each text's greeting and sign-off first. False when the caller
        already did it per e-mail: in a thread joined afterwards, a second e-mail that opens
        with "Thank you!" looks like the first one's sign-off, and all after it would go.
        ``languages``: None, or one language code or None per text (Odoo's partner.lang:
        "de_DE", "zh_CN", "en"): the language to use where detection is unsure, as for a text of
        one or two words; a code outside en/zh/de/fr/es is ignored."""
        texts = list(texts)
        if languages is not None:
            languages = list(languages)
            if len(languages) != len(texts):
                raise ValueError(f"score got {len(languages)} languages for {len(texts)} texts: "
                                 "give one per text (None where unknown), or none at all.")
        plain = [to_plain_text(t) for t in texts]
        body = email_body if strip_email else str
        out = pd.DataFrame({"label": "neutral", "score": 0.0, "language": UNKNOWN,
                            "sentence": ""}, index=range(len(plain)))[COLUMNS]
        out["language"] = detect_languages(plain, languages)
        for language, model in self.models_.items():
            rows = [i for i, lang in enumerate(out["language"]) if lang == language]
            if rows:
                self._score_rows(model, language, [body(plain[i]) for i in rows], out, rows)
        return out

    def _score_rows(self, model: LinearTextModel | LanguageView, language: str, texts: list[str],
                    out: pd.DataFrame, rows) -> None:
        # Every sentence is scored (one batch): for the sentence reading of long texts and to
        # find the driving sentence, the most negative one of a negative text, the most
        # positive one of a positive text.
        # A one-sentence text is its own sentence: each distinct string is scored once.
        sentences = [split_sentences(t)[:MAX_SENTENCES] for t in texts]
        flat = [s for group in sentences for s in group]
        index = {s: i for i, s in enumerate(dict.fromkeys(texts + flat))}
        values = np.clip(model.polarity(list(index)), -1.0, 1.0)
        flat_polarity = values[np.array([index[s] for s in flat], dtype=int)]
        polarity = values[np.array([index[t] for t in texts], dtype=int)]
        bounds = np.cumsum([0] + [len(group) for group in sentences])
        for j, (start, end) in enumerate(zip(bounds[:-1], bounds[1:], strict=True)):
            part = flat_polarity[start:end]
            if not part.size:
                continue
            if part.size >= MEAN_FROM_SENTENCES:
                polar = part[model.labels(part) != "neutral"]
                if polar.size:
                    polarity[j] = 0.5 * (polarity[j] + polar.mean())
        labels = model.labels(polarity)
        negative = np.flatnonzero(labels == NEGATIVE)
        if self.mood_ is not None and negative.size:
            readings = [[texts[j], *sentences[j]] for j in negative]
            calm = negative[~self.mood_.shows_mood(
                readings, [values[[index[r] for r in group]] for group in readings],
                model.band[0], language)]
            labels[calm] = NEUTRAL
            polarity[calm] *= CALM_SCALE
        out.loc[rows, "score"] = np.round(polarity, 4)
        out.loc[rows, "label"] = labels
        for j, (row, label) in enumerate(zip(rows, labels, strict=True)):
            part = flat_polarity[bounds[j]:bounds[j + 1]]
            if label != "neutral" and part.size:
                pick = np.argmin(part) if label == "negative" else np.argmax(part)
                out.at[row, "sentence"] = sentences[j][int(pick)]
