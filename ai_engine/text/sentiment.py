"""Sentiment of ticket texts: label, score in [-1, 1], language and the sentence that drove it.

Each supported language goes to a linear model trained offline by bench/train_sentiment.py
(English with VADER's scores as extra features, Chinese on character n-grams, German, French
and Spanish together). The weights ship as ai_engine/text/data/sentiment.npz; nothing is
downloaded. A text in any other language is neutral with score 0: better no answer than a
confident wrong one.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ai_engine.text.clean import split_sentences, to_plain_text
from ai_engine.text.language import UNKNOWN, detect_language
from ai_engine.text.linear import LinearTextModel

MODEL_PATH = Path(__file__).parent / "data" / "sentiment.npz"
MODEL_OF_LANGUAGE = {"en": "en", "zh": "zh", "de": "eu", "fr": "eu", "es": "eu"}
COLUMNS = ["label", "score", "language", "sentence"]
MAX_SENTENCES = 40  # the driving sentence is looked for among the first sentences only


class SentimentScorer:
    """Load the weights once, then ``score`` any number of texts (HTML is fine)."""

    def __init__(self, model_path: str | Path = MODEL_PATH):
        with np.load(model_path) as arrays:
            self.models_ = {name: LinearTextModel.from_arrays(arrays, f"{name}_")
                            for name in sorted(set(MODEL_OF_LANGUAGE.values()))}

    def score(self, texts) -> pd.DataFrame:
        """One row per text: label (negative/neutral/positive), score (sign = polarity,
        size = strength), language, sentence ("" when neutral)."""
        plain = [to_plain_text(t) for t in texts]
        out = pd.DataFrame({"label": "neutral", "score": 0.0, "language": UNKNOWN,
                            "sentence": ""}, index=range(len(plain)))[COLUMNS]
        out["language"] = [detect_language(t) for t in plain]
        for name, model in self.models_.items():
            rows = [i for i, lang in enumerate(out["language"])
                    if MODEL_OF_LANGUAGE.get(lang) == name]
            if rows:
                self._score_rows(model, [plain[i] for i in rows], out, rows)
        return out

    @staticmethod
    def _score_rows(model: LinearTextModel, texts: list[str], out: pd.DataFrame, rows) -> None:
        polarity = np.clip(model.polarity(texts), -1.0, 1.0)
        labels = model.labels(polarity)
        out.loc[rows, "score"] = np.round(polarity, 4)
        out.loc[rows, "label"] = labels
        # The driving sentence: the most negative one of a negative text, the most positive
        # one of a positive text; all sentences are scored in one batch.
        sentences = [split_sentences(t)[:MAX_SENTENCES] if lab != "neutral" else []
                     for t, lab in zip(texts, labels, strict=True)]
        flat = [s for group in sentences for s in group]
        flat_polarity = model.polarity(flat) if flat else np.zeros(0)
        start = 0
        for row, group, label in zip(rows, sentences, labels, strict=True):
            if group:
                part = flat_polarity[start:start + len(group)]
                pick = np.argmin(part) if label == "negative" else np.argmax(part)
                out.at[row, "sentence"] = group[int(pick)]
            start += len(group)
