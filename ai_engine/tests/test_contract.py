"""The engine <-> module contract check: silent on the real code, loud on every kind of drift."""

import importlib.util
from pathlib import Path
from types import SimpleNamespace

import pytest

from ai_engine import contract as engine

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "check_contract.py"


@pytest.fixture(scope="module")
def check():
    spec = importlib.util.spec_from_file_location("check_contract", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def module_side(check):
    return (*check.module_side(), check.module_segments())


def drifted(**changes):
    """The engine's contract with some of its lists changed."""
    names = ("TARGETS", "COLUMNS", "VALUES", "EXPLANATIONS", "CLUSTER_PARTS", "TASK_NEEDS",
             "SEGMENTS")
    return SimpleNamespace(**{**{name: getattr(engine, name) for name in names}, **changes})


def test_the_shipped_code_keeps_the_contract(check, module_side):
    assert check.compare(engine, *module_side) == []


def test_the_module_side_is_read_from_both_modules(module_side):
    contract, converters, segments = module_side
    assert {"ai.partner.insight", "ai.customer.suggestion", "ai.product.affinity",
            "helpdesk.ticket"} <= set(converters)
    assert contract["TASK_NEEDS"] == {"suggestions": ["insights"], "helpdesk": ["insights"],
                                      "retention": ["insights", "suggestions"]}
    assert "silence_vs_own_gap" in contract["CHURN_REASONS"] and len(segments) == 11


@pytest.mark.parametrize("changes, says", [
    ({"TARGETS": {**engine.TARGETS, "ai.partner.insight": ["partner_id", "mood"]}},
     "does not accept the keys ['mood']"),
    ({"VALUES": {**engine.VALUES, "CHURN_RISKS": ["low", "medium", "high", "extreme"]}},
     "CHURN_RISKS: the module does not accept ['extreme']"),
    ({"EXPLANATIONS": {**engine.EXPLANATIONS, "CHURN_REASONS": {
        **engine.EXPLANATIONS["CHURN_REASONS"], "one_order": "Only {orders} order"}}},
     "the engine fills ['orders']"),
    ({"EXPLANATIONS": {**engine.EXPLANATIONS, "TOPICS": {"topic_vibes": "Vibes"}}},
     "no text for it"),
    ({"CLUSTER_PARTS": {**engine.CLUSTER_PARTS, "when": {"asleep": "asleep"}}},
     "no text for ['asleep']"),
    ({"TASK_NEEDS": {"suggestions": ("insights",)}}, "TASK_NEEDS"),
    ({"COLUMNS": {"SALES_COLUMNS": [*engine.COLUMNS["SALES_COLUMNS"][:-1], "subtotal"]}},
     "SALES_COLUMNS: the engine reads the columns"),
    ({"SEGMENTS": {**engine.SEGMENTS, "loyal": ("Loyal", "Buy regularly.")}},
     "segment 'loyal'"),
])
def test_every_kind_of_drift_is_reported(check, module_side, changes, says):
    errors = check.compare(drifted(**changes), *module_side)
    assert any(says in error for error in errors), errors
