"""Churn: calibrated P(no purchase in the next ``horizon_days``) per customer, with reasons.

How (see docs/ARCHITECTURE.md):
1. Snapshots in the past: at cutoffs ``as_of − L``, ``as_of − L − L/2``, … compute features from
   history up to the cutoff (RFM, rhythm, trend and BG/NBD quantities) and the real outcome
   "no purchase in (cutoff, cutoff + L]". ``L`` is the horizon when the history is long enough,
   else half the history (CDNOW-like data: a 273-day horizon on 9 months of history).
2. A regularised logistic regression on standardised features learns outcome ~ features; on
   small training sets a sigmoid fitted by cross-validation calibrates it. It beat a tuned
   gradient-boosted classifier on every data set we measured (bench/reports/churn_quality.md):
   the signal is smooth and monotone, and a booster over-fits small companies.
3. At ``as_of`` the same features give P(no purchase in L). When ``L`` is shorter than the
   horizon, the probabilities are moved to the horizon on the log-odds scale by the BG/NBD's
   population-average change between ``L`` and the horizon (BG/NBD extrapolates horizons
   consistently); the ranking stays the classifier's.
4. Reasons by occlusion: reset one group of the customer's history to a typical repeat
   customer's value; the groups whose reset lowers the probability most are the reasons.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import expit, logit
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.validation import check_is_fitted
from threadpoolctl import threadpool_limits

from ai_engine.errors import DataError
from ai_engine.features.churn_features import churn_features, churn_labels
from ai_engine.features.rfm import customer_summary
from ai_engine.features.support import SUPPORT_FEATURES, with_support
from ai_engine.models import reasons
from ai_engine.models.bgnbd import BetaGeoModel

# Reason group → summary columns reset together when occluding it.
GROUPS = {
    "recency": ["recency_days"],
    "frequency": ["frequency", "purchase_days", "orders_90d", "orders_365d"],
    "trend": ["spend_trend"],
    "value": ["monetary", "avg_order_value"],
    "rhythm": ["mean_gap_days", "gap_std_days"],
    "refunds": ["refund_share"],
    "age": ["age_days"],
    "support": SUPPORT_FEATURES,
}
MIN_TRAIN_CUSTOMERS = 30
# From this many training rows on, the classifier's own probabilities are used as they are;
# below it a sigmoid fitted by 3-fold CV calibrates them.
SELF_CALIBRATED_ROWS = 2000


def _consistent(summary: pd.DataFrame) -> pd.DataFrame:
    """Keep a partly reset history possible: recency ≤ age, counts ≤ frequency."""
    s = summary.copy()
    s["recency_days"] = np.minimum(s["recency_days"], s["age_days"])
    s["tenure_days"] = s["age_days"] - s["recency_days"]
    s["purchase_days"] = np.minimum(s["purchase_days"], s["frequency"])
    for column in ("orders_90d", "orders_365d"):
        s[column] = np.minimum(s[column], s["frequency"])
    return s


def shift_log_odds(p, p_from, p_to, eps: float = 1e-4) -> np.ndarray:
    """Move ``p`` on the log-odds scale by the change from ``p_from`` to ``p_to``."""
    def lo(q):
        return logit(np.clip(q, eps, 1 - eps))
    return expit(lo(p) + lo(p_to) - lo(p_from))


def reference_customer(summary: pd.DataFrame) -> pd.Series:
    """Median of repeat customers (everyone if nobody bought twice): the occlusion baseline."""
    repeat = summary[summary["frequency"] >= 2]
    return (repeat if len(repeat) else summary).median(numeric_only=True)


class ChurnModel(ClassifierMixin, BaseEstimator):
    """``fit(tx, as_of)`` learns from the past of ``as_of``; ``churn_probability(summary)`` and
    ``reasons(summary)`` score a ``customer_summary(tx, as_of)`` table."""

    def __init__(self, horizon_days: int = 90, snapshots: int = 3, C: float = 0.3,
                 random_state: int = 0, n_threads: int = 1):
        self.horizon_days = horizon_days
        self.snapshots = snapshots
        self.C = C
        self.random_state = random_state
        # One thread: the tables are small, and threads fight badly on a busy machine.
        self.n_threads = n_threads

    def _classifier(self) -> Pipeline:
        # One-time buyers have no gap: the median stands in, frequency says they bought once.
        return make_pipeline(SimpleImputer(strategy="median"), StandardScaler(),
                             LogisticRegression(C=self.C, max_iter=2000))

    def _label_horizon(self, span_days: int) -> int:
        """The full horizon if it leaves as much history before the cutoff, else half the span."""
        if span_days - self.horizon_days >= min(self.horizon_days, 180):
            return int(self.horizon_days)
        return int(span_days // 2)

    def _snapshot(self, past: pd.DataFrame, cutoff: pd.Timestamp, label_h: int):
        summary = customer_summary(past, cutoff)
        summary = with_support(summary[summary["frequency"] > 0], self.support_, cutoff)
        bg = BetaGeoModel().fit(summary)
        return churn_features(summary, bg, label_h), churn_labels(past, summary.index, cutoff,
                                                                   label_h)

    def fit(self, tx: pd.DataFrame, as_of, y=None, support: pd.DataFrame | None = None):
        """``support``: helpdesk tickets (``features.support``) to learn from as well."""
        self.support_ = support
        with threadpool_limits(self.n_threads):
            return self._fit(tx, as_of)

    def _fit(self, tx: pd.DataFrame, as_of):
        as_of = pd.Timestamp(as_of).normalize()
        past = tx[tx["date"] <= as_of]
        span = int((as_of - past["date"].min()).days) if len(past) else 0
        label_h = self._label_horizon(span)
        if label_h < 14:
            raise DataError(f"Only {span} days of history: too short to learn churn from.")
        step = max(14, label_h // 2)
        cutoffs = [as_of - pd.Timedelta(days=label_h + k * step) for k in range(self.snapshots)]
        # Extra snapshots only where the history before them is as long as at the first one:
        # cutoffs inside an acquisition wave teach the wrong lesson (measured on CDNOW).
        cutoffs = [c for c in cutoffs if (c - past["date"].min()).days >= min(label_h, 180)
                   ] or cutoffs[:1]
        parts = [self._snapshot(past, c, label_h) for c in cutoffs]
        X = pd.concat([p[0] for p in parts], ignore_index=True)
        y_train = pd.concat([p[1] for p in parts], ignore_index=True).astype(int)
        if len(X) < MIN_TRAIN_CUSTOMERS or y_train.nunique() < 2:
            raise DataError(f"Not enough past outcomes to learn churn ({len(X)} customer "
                            "histories, all with the same outcome or too few).")
        classifier = self._classifier()
        cv = int(min(3, y_train.value_counts().min()))
        if len(X) >= SELF_CALIBRATED_ROWS or cv < 2:
            # Log-loss on enough rows is calibrated already; isotonic re-calibration cost AUC on
            # CDNOW (its steps tie customers) and did not improve Brier.
            self.classifier_ = classifier.fit(X, y_train)
        else:
            self.classifier_ = CalibratedClassifierCV(classifier, method="sigmoid", cv=cv).fit(
                X, y_train)
        self.classes_ = np.array([0, 1])
        self.as_of_ = as_of
        self.label_horizon_days_ = label_h
        self.train_cutoffs_ = [c.date().isoformat() for c in cutoffs]
        self.n_train_ = len(X)
        self.train_churn_rate_ = float(y_train.mean())
        scoring = customer_summary(past, as_of)
        scoring = with_support(scoring[scoring["frequency"] > 0], self.support_, as_of)
        self.bg_ = BetaGeoModel().fit(scoring)
        self.reference_ = reference_customer(scoring)
        return self

    def _probability(self, summary: pd.DataFrame) -> np.ndarray:
        summary = with_support(summary, self.support_, self.as_of_)
        X = churn_features(summary, self.bg_, self.label_horizon_days_)
        with threadpool_limits(self.n_threads):
            p = self.classifier_.predict_proba(X)[:, 1]
        if self.label_horizon_days_ != self.horizon_days:
            # One population-wide shift keeps the classifier's ranking (a per-customer shift
            # cost 0.01 AUC on CDNOW); the BG/NBD only sets the level for the longer horizon.
            p = shift_log_odds(p, X["bg_p_no_purchase"].mean(),
                               self.bg_.p_no_purchase(summary, self.horizon_days).mean())
        return np.clip(p, 0.0, 1.0)

    def churn_probability(self, summary: pd.DataFrame) -> pd.Series:
        """P(no purchase in the next ``horizon_days``) for a ``customer_summary`` at ``as_of_``."""
        check_is_fitted(self, "classifier_")
        return pd.Series(self._probability(summary), index=summary.index, name="churn_probability")

    def predict_proba(self, summary: pd.DataFrame) -> np.ndarray:
        p = self.churn_probability(summary).to_numpy()
        return np.column_stack([1 - p, p])

    def predict(self, summary: pd.DataFrame) -> np.ndarray:
        return (self.churn_probability(summary).to_numpy() >= 0.5).astype(int)

    def reasons(self, summary: pd.DataFrame, top: int = 3, min_effect: float = 0.01
                ) -> list[list[str]]:
        """Up to ``top`` sentences per customer, biggest contribution to the risk first."""
        check_is_fitted(self, "classifier_")
        summary = with_support(summary, self.support_, self.as_of_)
        base = self._probability(summary)
        effects = {}
        for group, columns in GROUPS.items():
            if not set(columns) <= set(summary.columns):
                continue
            occluded = summary.copy()
            for column in columns:
                occluded[column] = self.reference_[column]
            effects[group] = base - self._probability(_consistent(occluded))
        effect = pd.DataFrame(effects, index=summary.index)
        ranked = [[g for g in row.sort_values(ascending=False).index if row[g] >= min_effect]
                  for _, row in effect.iterrows()]
        return reasons.sentences(summary, self.reference_, ranked, top, risky=base >= 0.3)
