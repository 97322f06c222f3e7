"""Category suggestion, topics and similar tickets on tiny hand-made and generated tickets."""

import numpy as np
import pytest

from ai_engine.datasets.synthetic_tickets import generate_tickets
from ai_engine.models.ticket_text import (
    CategorySuggester,
    SimilarTickets,
    TopicFinder,
    word_tokens,
)


def test_word_tokens_split_latin_words_and_chinese_bigrams():
    assert word_tokens("Refund my ORDER, 42 ok") == ["refund", "order"]
    assert word_tokens("我要退款") == ["我要", "要退", "退款"]
    assert word_tokens("Invoice 发票") == ["invoice", "发票"]


def test_category_suggester_learns_the_desks_own_categories():
    texts = ["invoice charged twice", "wrong invoice amount", "refund my payment",
             "parcel not delivered", "tracking number broken", "delivery is late"]
    labels = [7, 7, 7, 9, 9, 9]
    model = CategorySuggester().fit(texts, labels)
    suggested = model.suggest(["I was charged twice on the invoice", "my parcel is late"])
    assert suggested["category"].tolist() == [7, 9]
    assert ((suggested["confidence"] > 0.5) & (suggested["confidence"] <= 1)).all()


def test_category_suggester_needs_two_categories():
    with pytest.raises(ValueError, match="at least two categories"):
        CategorySuggester().fit(["a text", "another"], [1, 1])


def test_category_suggester_beats_majority_on_generated_tickets():
    tickets = generate_tickets(600, seed=5)
    texts = (tickets["subject"] + ". " + tickets["description"]).tolist()
    model = CategorySuggester().fit(texts[:450], tickets["recorded_category"][:450])
    accuracy = np.mean(model.predict(texts[450:]) == tickets["recorded_category"][450:].values)
    majority = (tickets["recorded_category"][450:] ==
                tickets["recorded_category"][:450].mode()[0]).mean()
    assert accuracy > majority + 0.4


def test_topics_are_described_by_their_words():
    texts = ["password reset email never arrives", "cannot reset my password",
             "password locked account", "parcel delivery late", "delivery of parcel missing",
             "parcel delivery wrong address", "invoice charged twice", "wrong invoice total",
             "invoice payment missing", "return label for refund", "refund after return",
             "return the broken item for refund"] * 2
    topics = TopicFinder(n_topics=4).fit(texts)
    described = topics.transform(["my password reset fails", "the parcel delivery"])
    assert "password" in described[0] and "parcel" in described[1]
    assert topics.transform(["zzz"])[0] is None


def test_similar_tickets_rank_closest_first_and_skip_itself():
    solved = ["charged twice on my invoice", "parcel never delivered", "password reset fails"]
    index = SimilarTickets(min_similarity=0.1).fit(solved, [11, 12, 13])
    [hits] = index.similar(["I was charged twice, invoice wrong"])
    assert hits[0][0] == 11 and 0 < hits[0][1] <= 1
    [own] = index.similar(["parcel never delivered"], exclude_ids=[12])
    assert 12 not in [tid for tid, _ in own]
    assert index.similar([]) == []


def test_similar_tickets_ignore_unrelated_texts():
    index = SimilarTickets(min_similarity=0.5).fit(["charged twice on my invoice"], [1])
    assert index.similar(["quantum chromodynamics lecture"]) == [[]]
