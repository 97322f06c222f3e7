"""Ticket HTML or text -> plain text, and plain text -> sentences (European and Chinese)."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

# A ticket's tone is set by its first paragraphs; scoring cost grows with length and the model
# was trained on snippets and reviews of a few hundred characters. So only the first 5,000
# characters of plain text are kept (a 1 MB paste of logs costs no more than a long e-mail).
MAX_CHARS = 5_000
# HTML carries markup, so more raw input is read before the plain-text cap applies.
MAX_RAW_CHARS = 8 * MAX_CHARS

_BLOCK_TAGS = {"br", "p", "div", "li", "tr", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6",
               "blockquote", "pre", "hr", "table", "ul", "ol", "section", "article"}
_SKIPPED_TAGS = {"script", "style", "head", "title", "blockquote"}
# Odoo's mail sanitizer (odoo/tools/mail.py, tag_quote) marks quoted replies and signatures of
# incoming e-mails with data-o-mail-quote="1": when a customer answers by e-mail, the agent's
# earlier answer is quoted below and must not be read as the customer's words.
_QUOTE_ATTRIBUTE = ("data-o-mail-quote", "1")
_VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
              "source", "track", "wbr"}
_HTML_HINT = re.compile(r"<\s*/?\s*[a-zA-Z!][^>]*>")
_SPACES = re.compile(r"[^\S\n]+")  # whitespace except newlines
_NEWLINES = re.compile(r"\s*\n\s*")
# End of a sentence: European punctuation followed by a space, Chinese/full-width punctuation
# (no space follows in Chinese), or a line break (ticket lines often lack punctuation).
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+|(?<=[。！？；!?;])|\n+")


class _TextCollector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)  # entities come out unescaped
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in _VOID_TAGS:  # no end tag follows: never opens a skipped element
            if not self._skip and tag in _BLOCK_TAGS:
                self.parts.append("\n")
        elif self._skip:  # inside a skipped element: count depth until it closes
            self._skip += 1
        elif tag in _SKIPPED_TAGS or _QUOTE_ATTRIBUTE in attrs:
            self._skip = 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in _VOID_TAGS:
            return
        if self._skip:
            self._skip -= 1
        if not self._skip and tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def _strip_html(raw: str) -> str:
    cut = raw.rfind("<")
    if cut > raw.rfind(">"):  # the cap may have split a tag: drop the half tag
        raw = raw[:cut]
    parser = _TextCollector()
    parser.feed(raw)
    parser.close()
    return "".join(parser.parts)


def to_plain_text(html_or_text: str | None) -> str:
    """Plain text of a ticket body: tags and scripts removed, entities unescaped, whitespace
    collapsed (one newline between blocks), emoji kept, at most ``MAX_CHARS`` characters."""
    if not html_or_text or not isinstance(html_or_text, str):
        return ""
    raw = html_or_text[:MAX_RAW_CHARS]
    text = _strip_html(raw) if _HTML_HINT.search(raw) else html.unescape(raw)
    text = _NEWLINES.sub("\n", _SPACES.sub(" ", text.replace("\xa0", " "))).strip()
    return text[:MAX_CHARS].rstrip()


def split_sentences(text: str | None) -> list[str]:
    """Sentences of plain text, split at . ! ? … and Chinese 。！？； and at line breaks."""
    if not text:
        return []
    return [s.strip() for s in _SENTENCE_END.split(text) if s and s.strip()]
