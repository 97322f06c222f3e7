"""Train the shipped mood heads (ai_engine/text/data/mood.npz; what they do: text/mood.py).

    ai-engine train-sentiment --mood-only   (or: python -m ai_engine.text.training.train_mood)

Data: the ticket register only, from a checkout of the repository: the written support tickets
labelled by the customer's mood (bench/data/ticket_mood_train.csv; ``first_guide`` is the label
the polarity model trained with, under which a calm fault report was negative) and the neutral
e-mail context lines (ticket_context_train.csv). One linear model per language on the features
the polarity models use (hashed word 1-2-grams and character 2-5-grams; Chinese character
1-3-grams; no VADER) and the shipped polarity model's reading of each text, as it is. The
polarity model trained on these tickets (under their first labels), so on them it reads more
surely than on new text; the head learns from that how little a negative reading alone says.
Nothing is chosen: C = 1, balanced class weights, every row trained on; the ticket test sets
(bench/data/ticket_sentiment*.csv) and the generated desk measure it
(bench/sentiment_quality.py). Needs no extra package and takes seconds.
"""

from __future__ import annotations

import json
import platform
import time
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression

from ai_engine.errors import AiEngineError
from ai_engine.text.linear import LinearTextModel
from ai_engine.text.mood import MOOD_PATH, MoodHead
from ai_engine.text.provenance import FORMAT, provenance_path, sha256_of
from ai_engine.text.sentiment import MODEL_PATH, polarity_models
from ai_engine.text.training.record import REPO, machine, source
from ai_engine.text.training.sentiment_data import BENCH_DATA, TICKETS_CONTEXT
from ai_engine.text.training.train_sentiment import CHARS, MIN_WEIGHT, WORDS, save

TICKETS_MOOD = BENCH_DATA / "ticket_mood_train.csv"
FAMILIES = {"zh": [{"analyzer": "char", "ngram": [1, 3], "n_features": 2**19}]}
DEFAULT_FAMILIES = [WORDS, CHARS]
C = 1.0
MAX_ITER = 2000
PINNED = ("numpy", "scipy", "scikit-learn", "pandas")


def load_register() -> pd.DataFrame:
    """language, label, text of the mood-labelled tickets and the context lines."""
    for path in (TICKETS_MOOD, TICKETS_CONTEXT):
        if not path.exists():
            raise AiEngineError(f"Mood training reads {path.name} from bench/data/ of a checkout "
                                f"of the repository; not found at {path}.")
    columns = ["language", "label", "text"]
    return pd.concat([pd.read_csv(TICKETS_MOOD)[columns], pd.read_csv(TICKETS_CONTEXT)[columns]],
                     ignore_index=True)


def fit_head(texts: list[str], labels, language: str, polarity: np.ndarray) -> MoodHead:
    """The head of one language, on the n-grams of ``texts`` and their ``polarity`` (the
    polarity model's reading) as one more column."""
    ngrams = LinearTextModel(families=FAMILIES.get(language, DEFAULT_FAMILIES), vader=False,
                             classes=())
    features = sp.hstack([ngrams.transform(texts), sp.csr_matrix(polarity[:, None])],
                         format="csr")
    clf = LogisticRegression(C=C, max_iter=MAX_ITER, class_weight="balanced")
    clf.fit(features, labels)
    coef = clf.coef_.T
    ngrams.classes = tuple(clf.classes_)
    ngrams.coef_ = np.where(np.abs(coef[:-1]) < MIN_WEIGHT, 0, coef[:-1])
    ngrams.intercept_ = clf.intercept_
    return MoodHead(ngrams, coef[-1])


def mood_record(register: pd.DataFrame, polarity_path: Path) -> dict:
    return {"format": FORMAT, "source": source(),
            "polarity_weights": {"file": polarity_path.name,
                                 "sha256": sha256_of(polarity_path)},
            "packages": {"python": platform.python_version(),
                         **{name: version(name) for name in PINNED}},
            "machine": machine(),
            "training_sets": {str(p.relative_to(REPO)): {"sha256": sha256_of(p)}
                              for p in (TICKETS_MOOD, TICKETS_CONTEXT)},
            "parameters": {"families": {lang: FAMILIES.get(lang, DEFAULT_FAMILIES)
                                        for lang in sorted(register["language"].unique())},
                           "polarity_feature": "the polarity model's p(pos) - p(neg), unscaled",
                           "C": C, "max_iter": MAX_ITER, "class_weight": "balanced",
                           "min_weight": MIN_WEIGHT, "rows": "all (no dev split: nothing chosen)"},
            "rows": {lang: {label: int(n) for label, n in part["label"].value_counts().items()}
                     for lang, part in register.groupby("language")}}


def train_mood(out: Path = MOOD_PATH, polarity_path: Path = MODEL_PATH,
               log: Callable[[str], None] = print) -> Path:
    """Train one head per language beside the polarity weights ``polarity_path`` and write
    ``out`` with its provenance record beside it."""
    start = time.perf_counter()
    register = load_register()
    models = polarity_models(polarity_path)
    heads = {}
    for lang, part in register.groupby("language"):
        texts = part["text"].tolist()
        polarity = np.clip(models[lang].polarity(texts), -1.0, 1.0)
        heads[lang] = fit_head(texts, part["label"], lang, polarity)
    languages = np.array(json.dumps(sorted(heads)))
    out = save(heads, Path(out), mood_record(register, Path(polarity_path)),
               arrays={"languages": languages})
    log(f"Wrote {out} and {provenance_path(out).name} ({out.stat().st_size / 1e6:.2f} MB, "
        f"{len(register):,} texts) in {time.perf_counter() - start:.0f}s")
    return out


if __name__ == "__main__":
    train_mood()
