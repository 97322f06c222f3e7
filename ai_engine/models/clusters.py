"""Behaviour clusters of customers, named from their own medians against the population's.

One-time buyers form a group of their own: a customer with a single order is never called
"Frequent" because the cluster around them orders often. Repeat customers are grouped by KMeans
on standardised log recency, orders and total spend, k chosen by silhouette among 3..6 (fewer
when there are few customers; one group below 10). Each name compares the group's median with the
population's terciles on the same measure it names: orders ("Frequent" needs at least the upper
tercile and three orders), total spend ("high-spend" at or above the upper tercile, never below
the population's median; "low-spend" at or below the lower one) and days since the last order
("recent", "lapsing", "long gone"); a customer of a recent group silent for more than three of
its own usual gaps is "gone quiet", as its segment says. Names are kept as codes for Odoo to word
in the reader's language, and rendered in English for the engine's own outputs.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClusterMixin
from sklearn.cluster import KMeans
from sklearn.metrics import silhouette_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler
from sklearn.utils.validation import check_is_fitted
from threadpoolctl import threadpool_limits

from ai_engine.explanations import CLUSTERS, explain, render
from ai_engine.features.rfm import RECENT_DAYS
from ai_engine.features.segments import overdue

COLUMNS = ["recency_days", "frequency", "monetary"]
MIN_CUSTOMERS = 10
ONE_TIME = -1  # the label of the one-time buyers' group


def _matrix(summary: pd.DataFrame) -> np.ndarray:
    return summary[COLUMNS].astype(float).clip(lower=0).fillna(0).to_numpy()


def _tercile(value: float, low: float, high: float) -> str:
    return "high" if value >= high else "low" if value <= low else "mid"


def describe_group(median: pd.Series, population: pd.DataFrame) -> dict:
    """A group's name as codes: how often, how much, how recently, against the population."""
    q = population[COLUMNS].astype(float).quantile([1 / 3, 0.5, 2 / 3])
    if median["frequency"] <= 1:
        often = "one_time"
    elif median["frequency"] >= max(q.loc[2 / 3, "frequency"], 3):
        often = "frequent"
    else:
        often = "occasional"
    spend = {"high": "high", "mid": "mid", "low": "small"}[_tercile(
        median["monetary"], q.loc[1 / 3, "monetary"], max(q.loc[2 / 3, "monetary"],
                                                          q.loc[0.5, "monetary"]))]
    if q.loc[1 / 3, "recency_days"] == q.loc[2 / 3, "recency_days"]:  # one day for everyone
        when = "recent" if median["recency_days"] <= RECENT_DAYS else "lapsing"
    else:
        when = {"low": "recent", "mid": "lapsing", "high": "gone"}[_tercile(
            median["recency_days"], q.loc[1 / 3, "recency_days"],
            q.loc[2 / 3, "recency_days"])]
    return explain("cluster", often=often, spend=spend, when=when)


class BehaviourClusters(ClusterMixin, BaseEstimator):
    def __init__(self, k_min: int = 3, k_max: int = 6, random_state: int = 0,
                 silhouette_sample: int = 3000):
        self.k_min = k_min
        self.k_max = k_max
        self.random_state = random_state
        self.silhouette_sample = silhouette_sample

    def fit(self, summary: pd.DataFrame, y=None):
        repeat = summary["frequency"].to_numpy() > 1
        self.model_, self.silhouette_ = self._kmeans(_matrix(summary[repeat]))
        labels = np.full(len(summary), ONE_TIME)
        if self.model_ is not None:
            labels[repeat] = self.model_[-1].labels_
        else:
            labels[repeat] = 0
        self.labels_ = labels
        self.codes_ = self._codes(summary, labels)
        self.names_ = self._names(self.codes_)
        return self

    def _kmeans(self, X: np.ndarray):
        """The best KMeans pipeline by silhouette, or None for too few distinct customers."""
        n_distinct = len(np.unique(X, axis=0)) if len(X) else 0
        k_max = min(self.k_max, n_distinct, len(X) // 5)
        candidates = range(max(2, min(self.k_min, k_max)), k_max + 1) \
            if len(X) >= MIN_CUSTOMERS else []
        best, best_score = None, -np.inf
        for k in candidates:
            model = make_pipeline(FunctionTransformer(np.log1p), StandardScaler(),
                                  KMeans(k, n_init=4, random_state=self.random_state))
            with threadpool_limits(1, user_api="openmp"):
                model.fit(X)
            score = silhouette_score(model[:-1].transform(X), model[-1].labels_,
                                     sample_size=min(len(X), self.silhouette_sample),
                                     random_state=self.random_state)
            if score > best_score:
                best, best_score = model, score
        return best, (float(best_score) if best is not None else None)

    @staticmethod
    def _codes(summary: pd.DataFrame, labels: np.ndarray) -> dict[int, dict]:
        if len(np.unique(labels)) == 1:
            return {int(labels[0]) if len(labels) else ONE_TIME: explain("all_customers")}
        return {int(label): describe_group(summary[labels == label][COLUMNS].median(), summary)
                for label in np.unique(labels)}

    @staticmethod
    def _names(codes: dict[int, dict]) -> dict[int, str]:
        """English names; two clusters with the same description are told apart by a number."""
        names: dict[int, str] = {}
        for label, code in codes.items():
            name = render(code, CLUSTERS)
            taken = sum(1 for n in names.values() if n.startswith(name))
            names[label] = name if not taken else f"{name} ({taken + 1})"
        return names

    def predict(self, summary: pd.DataFrame) -> np.ndarray:
        check_is_fitted(self, "labels_")
        repeat = summary["frequency"].to_numpy() > 1
        labels = np.full(len(summary), ONE_TIME)
        if repeat.any():
            labels[repeat] = (self.model_.predict(_matrix(summary[repeat]))
                              if self.model_ is not None else 0)
        known = np.isin(labels, list(self.codes_))  # one group for everybody, or a group unseen
        return np.where(known, labels, next(iter(self.codes_)))

    def describe(self, summary: pd.DataFrame) -> pd.Series:
        """Cluster name per customer, in English."""
        labels = pd.Series(self.predict(summary), index=summary.index)
        codes = labels.map(self.codes_)
        quiet = _gone_quiet(summary, codes)
        return labels.map(self.names_).where(~quiet, codes[quiet].map(
            lambda code: render({**code, "when": "quiet"}, CLUSTERS))).rename("cluster")

    def explain(self, summary: pd.DataFrame) -> pd.Series:
        """Cluster name per customer as codes (``ai_engine.explanations``); a customer of a
        group of recent buyers who has been silent for more than ``OVERDUE_GAPS`` of its own
        usual gaps is named as gone quiet (as its segment is), not as a recent buyer."""
        labels = pd.Series(self.predict(summary), index=summary.index)
        codes = labels.map(self.codes_)
        quiet = _gone_quiet(summary, codes)
        return codes.where(~quiet, codes[quiet].map(lambda code: {**code, "when": "quiet"})
                           ).rename("cluster_code")


def _gone_quiet(summary: pd.DataFrame, codes: pd.Series) -> pd.Series:
    """Customers named "recent buyers" by their group whose own silence says otherwise."""
    recent = codes.map(lambda code: code.get("when") == "recent")
    return recent & overdue(summary).reindex(codes.index, fill_value=False)
