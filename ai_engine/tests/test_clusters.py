"""Behaviour clusters: every name agrees with the numbers of the customers it names."""

import datetime as dt

import pandas as pd
import pytest

from ai_engine.datasets.synthetic import generate_history
from ai_engine.features.rfm import customer_summary
from ai_engine.models.clusters import ONE_TIME, BehaviourClusters


@pytest.fixture(scope="module")
def summary():
    end = dt.date(2025, 6, 30)
    tx = generate_history(n_customers=1500, start=end - dt.timedelta(days=900), end=end, seed=7)
    summary = customer_summary(tx, end)
    return summary[summary["frequency"] > 0]


@pytest.fixture(scope="module")
def clusters(summary):
    return BehaviourClusters().fit(summary)


def test_names_follow_each_clusters_own_medians(summary, clusters):
    labels = pd.Series(clusters.predict(summary), index=summary.index)
    median_spend = summary["monetary"].median()
    for label, code in clusters.codes_.items():
        members = summary[labels == label]
        if code["spend"] == "high":
            assert members["monetary"].median() >= median_spend, clusters.names_[label]
        if code["spend"] == "small":
            assert members["monetary"].median() <= median_spend, clusters.names_[label]
        if code["often"] == "frequent":
            assert members["frequency"].median() >= summary["frequency"].median()


def test_a_one_order_customer_is_never_frequent(summary, clusters):
    codes = clusters.explain(summary)
    once = summary["frequency"] == 1
    assert once.any()
    assert {code["often"] for code in codes[once]} == {"one_time"}
    assert (clusters.predict(summary)[once.to_numpy()] == ONE_TIME).all()
    assert "one_time" not in {code["often"] for code in codes[~once]}


def test_names_are_codes_and_english(summary, clusters):
    names = clusters.describe(summary)
    assert names.notna().all() and len(set(names)) >= 3
    assert set(clusters.explain(summary).map(lambda c: c["code"])) == {"cluster"}


def test_a_customer_silent_for_many_of_its_gaps_is_not_called_a_recent_buyer(summary, clusters):
    # On a contact, "Frequent, high-spend recent buyers" sat beside the segment "Can't lose —
    # gone quiet" for a customer silent 107 days who orders every 29.
    codes = clusters.explain(summary)
    names = clusters.describe(summary)
    silence = summary["recency_days"] / summary["mean_gap_days"]
    group_codes = pd.Series(clusters.predict(summary), index=summary.index).map(clusters.codes_)
    in_recent_group = group_codes.map(lambda code: code["when"] == "recent")
    quiet = in_recent_group & (silence > 3)
    assert quiet.any() and (in_recent_group & ~quiet).any()
    assert {code["when"] for code in codes[quiet]} == {"quiet"}
    assert names[quiet].str.endswith("buyers, gone quiet").all()
    assert {code["when"] for code in codes[in_recent_group & ~quiet]} == {"recent"}
    # The others keep their group's name.
    assert (names[~quiet] == pd.Series(clusters.predict(summary), index=summary.index)[
        ~quiet].map(clusters.names_)).all()
