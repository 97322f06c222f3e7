"""A linear text classifier stored as plain arrays: hashed n-grams (+ VADER scores) -> classes.

Why not a pickled scikit-learn model: pickles break across scikit-learn versions. Here only the
vectorizer's parameters (JSON) and the non-zero weight rows (npz) are stored. The feature
hashing (``HashingVectorizer``, MurmurHash3 with a fixed seed) is stable across scikit-learn
releases, and prediction is a sparse matrix product plus a softmax done with numpy.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import HashingVectorizer

VADER_FEATURES = ("compound", "pos", "neg", "neu")
# VADER's four scores sit beside thousands of n-gram weights; scaled up, they are penalised less
# by the regularisation (3 was as good as 10 on the dev split and trains faster).
VADER_SCALE = 3.0


# VADER lexicon entries that mean something else in a support e-mail: "po" (−2.6, slang) is a
# purchase order there, and "Our PO number is PO-9912." alone turned a thank-you negative.
NOT_SENTIMENT_IN_TICKETS = ("po",)


@functools.lru_cache(maxsize=1)
def _vader():
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    analyzer = SentimentIntensityAnalyzer()
    for word in NOT_SENTIMENT_IN_TICKETS:
        analyzer.lexicon.pop(word, None)
    return analyzer


def vader_lexicon() -> dict[str, float]:
    """VADER's English word valences as the engine uses them (NOT_SENTIMENT_IN_TICKETS out)."""
    return _vader().lexicon


def vader_scores(texts: list[str]) -> np.ndarray:
    """VADER's compound, pos, neg, neu for each text (rows), English lexicon and emoji."""
    analyzer = _vader()
    return np.array([[analyzer.polarity_scores(t)[k] for k in VADER_FEATURES] for t in texts],
                    dtype=np.float64).reshape(len(texts), len(VADER_FEATURES))


# The labels a text gets (the helpdesk bridge's ai_contract.SENTIMENTS).
NEGATIVE, NEUTRAL, POSITIVE = LABELS = ("negative", "neutral", "positive")


def softmax(logits: np.ndarray) -> np.ndarray:
    """Class probabilities from logits, one row per text."""
    proba = np.exp(logits - logits.max(axis=1, keepdims=True))
    return proba / proba.sum(axis=1, keepdims=True)


def polarity_of(proba: np.ndarray, classes: tuple[str, ...]) -> np.ndarray:
    """p(positive) - p(negative), in [-1, 1]."""
    return proba[:, classes.index(POSITIVE)] - proba[:, classes.index(NEGATIVE)]


def labels_in_band(polarity: np.ndarray, band: tuple[float, float]) -> np.ndarray:
    """negative at or below ``band[0]``, positive at or above ``band[1]``, neutral between."""
    low, high = band
    return np.where(polarity >= high, POSITIVE, np.where(polarity <= low, NEGATIVE, NEUTRAL))


def _hasher(family: dict) -> HashingVectorizer:
    # Each family is L2-normalised on its own, so words and characters weigh alike.
    return HashingVectorizer(analyzer=family["analyzer"], ngram_range=tuple(family["ngram"]),
                             n_features=family["n_features"], alternate_sign=False,
                             token_pattern=r"(?u)\b\w+\b", norm="l2", dtype=np.float32,
                             strip_accents=family.get("strip_accents"))


@dataclass
class LinearTextModel:
    """``families``: hashed n-gram blocks ({analyzer, ngram, n_features[, strip_accents]});
    ``vader``: append the VADER scores; ``classes``: e.g. ("negative", "neutral", "positive");
    ``band``: (low, high) thresholds on p(positive) - p(negative) below/above which a text is
    negative/positive."""

    families: list[dict]
    vader: bool
    classes: tuple[str, ...]
    band: tuple[float, float] = (0.0, 0.0)
    coef_: np.ndarray | None = field(default=None, repr=False)       # (n_features, n_classes)
    intercept_: np.ndarray | None = field(default=None, repr=False)  # (n_classes,)

    @property
    def n_features(self) -> int:
        return sum(f["n_features"] for f in self.families) + (len(VADER_FEATURES) * self.vader)

    def transform(self, texts: list[str]) -> sp.csr_matrix:
        blocks = [_hasher(f).transform(texts) for f in self.families]
        if self.vader:
            blocks.append(sp.csr_matrix((VADER_SCALE * vader_scores(texts)).astype(np.float32)))
        return sp.hstack(blocks, format="csr")

    def logits(self, texts: list[str]) -> np.ndarray:
        if self.coef_ is None:
            raise ValueError("This LinearTextModel has no weights: train or load it first.")
        return np.asarray(self.transform(texts) @ self.coef_) + self.intercept_

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, len(self.classes)))
        return softmax(self.logits(texts))

    def polarity(self, texts: list[str]) -> np.ndarray:
        """p(positive) - p(negative), in [-1, 1]."""
        return polarity_of(self.predict_proba(texts), self.classes)

    def labels(self, polarity: np.ndarray) -> np.ndarray:
        return labels_in_band(polarity, self.band)

    # -- storage: JSON header + the non-zero weight rows as float16 -------------------------
    def to_arrays(self, prefix: str) -> dict[str, np.ndarray]:
        rows = np.flatnonzero(np.abs(self.coef_).max(axis=1) > 0)
        header = {"families": self.families, "vader": self.vader,
                  "classes": list(self.classes), "band": list(self.band)}
        return {f"{prefix}header": np.array(json.dumps(header)),
                f"{prefix}rows": rows.astype(np.int32),
                f"{prefix}weights": self.coef_[rows].astype(np.float16),
                f"{prefix}intercept": self.intercept_.astype(np.float32)}

    @classmethod
    def from_arrays(cls, arrays, prefix: str) -> LinearTextModel:
        header = json.loads(str(arrays[f"{prefix}header"]))
        model = cls(families=header["families"], vader=header["vader"],
                    classes=tuple(header["classes"]), band=tuple(header["band"]))
        coef = np.zeros((model.n_features, len(model.classes)), dtype=np.float32)
        coef[arrays[f"{prefix}rows"]] = arrays[f"{prefix}weights"]
        model.coef_, model.intercept_ = coef, np.asarray(arrays[f"{prefix}intercept"])
        return model
