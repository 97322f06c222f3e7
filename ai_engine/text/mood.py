"""Does a text read negative show the customer's mood, or only report a fault?

The polarity models (sentiment.py) learned mostly from reviews, where "stopped working" and
"charged twice" are the reviewer's verdict. On a helpdesk the same words are the topic of a
calm report, which the engine calls neutral: negative is frustration, anger, disappointment, a
threat to leave or a failure that repeats. Read by polarity alone, most of a desk came out
negative (56 % of the demo's tickets where the generator meant 43 %; every Chinese ticket with
a fault in it, and "Headphones有没有说明书？", a plain question).

The mood head tells the two apart. Per language, a linear model on hashed n-grams and the
polarity model's own reading of the text (MoodHead), trained on the ticket register only: the
project's written support tickets labelled by the customer's mood
(bench/data/ticket_mood_train.csv, calm fault reports neutral) and the neutral e-mail context
lines, three classes with balanced class weights (``ai_engine.text.training.train_mood``).
A text the polarity model reads negative stays negative when the head, reading the text whole
or any one of its sentences, finds negative mood at least as likely as calm (p(negative) >=
p(neutral)): an angry line is often a sentence of its own beside the report. Otherwise the text
is a calm report: neutral. Nothing is tuned: no threshold, C = 1, the classes weighed alike.

The head only turns negative into neutral; positive and neutral answers are the polarity
model's. A text of a few words ("terrible", "太差了") is a verdict by itself, with no report to
tell apart, and so is a negative sentence of a few words inside a longer text ("My order is
broken and nobody answers. Terrible!"): the gate leaves those alone.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ai_engine.errors import AiEngineError
from ai_engine.text.linear import NEGATIVE, NEUTRAL, LinearTextModel, softmax
from ai_engine.text.provenance import check_provenance

MOOD_PATH = Path(__file__).parent / "data" / "mood.npz"
# At most this many words (an ideograph counting half a word: a Chinese word is about two) and
# a text is a verdict by itself; language.py calls the same texts short.
VERDICT_WORDS = 3
_LATIN_WORD = re.compile(r"[^\W\d_\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_IDEOGRAPH = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def is_verdict(text: str) -> bool:
    """A text of at most VERDICT_WORDS words: "Terrible!", "太差了", "never again"."""
    return len(_LATIN_WORD.findall(text)) + len(_IDEOGRAPH.findall(text)) / 2 <= VERDICT_WORDS


@dataclass
class MoodHead:
    """One language's head: hashed n-grams plus the polarity model's reading of the same text
    as one more feature (``polarity_coef``: its weight per class). The polarity carries what
    the few hundred training tickets cannot: "furious" is not among them, but the polarity
    model knows it is negative, and the n-grams learn that "broken" alone is a report."""

    ngrams: LinearTextModel
    polarity_coef: np.ndarray

    def proba(self, texts: list[str], polarity: np.ndarray) -> np.ndarray:
        return softmax(self.ngrams.logits(texts) + np.outer(polarity, self.polarity_coef))

    def to_arrays(self, prefix: str) -> dict[str, np.ndarray]:
        return {**self.ngrams.to_arrays(prefix),
                f"{prefix}polarity_coef": self.polarity_coef.astype(np.float32)}

    @classmethod
    def from_arrays(cls, arrays, prefix: str) -> MoodHead:
        return cls(LinearTextModel.from_arrays(arrays, prefix),
                   np.asarray(arrays[f"{prefix}polarity_coef"], dtype=np.float64))


class MoodGate:
    """The mood heads of the languages ``mood.npz`` holds. Its provenance names the polarity
    weights the heads were trained beside: other weights read other polarities, so the heads
    must be retrained with them."""

    def __init__(self, path: str | Path = MOOD_PATH, polarity_sha256: str | None = None):
        """``polarity_sha256``: the SHA-256 of the polarity weights in use (their checked
        provenance record has it: hashing the file again would read it twice at start-up)."""
        record = check_provenance(path)
        trained = record["polarity_weights"]["sha256"]
        if polarity_sha256 is not None and polarity_sha256 != trained:
            raise AiEngineError(
                f"The mood heads {Path(path).name} were trained beside other polarity weights "
                f"(SHA-256 {trained[:12]}…, in use {polarity_sha256[:12]}…): retrain them with "
                "`ai-engine train-sentiment --mood-only`.")
        with np.load(path) as arrays:
            languages = json.loads(str(arrays["languages"]))
            self.heads_ = {lang: MoodHead.from_arrays(arrays, f"{lang}_") for lang in languages}

    def shows_mood(self, readings: list[list[str]], polarities: list[np.ndarray], low: float,
                   language: str) -> np.ndarray:
        """For each text read negative — ``readings``: the text, then its sentences;
        ``polarities``: the polarity model's reading of each; ``low``: its negative edge —
        True when the negative reading stands (a verdict of a few words, a language without a
        head, negative mood in the whole text or one sentence), False for a calm report."""
        head = self.heads_.get(language)
        if head is None or not readings:
            return np.ones(len(readings), dtype=bool)
        flat = [r for group in readings for r in group]
        proba = head.proba(flat, np.concatenate(polarities))
        classes = list(head.ngrams.classes)
        moody = proba[:, classes.index(NEGATIVE)] >= proba[:, classes.index(NEUTRAL)]
        bounds = np.cumsum([0] + [len(group) for group in readings])
        stands = []
        for group, polarity, start, end in zip(readings, polarities, bounds[:-1], bounds[1:],
                                               strict=True):
            text, sentences = group[0], group[1:]
            verdict = is_verdict(text) or any(
                is_verdict(s) and p <= low for s, p in zip(sentences, polarity[1:], strict=True))
            stands.append(verdict or bool(moody[start:end].any()))
        return np.array(stands, dtype=bool)
