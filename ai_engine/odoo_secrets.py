"""Secrets never leave in a message: the API key and a password in the Odoo URL are replaced in
every error, in what the engine stores in Odoo about a run and in odoorpc's debug log (which
writes every request, key included)."""

from __future__ import annotations

import json
import logging
from urllib.parse import quote, quote_plus

REDACTED = "[redacted]"
_ESCAPES = (lambda s: json.dumps(s)[1:-1], lambda s: repr(s)[1:-1],
            lambda s: quote(s, safe=""), quote_plus)


class Redactor:
    """Replaces each secret, as written or escaped once or twice by JSON, Python or URL
    quoting (a request echoed in an error, then logged as a Python dict)."""

    def __init__(self, secrets=()):
        forms = set(filter(None, secrets))
        for _depth in range(2):
            forms |= {escape(form) for form in forms for escape in _ESCAPES}
        self.forms = sorted(forms, key=len, reverse=True)

    def __call__(self, text) -> str:
        text = str(text)
        for form in self.forms:
            text = text.replace(form, REDACTED)
        return text

    def scrub(self, value):
        """``value`` with every string in it redacted (lists and dicts walked)."""
        if isinstance(value, str):
            return self(value)
        if isinstance(value, (list, tuple)):
            return [self.scrub(v) for v in value]
        if isinstance(value, dict):
            return {key: self.scrub(v) for key, v in value.items()}
        return value


class RedactingFilter(logging.Filter):
    """Redacts log records (message, arguments, traceback) before any handler writes them."""

    def __init__(self, redactor: Redactor):
        super().__init__()
        self.redactor = redactor

    def filter(self, record: logging.LogRecord) -> bool:
        if self.redactor.forms:
            record.msg, record.args = self.redactor(record.getMessage()), None
            if record.exc_info and not record.exc_text:
                record.exc_text = logging.Formatter().formatException(record.exc_info)
            if record.exc_text:
                record.exc_text = self.redactor(record.exc_text)
            if record.stack_info:
                record.stack_info = self.redactor(record.stack_info)
        return True


# odoorpc logs every request it sends at DEBUG level, API key included: redact the secrets of
# every client this process made, whoever turns that log on.
ODOORPC_SECRETS: set[str] = set()


class _OdoorpcLogFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return RedactingFilter(Redactor(ODOORPC_SECRETS)).filter(record)


logging.getLogger("odoorpc.rpc.jsonrpclib").addFilter(_OdoorpcLogFilter())
