"""Churn serving: the run's back-test compares the model with the FallbackChurn rule on the same
customers, and the rule serves whenever the model did not rank them at least as well."""

import numpy as np
import pandas as pd
import pytest

from ai_engine.datasets.synthetic import generate_history
from ai_engine.insights.evaluate import SERVING_MARGIN, churn_serving, evaluate_at

END = pd.Timestamp("2024-12-31")


def outcomes(model, rule, churned):
    return pd.DataFrame({"churned": churned, "model": model, "baseline": model, "rule": rule})


def test_model_serves_when_it_ranks_better_than_the_rule():
    churned = [1, 1, 1, 0, 0, 0]
    got = churn_serving(outcomes([0.9, 0.8, 0.7, 0.3, 0.2, 0.1],
                                 [0.9, 0.2, 0.7, 0.8, 0.3, 0.1], churned))
    assert got["served"] == "model" and got["grade"] == "A" and got["measure"] == "auc"
    assert got["model"] == 1.0 and got["baseline"] == pytest.approx(6 / 9)
    assert got["brier"]["model"] < got["brier"]["baseline"]
    assert got["n_customers"] == 6


def test_rule_serves_when_it_ranks_better_than_the_model():
    churned = [1, 1, 1, 0, 0, 0]
    got = churn_serving(outcomes([0.9, 0.2, 0.7, 0.8, 0.3, 0.1],
                                 [0.9, 0.8, 0.7, 0.3, 0.2, 0.1], churned))
    assert got["served"] == "baseline" and got["grade"] == "C"
    assert got["model"] < got["baseline"] == 1.0


def test_about_as_good_keeps_the_model_with_grade_b():
    churned = np.array([1, 0] * 50)
    model = np.linspace(0, 1, 100)[::-1] * 0.2 + churned * 0.5
    rule = model + np.where(np.arange(100) == 1, 0.3, 0.0)  # one pair mis-ranked by the rule
    got = churn_serving(outcomes(model, rule, churned))
    assert 0 <= got["model"] - got["baseline"] < SERVING_MARGIN
    assert got["served"] == "model" and got["grade"] == "B"


def test_without_a_backtest_the_rule_serves_ungraded():
    for missing in (None, outcomes([], [], []), outcomes([0.2, 0.4], [0.1, 0.3], [1, 1])):
        got = churn_serving(missing)
        assert got["served"] == "baseline" and got["grade"] is None
        assert got["model"] is None and got["baseline"] is None


def test_backtest_scores_the_rule_beside_the_model_and_recency():
    history = generate_history(n_customers=1500, seed=3)
    evaluation = evaluate_at(history, END - pd.Timedelta(days=90), 90)
    m = evaluation.metrics
    for key in ("model", "baseline", "rule"):
        assert set(m[key]) == {"auc", "brier", "lift_top_decile"}
    assert m["learner"] in ("logistic", "blend", "boosted") and m["validation"]["chosen"]
    assert list(evaluation.outcomes.columns) == ["churned", "model", "baseline", "rule"]
    assert evaluation.outcomes["rule"].between(0, 1).all()
    got = churn_serving(evaluation.outcomes)
    assert got["model"] == pytest.approx(m["model"]["auc"])
    assert got["baseline"] == pytest.approx(m["rule"]["auc"])
    # Generated history: the model ranks clearly better than the rule.
    assert got["served"] == "model" and got["grade"] == "A"
