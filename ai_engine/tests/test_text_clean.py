"""Ticket HTML/text -> plain text and sentences."""

import time

import pytest

from ai_engine.text.clean import MAX_CHARS, split_sentences, to_plain_text


@pytest.mark.parametrize("value", [None, "", "   \n\t ", 42])
def test_nothing_gives_empty_text(value):
    assert to_plain_text(value) == ""


def test_html_is_stripped_entities_unescaped_and_blocks_kept_apart():
    text = to_plain_text("<div><p>Hello&nbsp;&amp; <b>welcome</b>!</p><p>Second&#33;</p>"
                         "<script>alert('x')</script><style>p {}</style>Bye<br>now</div>")
    assert text == "Hello & welcome!\nSecond!\nBye\nnow"


def test_plain_text_keeps_emoji_and_angle_brackets_and_collapses_spaces():
    assert to_plain_text("I  love   it 😍🎉 &lt;3") == "I love it 😍🎉 <3"
    assert to_plain_text("if a < b and c > d") == "if a < b and c > d"


def test_one_megabyte_is_cut_fast():
    for raw in ("<p>" + "word " * 200_000 + "</p>", "x" * 1_000_000, "<b>" * 300_000):
        started = time.perf_counter()
        text = to_plain_text(raw)
        assert time.perf_counter() - started < 0.5
        assert len(text) <= MAX_CHARS


def test_a_tag_cut_in_half_by_the_cap_does_not_leak():
    raw = "<p>" + "a" * (8 * MAX_CHARS - 10) + "<span class='very-long"
    assert "<span" not in to_plain_text(raw)


def test_sentences_european_and_chinese():
    assert split_sentences("Hello there. Bad service!  Why? Ok…then") == [
        "Hello there.", "Bad service!", "Why?", "Ok…then"]
    assert split_sentences("质量太差了。为什么还没发货？我很生气！好吧；算了") == [
        "质量太差了。", "为什么还没发货？", "我很生气！", "好吧；", "算了"]
    assert split_sentences("first line\nsecond line") == ["first line", "second line"]
    assert split_sentences("") == [] and split_sentences(None) == []


def test_quoted_reply_and_signature_marked_by_odoo_are_not_the_customers_words():
    # What Odoo stores for a customer's e-mail reply: its sanitizer marks the quoted earlier
    # message (here the agent's answer) and the signature with data-o-mail-quote="1".
    body = ('<p>Still broken, I am angry.</p><div data-o-mail-quote-container="1">'
            '<div data-o-mail-quote="1">On Mon, Support wrote:<br><p>We are <b>so sorry</b>, '
            'thanks for your patience!</p></div></div>'
            '<p>Call me.</p><span data-o-mail-quote="1">-- <br>Anna</span>'
            '<blockquote>older thread</blockquote><p>Today<br>please.</p>')
    assert to_plain_text(body) == "Still broken, I am angry.\nCall me.\nToday\nplease."
