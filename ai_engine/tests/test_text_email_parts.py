"""email_body: greetings and sign-offs go, the customer's words stay."""

import pytest

from ai_engine.text.email_parts import email_body


@pytest.mark.parametrize("text, body", [
    ("Hello support team,\nThe scanner jams on every page.\n\nKind regards,\nPeter Janssens\n"
     "Facilities manager", "The scanner jams on every page."),
    ("Hi,\nThe invoice is wrong.\nThank you in advance.\nBest regards\nSarah | Acme\nTel. 123",
     "The invoice is wrong."),
    ("Sehr geehrte Damen und Herren,\nder Drucker ist kaputt.\nMit freundlichen Grüßen\nP. Jansen",
     "der Drucker ist kaputt."),
    ("Madame, Monsieur,\nla commande est cassée.\nCordialement,\nPierre",
     "la commande est cassée."),
    ("Buenos días:\nEl pedido llegó roto.\nUn saludo,\nPedro García", "El pedido llegó roto."),
    ("您好，\n打印机坏了。\n此致\n敬礼\n王伟", "打印机坏了。"),
    # A greeting on the same line as the message: only the greeting goes.
    ("Hello, the order arrived broken.", "the order arrived broken."),
    ("The machine broke again.\nThanks", "The machine broke again."),
])
def test_greeting_and_sign_off_are_removed(text, body):
    assert email_body(text) == body


@pytest.mark.parametrize("text", [
    "Problem solved, thanks!",                          # thanks inside a sentence stays
    "Best product we ever bought.",                     # "Best" opens a sentence, not a closing
    "Kind regards",                                     # nothing else: the text is kept
    "Hello World is printed on every receipt.",         # a greeting word opening a sentence
])
def test_message_words_are_kept(text):
    assert email_body(text) == text


def test_closing_far_from_the_end_is_message_not_sign_off():
    # A "Thanks" line followed by more than a signature's worth of lines is part of the message.
    text = "Thanks\n" + "\n".join(f"line {i} of the complaint" for i in range(8))
    assert email_body("Order 12\n" + text) == "Order 12\n" + text


def test_empty():
    assert email_body("") == ""
