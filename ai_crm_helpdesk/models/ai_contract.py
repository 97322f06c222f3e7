"""The helpdesk bridge's half of the engine contract (see ai_crm's models/ai_contract.py)."""

from odoo.tools.translate import LazyTranslate

_lt = LazyTranslate(__name__)

SENTIMENTS = [("negative", "Negative"), ("neutral", "Neutral"), ("positive", "Positive")]
LANGUAGES = [
    ("en", "English"),
    ("zh", "Chinese"),
    ("de", "German"),
    ("fr", "French"),
    ("es", "Spanish"),
    ("unknown", "Unknown language"),
]
# A ticket's topic when the desk has no categories yet: the topic's top words.
TOPICS = {"topic_words": _lt("Top words: %(words)s")}

TASK_NEEDS = {"helpdesk": ("insights",)}
