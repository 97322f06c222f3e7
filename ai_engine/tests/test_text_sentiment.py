"""SentimentScorer: labels, scores, languages and driving sentences from the shipped model."""

import numpy as np
import pandas as pd
import pytest

from ai_engine.text.linear import LinearTextModel
from ai_engine.text.sentiment import COLUMNS, MODEL_PATH, SentimentScorer

NEGATIVE = [
    "The update broke everything. I am very angry and disappointed, this is unacceptable.",
    "质量太差了，非常失望。客服也不回复，太糟糕了。",
    "Das Gerät ist kaputt und der Service ist schrecklich. Sehr enttäuschend.",
    "Le produit est arrivé cassé, je suis très déçu. Service horrible.",
]
POSITIVE = [
    "Thank you so much, the new printer works perfectly. Great support!",
    "非常满意，物流很快，服务很好，下次还会再来。",
    "Super Service, vielen Dank für die schnelle und freundliche Hilfe!",
    "Merci beaucoup, tout fonctionne parfaitement, excellent service !",
]
# Spanish has no labelled training set (only a lexicon): we ask for the right order, not labels.
SPANISH = ["El producto llegó roto y nadie responde. Estoy muy decepcionado, es pésimo.",
           "Excelente servicio, muchas gracias por la ayuda rápida y amable."]


@pytest.fixture(scope="module")
def scorer():
    return SentimentScorer()


def test_obvious_texts_in_four_languages(scorer):
    scored = scorer.score(NEGATIVE + POSITIVE)
    assert list(scored.columns) == COLUMNS
    assert list(scored["language"]) == ["en", "zh", "de", "fr"] * 2
    assert list(scored["label"]) == ["negative"] * 4 + ["positive"] * 4
    assert (scored["score"].iloc[:4] < 0).all() and (scored["score"].iloc[4:] > 0).all()


def test_spanish_is_ordered_sensibly(scorer):
    negative, positive = scorer.score(SPANISH).itertuples()
    assert negative.language == positive.language == "es"
    assert negative.score < positive.score and positive.label == "positive"
    assert negative.label != "positive"


def test_chinese_information_is_neutral(scorer):
    # The Chinese model learned "neutral" from news sentences; trained on praise and complaints
    # alone, it read the first of these as negative.
    scored = scorer.score(["下周一起我们仓库的地址改为杭州市西湖区文三路88号。",
                           "会议定在周三下午两点，地点在三楼会议室。"])
    assert list(scored["language"]) == ["zh", "zh"]
    assert list(scored["label"]) == ["neutral", "neutral"]


def test_driving_sentence_is_the_most_polar_one(scorer):
    scored = scorer.score([
        "Hello team. I ordered a new laptop last week. The screen is broken and I am furious!",
        "I called yesterday about the invoice. Your agent was wonderful, thank you so much!",
        "收到货了。屏幕碎了，太让人失望了！",
    ])
    assert list(scored["sentence"]) == [
        "The screen is broken and I am furious!",
        "Your agent was wonderful, thank you so much!", "屏幕碎了，太让人失望了！"]


def as_email(message: str) -> str:
    return ("Hello support team,\nI am writing about our account 10442 and the order placed on "
            f"3 March for the Brussels office.\n{message}\nOur purchase order number is PO-7781. "
            "Please call me on +32 2 555 0101 if you need anything else.\n\nKind regards,\n"
            "Peter Janssens\nFacilities manager")


def test_politeness_of_an_email_does_not_hide_the_complaint(scorer):
    # Before the greeting/sign-off removal and the sentence reading of long texts, each of these
    # read negative alone and neutral or positive inside the same polite e-mail.
    complaints = ["The scanner is broken again and support never called back.",
                  "This is the third late delivery and nobody answers my emails. Unacceptable.",
                  "Two chairs arrived scratched, again. I am really disappointed."]
    alone = scorer.score(complaints)
    wrapped = scorer.score([as_email(c) for c in complaints])
    assert list(alone["label"]) == list(wrapped["label"]) == ["negative"] * 3
    assert all(sentence in complaint
               for sentence, complaint in zip(wrapped["sentence"], complaints, strict=True))


def test_an_email_keeps_its_thanks_and_its_neutral_requests(scorer):
    scored = scorer.score([as_email("The new monitor is excellent, thank you so much!"),
                           as_email("Please send the invoice for order S00107 as a PDF.")])
    assert list(scored["label"]) == ["positive", "neutral"]


def test_order_references_carry_no_sentiment(scorer):
    # VADER's lexicon reads "po" as slang (−2.6): a purchase-order line made this thanks negative.
    thanks = ("I am writing about our account 30551 and last week's order.\n"
              "The technician fixed the printer this morning and everything works again, thank "
              "you so much for the quick help!\nOur PO number is PO-9912.\n"
              "Please call me on 0113 496 0000 if you need anything else.")
    scored = scorer.score([as_email(thanks), "Our PO number is PO-9912."])
    assert list(scored["label"]) == ["positive", "neutral"]


def test_calm_fault_reports_and_plain_questions_are_neutral(scorer):
    # Sentiment is the customer's mood: a fault told calmly is not a complaint. The Chinese
    # question ("do the headphones come with a manual?") scored -0.84 and was escalated.
    scored = scorer.score(["The invoice S10442 shows the wrong VAT number, please correct it.",
                           "Headphones有没有说明书？",
                           "Mein Paket ist noch nicht angekommen. Können Sie das prüfen?"])
    assert list(scored["label"]) == ["neutral"] * 3


@pytest.mark.xfail(strict=True, reason="damage told without a request: the English mood head "
                   "learned from a few hundred tickets and reads this one as a complaint")
def test_damage_told_calmly_is_neutral(scorer):
    scored = scorer.score(["Two chairs arrived scratched and the box was damaged."])
    assert list(scored["label"]) == ["neutral"]


def test_a_long_review_follows_its_overall_judgement(scorer):
    # One clearly negative sentence made a whole English text negative until 2026-12: most
    # positive multi-sentence reviews read negative.
    review = ("I have used this printer for three months now. Setup took a while and the manual "
              "is confusing. The first toner cartridge was also nearly empty. Since then it has "
              "worked perfectly. Print quality is excellent and it is quiet. Very happy with it, "
              "I would buy it again.")
    row = scorer.score([review]).iloc[0]
    assert row["label"] == "positive"


def test_short_texts_get_a_language_and_a_score(scorer):
    scored = scorer.score(["Great!", "terrible", "谢谢", "Danke!"])
    assert list(scored["language"]) == ["en", "en", "zh", "de"]
    assert list(scored["label"]) == ["positive", "negative", "positive", "positive"]


def test_the_customers_language_decides_when_detection_is_unsure(scorer):
    texts = ["kaputt", "kaputt", "Das Gerät ist kaputt und der Service ist schrecklich."]
    scored = scorer.score(texts, languages=["de_DE", None, "fr_FR"])
    assert list(scored["language"]) == ["de", "unknown", "de"]  # a sure detection stands
    assert scored["score"][0] < 0 and scored["score"][1] == 0
    with pytest.raises(ValueError, match="one per text"):
        scorer.score(texts, languages=["de_DE"])


def test_factual_question_is_neutral(scorer):
    row = scorer.score(["Could you send me the manual for the model X200 printer?"]).iloc[0]
    assert row["label"] == "neutral" and row["sentence"] == ""
    assert abs(row["score"]) < 0.5


@pytest.mark.parametrize("text", [None, "", "   ", "<p></p>", "😀",
                                  "Het product is kapot en ik ben erg boos.",  # Dutch
                                  "Il prodotto è rotto e sono molto arrabbiato."])  # Italian
def test_empty_or_unsupported_is_neutral_zero(scorer, text):
    row = scorer.score([text]).iloc[0]
    assert (row["label"], row["score"], row["language"], row["sentence"]) == (
        "neutral", 0.0, "unknown", "")


def test_html_long_and_mixed_texts(scorer):
    html = "<div><p>Terrible experience &amp; <b>awful</b> support 😡</p><br>Never again.</div>"
    long_text = "The device is broken and I am very angry. " * 25_000  # 1 MB
    padded = "The device is broken. " + "x " * 500_000  # 1 MB of junk after one sentence
    scored = scorer.score([html, long_text, padded,
                           "My order 订单 is late 太慢了 and I am angry."])
    assert list(scored["label"][:2]) == ["negative", "negative"]
    assert "<" not in scored["sentence"][0]
    assert scored["language"][2] == "en" and -1 <= scored["score"][2] <= 1
    assert scored["language"][3] in ("en", "zh")


def test_scores_are_bounded_and_signs_match_labels(scorer):
    texts = NEGATIVE + POSITIVE + ["Please reset my password.", "", "ok"] * 3
    scored = scorer.score(texts)
    assert scored["score"].between(-1, 1).all()
    assert (scored.loc[scored["label"] == "negative", "score"] < 0).all()
    assert (scored.loc[scored["label"] == "positive", "score"] > 0).all()
    assert len(scorer.score([])) == 0


def test_weights_round_trip_through_arrays(tmp_path):
    with np.load(MODEL_PATH) as arrays:
        model = LinearTextModel.from_arrays(arrays, "en_")
    path = tmp_path / "m.npz"
    np.savez(path, **model.to_arrays("en_"))
    with np.load(path) as arrays:
        again = LinearTextModel.from_arrays(arrays, "en_")
    texts = ["Great, thanks!", "This is broken."]
    assert again.band == model.band and again.classes == model.classes
    np.testing.assert_allclose(again.predict_proba(texts), model.predict_proba(texts))
    assert pd.Series(model.labels(model.polarity(texts))).tolist() == ["positive", "negative"]
