"""The engine's half of the contract with the Odoo modules: what it sends, defined once.

Each list below is the engine's own (imported from where it is used); this file only gathers
them. ``scripts/check_contract.py`` compares them with what the modules accept and fails the
test command on any difference. A key is the name of the Odoo field it fills (``ai_`` dropped
on core models).
"""

from ai_engine import explanations
from ai_engine.features.segments import SEGMENTS as _SEGMENTS
from ai_engine.helpdesk.load import TICKET_KEYS
from ai_engine.insights.load import INSIGHT_KEYS
from ai_engine.insights.scoring import CHURN_METHODS, RISK_BANDS
from ai_engine.insights.value import VALUE_BANDS, VALUE_METHODS
from ai_engine.models.suggestion_model import SOURCES
from ai_engine.retention import evaluate as retention_evaluate
from ai_engine.retention import load as retention_load
from ai_engine.sales import SALES_COLUMNS
from ai_engine.serving import GRADES
from ai_engine.suggestions.load import AFFINITY_KEYS, SUGGESTION_KEYS
from ai_engine.text.language import SUPPORTED, UNKNOWN
from ai_engine.text.linear import LABELS

# Odoo model → the keys of the rows the engine writes there (``ai_write``).
TARGETS = {
    "ai.partner.insight": list(INSIGHT_KEYS.values()),
    "ai.customer.suggestion": SUGGESTION_KEYS,
    "ai.product.affinity": AFFINITY_KEYS,
    "helpdesk.ticket": TICKET_KEYS,
    "ai.retention.wave": retention_load.WAVE_KEYS + retention_load.EFFECT_KEYS,
    "ai.retention.wave.member": retention_load.MEMBER_KEYS,
}
# The module's list of the same name → the columns the engine reads from a module's answer, in
# their order (``sale.order.line.ai_read_sales``).
COLUMNS = {"SALES_COLUMNS": SALES_COLUMNS}
# The module's list of the same name → the values the engine sends.
VALUES = {
    "CHURN_RISKS": [band for _limit, band in RISK_BANDS],
    "CHURN_METHODS": list(CHURN_METHODS),
    "GRADES": list(GRADES),
    "SUGGESTION_SOURCES": list(SOURCES),
    "SENTIMENTS": list(LABELS),
    "LANGUAGES": [*SUPPORTED, UNKNOWN],
    "VALUE_BANDS": [band for _share, band in VALUE_BANDS],
    "VALUE_METHODS": list(VALUE_METHODS),
    "RETENTION_CONCLUSIONS": list(retention_evaluate.CONCLUSIONS),
}
EXPLANATIONS = {
    "CHURN_REASONS": explanations.CHURN_REASONS,
    "CLUSTERS": explanations.CLUSTERS,
    "SUGGESTION_REASONS": explanations.SUGGESTION_REASONS,
    "TOPICS": explanations.TOPICS,
    "VALUE_REASONS": explanations.VALUE_REASONS,
}
CLUSTER_PARTS = explanations.CLUSTER_PARTS
# task → the tasks whose results it reads from Odoo (it must run after them).
TASK_NEEDS = {"suggestions": ("insights",), "helpdesk": ("insights",),
              "retention": ("insights", "suggestions")}
SEGMENTS = {segment.code: (segment.name, segment.meaning) for segment in _SEGMENTS}
