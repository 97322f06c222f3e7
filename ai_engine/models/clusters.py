"""Behaviour clusters: KMeans on standardised log recency/frequency/order value, named in words.

k is chosen by silhouette among 3..6 (fewer when there are few customers; one group below 10).
Names compare each cluster's median with the population's quantiles, e.g.
"Frequent, high-spend recent buyers" or "One-time, small-basket buyers, long gone", and are
kept as codes for Odoo to word in the reader's language.
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

COLUMNS = ["recency_days", "frequency", "avg_order_value"]
MIN_CUSTOMERS = 10


def _matrix(summary: pd.DataFrame) -> np.ndarray:
    return summary[COLUMNS].astype(float).clip(lower=0).fillna(0).to_numpy()


def _describe(median: pd.Series, population: pd.DataFrame) -> dict:
    """The cluster's name as codes: how often, how much, how recently, against the population."""
    q = population.quantile([0.33, 0.67])
    if median["frequency"] <= 1:
        often = "one_time"
    elif median["frequency"] >= max(q.loc[0.67, "frequency"], 3):
        often = "frequent"
    else:
        often = "occasional"
    spend = ("high" if median["avg_order_value"] >= q.loc[0.67, "avg_order_value"]
             else "small" if median["avg_order_value"] <= q.loc[0.33, "avg_order_value"]
             else "mid")
    when = ("recent" if median["recency_days"] <= q.loc[0.33, "recency_days"]
            else "gone" if median["recency_days"] >= q.loc[0.67, "recency_days"]
            else "lapsing")
    return explain("cluster", often=often, spend=spend, when=when)


class BehaviourClusters(ClusterMixin, BaseEstimator):
    def __init__(self, k_min: int = 3, k_max: int = 6, random_state: int = 0,
                 silhouette_sample: int = 3000):
        self.k_min = k_min
        self.k_max = k_max
        self.random_state = random_state
        self.silhouette_sample = silhouette_sample

    def fit(self, summary: pd.DataFrame, y=None):
        X = _matrix(summary)
        n_distinct = len(np.unique(X, axis=0))
        k_max = min(self.k_max, n_distinct, len(X) // 5)
        candidates = list(range(min(self.k_min, k_max), k_max + 1)) if len(X) >= MIN_CUSTOMERS \
            else []
        best, best_score = None, -np.inf
        for k in candidates:
            if k < 2:
                continue
            model = make_pipeline(FunctionTransformer(np.log1p), StandardScaler(),
                                  KMeans(k, n_init=4, random_state=self.random_state))
            with threadpool_limits(1, user_api="openmp"):
                model.fit(X)
            labels = model[-1].labels_
            score = silhouette_score(model[:-1].transform(X), labels,
                                     sample_size=min(len(X), self.silhouette_sample),
                                     random_state=self.random_state)
            if score > best_score:
                best, best_score = model, score
        self.model_ = best
        self.silhouette_ = float(best_score) if best is not None else None
        labels = best[-1].labels_ if best is not None else np.zeros(len(X), dtype=int)
        self.labels_ = labels
        self.codes_ = self._codes(summary, labels)
        self.names_ = self._names(self.codes_)
        return self

    @staticmethod
    def _codes(summary: pd.DataFrame, labels: np.ndarray) -> dict[int, dict]:
        population = summary[COLUMNS].astype(float)
        if len(np.unique(labels)) == 1:
            return {int(labels[0]) if len(labels) else 0: explain("all_customers")}
        return {int(label): _describe(population[labels == label].median(), population)
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
        if self.model_ is None:
            return np.zeros(len(summary), dtype=int)
        return self.model_.predict(_matrix(summary))

    def describe(self, summary: pd.DataFrame) -> pd.Series:
        """Cluster name per customer, in English."""
        names = pd.Series(self.predict(summary), index=summary.index).map(self.names_)
        return names.rename("cluster")

    def explain(self, summary: pd.DataFrame) -> pd.Series:
        """Cluster name per customer as codes (``ai_engine.explanations``)."""
        labels = pd.Series(self.predict(summary), index=summary.index)
        return labels.map(self.codes_).rename("cluster_code")
