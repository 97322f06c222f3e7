"""The body of an e-mail-like ticket: without its greeting line and its sign-off.

Tickets arrive as e-mails. "Kind regards", "Thank you in advance", "Mit freundlichen Grüßen" and
a signature are politeness, not the customer's mood, yet a sentiment model reads them as
positive: wrapped in a greeting and a sign-off, a complaint came out neutral or positive
(bench/reports/sentiment_quality.md, "Ticket-style texts wrapped in an e-mail"). Only formulas
on lines of their own are removed, so "Problem solved, thanks!" keeps its thanks.
"""

from __future__ import annotations

import re

# A greeting at the very start: the formula and up to a few words ("Dear support team,"), up to
# the end of its line or its comma/colon ("Hello, the order arrived broken" keeps the rest).
_GREETING = re.compile(
    r"^\s*(hello|hi|hey|dear|good (morning|afternoon|evening)|greetings|to whom it may concern"
    r"|hallo|guten (tag|morgen|abend)|sehr geehrte[rs]?|liebe[rs]?|moin|servus"
    r"|bonjour|bonsoir|salut|madame,? monsieur|madame|monsieur|cher|chère|messieurs"
    r"|hola|buen(os|as) (días|tardes|noches)|estimad[oa]s?"
    r"|您好|你好|尊敬的)\b[^\n.!?。！？]{0,40}?[,:!，：！]?\s*(\n|$|(?<=[,:!，：！]))",
    re.IGNORECASE)
# A closing formula alone on its line (trailing punctuation allowed).
_CLOSING = re.compile(
    r"^\s*((with )?(kind|best|warm|warmest|many)?\s*(regards|wishes)|sincerely"
    r"|yours( sincerely| faithfully| truly)?|cheers|best|many thanks|thx"
    r"|thanks?( you)?( (so much|a lot|again|in advance))?"
    r"|mit freundlichen grüßen|freundliche grüße|(viele|beste|liebe|herzliche) grüße|grüße|gruß"
    r"|mfg|(vielen )?dank( im voraus)?|danke( im voraus| schön)?"
    r"|(bien )?cordialement|bien à vous|(sincères )?salutations( distinguées)?"
    r"|merci( d'avance| par avance| beaucoup)?|bonne journée|veuillez agréer.*"
    r"|(un )?saludos?( cordiales)?|atentamente|cordialmente"
    r"|(muchas )?gracias( de antemano| por adelantado)?|quedo a la espera.*|un abrazo"
    r"|此致|敬礼|谢谢|先谢谢了|祝好|顺祝商祺|多谢)\s*[,.!:;，。！]*\s*$",
    re.IGNORECASE)
# Lines after a closing that may still be a signature (name, role, company, phone).
MAX_SIGNATURE_LINES = 6


def email_body(text: str) -> str:
    """``text`` without a leading greeting and without a closing line near the end and the
    signature after it. Returns ``text`` unchanged when nothing else would be left."""
    if not text:
        return ""
    lines = text.split("\n")
    last_candidate = max(0, len(lines) - 1 - MAX_SIGNATURE_LINES)
    for i in range(len(lines) - 1, last_candidate - 1, -1):
        if i > 0 and _CLOSING.match(lines[i]):
            lines = lines[:i]
            # A second formula just above it: "Thank you in advance." then "Best regards".
            while len(lines) > 1 and _CLOSING.match(lines[-1]):
                lines.pop()
            break
    body = _GREETING.sub("", "\n".join(lines), count=1).strip()
    return body or text
