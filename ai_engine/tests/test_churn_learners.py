"""Churn learners: the company's own past picks logistic, blend or booster (inner validation split
in time and by customer); every learner keeps the estimator contract and the reasons."""

import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import HistGradientBoostingClassifier, VotingClassifier

from ai_engine.datasets.synthetic import generate_history
from ai_engine.features.rfm import customer_summary
from ai_engine.models.churn import LEARNERS, SELECTION_MARGIN, ChurnModel

END = pd.Timestamp("2024-12-31")


@pytest.fixture(scope="module")
def history():
    return generate_history(n_customers=1500, seed=5)


@pytest.fixture(scope="module")
def summary(history):
    s = customer_summary(history, END)
    return s[s["frequency"] > 0]


def test_inner_validation_is_split_in_time_and_by_customer(history):
    model = ChurnModel(horizon_days=90)
    data = model.training_set(history, END)
    assert len(data.cutoffs) == 3 and set(data.rank) == {0, 1, 2}
    train, valid = model._validation_split(data)
    assert (data.rank[train] >= 1).all() and (data.rank[valid] == 0).all()
    assert not set(data.customer[train]) & set(data.customer[valid])
    share = len(set(data.customer[valid])) / len(set(data.customer[data.rank == 0]))
    assert 0.25 < share < 0.42


def test_auto_picks_by_the_inner_validation_with_a_margin(history):
    model = ChurnModel(horizon_days=90).fit(history, END)
    v = model.validation_
    assert set(v["auc"]) == set(LEARNERS) and v["chosen"] == model.learner_
    assert v["n_validation"] >= 200 and v["n_train"] > v["n_validation"]
    # The simplest learner unless a richer one beat it by the margin.
    expected = "logistic"
    for name in ("blend", "boosted"):
        if v["auc"][name] >= v["auc"][expected] + SELECTION_MARGIN:
            expected = name
    assert model.learner_ == expected


@pytest.mark.parametrize("learner, kind", [("blend", VotingClassifier),
                                           ("boosted", HistGradientBoostingClassifier)])
def test_every_learner_scores_and_explains(history, summary, learner, kind):
    model = ChurnModel(horizon_days=90, learner=learner).fit(history, END)
    assert isinstance(model.classifier_, kind) and model.learner_ == learner
    p = model.churn_probability(summary)
    assert p.between(0, 1).all() and p.std() > 0.05
    assert model.predict_proba(summary).shape == (len(summary), 2)
    # Occlusion works whatever the learner: the riskiest customers get their reasons.
    risky = summary[p >= 0.6].head(30)
    reasons = model.reasons(risky)
    assert all(1 <= len(r) <= 3 for r in reasons)


def test_the_rule_is_a_feature_of_the_model(history):
    model = ChurnModel(horizon_days=90, learner="logistic").fit(history, END)
    assert "rule_log_odds" in model.features_
    assert model.rule_.horizon_days == model.label_horizon_days_


def test_unknown_learner_is_refused(history):
    with pytest.raises(ValueError, match="Unknown churn learner"):
        ChurnModel(learner="forest").fit(history, END)


def test_a_feature_nobody_has_does_not_break_the_booster(history, summary):
    # Two orders at most each: no customer has a gap spread (three purchase days needed).
    firsts = (history.drop_duplicates(["customer_id", "order_id"])
              .groupby("customer_id").head(2)[["customer_id", "order_id"]])
    short = history.merge(firsts, on=["customer_id", "order_id"])
    model = ChurnModel(horizon_days=90, learner="boosted").fit(short, END)
    assert "gap_std_days" not in model.features_
    s = customer_summary(short, END)
    assert np.isfinite(model.churn_probability(s[s["frequency"] > 0])).all()
