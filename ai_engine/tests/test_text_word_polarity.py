"""WordPolarityModel: per-word class scores must reproduce a logistic regression on SIF-weighted
sentence vectors, and the shipped de/fr/es model must tell complaints, requests and thanks apart."""

import numpy as np
import pytest

from ai_engine.text.sentiment import MODEL_PATH, SentimentScorer
from ai_engine.text.word_polarity import WordPolarityModel

WORDS = ["kaputt", "danke", "die", "rechnung"]
VECTORS = np.array([[-2.0, 0.5], [2.0, 0.3], [0.1, -0.2], [0.0, 1.0]])
WEIGHTS = np.array([0.9, 0.8, 0.05, 0.6])
COEF = np.array([[-1.5, 0.2], [0.1, 0.9], [1.4, -0.3]])  # negative, neutral, positive
INTERCEPT = np.array([0.1, 0.3, -0.2])
CENTROID = np.array([0.2, 0.1])


def toy_model() -> WordPolarityModel:
    return WordPolarityModel(words=WORDS, word_scores=VECTORS @ COEF.T, word_weights=WEIGHTS,
                             language_offsets={"de": CENTROID @ COEF.T}, intercept=INTERCEPT,
                             classes=("negative", "neutral", "positive"), band=(-0.2, 0.2))


def regression_logits(text: str) -> np.ndarray:
    """The long way: sentence vector from word vectors, then the regression."""
    ids = [WORDS.index(w) for w in text.lower().split() if w in WORDS]
    a = WEIGHTS[ids]
    sentence = (VECTORS[ids] * a[:, None]).sum(axis=0) / a.sum() - CENTROID
    sentence *= a.sum() / np.sqrt((a**2).sum())
    return COEF @ sentence + INTERCEPT


@pytest.mark.parametrize("text", ["kaputt", "Danke danke", "Die Rechnung ist kaputt",
                                  "die die die danke rechnung"])
def test_word_scores_give_the_regression_on_sentence_vectors(text):
    np.testing.assert_allclose(toy_model().logits([text], "de")[0], regression_logits(text))


def test_unknown_words_and_empty_texts_score_zero():
    polarity = toy_model().polarity(["völlig unbekannt", "", "kaputt"], "de")
    assert polarity[0] == polarity[1] == 0.0 and polarity[2] < -0.5
    assert toy_model().polarity([], "de").shape == (0,)


def test_frequent_words_weigh_little():
    model = toy_model()
    alone, padded = model.polarity(["danke", "danke die die die die"], "de")
    assert padded > 0 and abs(alone - padded) < 0.1


def test_round_trip_through_arrays(tmp_path):
    path = tmp_path / "w.npz"
    np.savez(path, **toy_model().to_arrays("words_"))
    with np.load(path) as arrays:
        again = WordPolarityModel.from_arrays(arrays, "words_")
    texts = ["Die Rechnung ist kaputt", "danke"]
    np.testing.assert_allclose(again.logits(texts, "de"), toy_model().logits(texts, "de"))
    assert (again.classes, again.band, again.words) == (toy_model().classes, (-0.2, 0.2), WORDS)


def test_shipped_model_covers_german_french_spanish():
    with np.load(MODEL_PATH) as arrays:
        model = WordPolarityModel.from_arrays(arrays, "words_")
    assert {"de", "fr", "es"} <= set(model.language_offsets)
    assert {"kaputt", "facture", "roto"} <= set(model.words)


# Requests in plain business language: the old review-trained model read most of them as
# polar; the word model learned "neutral" from the English sets.
REQUESTS = ["Bitte senden Sie mir die Rechnung als PDF.",
            "Pouvez-vous m'envoyer la facture de la commande en PDF ?",
            "¿Me pueden enviar la factura del pedido en PDF?"]
COMPLAINTS = ["Die Lieferung ist beschädigt angekommen und niemand antwortet. Sehr ärgerlich.",
              "La livraison est arrivée abîmée et personne ne répond. C'est inadmissible.",
              "El pedido llegó roto y nadie responde. Estoy muy molesto."]
THANKS = ["Vielen Dank, der Drucker funktioniert jetzt einwandfrei. Toller Support!",
          "Merci beaucoup, l'imprimante fonctionne parfaitement. Excellent support !",
          "Muchas gracias, la impresora ya funciona perfectamente. ¡Excelente soporte!"]


def test_requests_complaints_and_thanks_in_three_languages():
    scored = SentimentScorer().score(REQUESTS + COMPLAINTS + THANKS)
    assert list(scored["language"]) == ["de", "fr", "es"] * 3
    assert list(scored["label"]) == ["neutral"] * 3 + ["negative"] * 3 + ["positive"] * 3
