"""Churn: calibrated P(no purchase in the next ``horizon_days``) per customer, with reasons.

How (see docs/ARCHITECTURE.md):
1. Snapshots in the past: at cutoffs ``as_of − L``, ``as_of − L − L/2``, … compute features from
   history up to the cutoff (RFM, rhythm, trend, BG/NBD quantities, and the estimate of the
   ``FallbackChurn`` rule that would serve instead of the model) and the real outcome
   "no purchase in (cutoff, cutoff + L]". ``L`` is the horizon when the history is long enough,
   else half the history (CDNOW-like data: a 273-day horizon on 9 months of history).
2. The company's own past picks the learner (``learner="auto"``): a regularised logistic
   regression on standardised features, a gradient-boosted classifier, or the mean of the two.
   Inner validation, split in time *and* by customer: the learners are fitted on the older
   cutoffs of two thirds of the customers and score the newest cutoff of the other third; the
   logistic regression serves unless a richer learner ranked those customers better by at
   least ``SELECTION_MARGIN`` AUC. Splitting by customer matters: the same customer's snapshots
   are near-duplicates with overlapping outcome windows, and a booster that has seen them looks
   better than it is (measured, bench/reports/churn_quality.md). On small training sets the
   logistic regression serves, calibrated by a sigmoid fitted by cross-validation.
3. At ``as_of`` the same features give P(no purchase in L). When ``L`` is shorter than the
   horizon, the probabilities are moved to the horizon on the log-odds scale by the BG/NBD's
   population-average change between ``L`` and the horizon (BG/NBD extrapolates horizons
   consistently); the ranking stays the classifier's.
4. Reasons by occlusion: reset one group of the customer's history to a typical repeat
   customer's value; the groups whose reset lowers the probability most are the reasons.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import expit, logit
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import HistGradientBoostingClassifier, VotingClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.validation import check_is_fitted
from threadpoolctl import threadpool_limits

from ai_engine.errors import DataError
from ai_engine.features.churn_features import churn_features, churn_labels
from ai_engine.features.rfm import customer_summary
from ai_engine.features.support import SUPPORT_FEATURES, with_support
from ai_engine.models import reasons
from ai_engine.models.bgnbd import BetaGeoModel
from ai_engine.models.fallback import FallbackChurn, reference_customer

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
# below it a sigmoid fitted by 3-fold CV calibrates them, and the logistic regression serves.
SELF_CALIBRATED_ROWS = 2000
# Learners, simplest first: a richer one serves only when it beat the simpler by this much AUC
# on the inner validation (about the noise of that comparison on a 5,000-customer company).
LEARNERS = ("logistic", "blend", "boosted")
SELECTION_MARGIN = 0.002
VALIDATION_SHARE = 1 / 3  # of the customers, held out of the inner fits
MIN_VALIDATION_ROWS = 200


@dataclass
class TrainingSet:
    """The past snapshots a model learns from: one row per customer and cutoff."""
    X: pd.DataFrame  # churn_features at the row's cutoff
    y: pd.Series  # 1 = no purchase in (cutoff, cutoff + label_horizon_days]
    customer: np.ndarray  # customer_id of each row
    rank: np.ndarray  # 0 = the newest cutoff, 1 = the one before, …
    cutoffs: list[pd.Timestamp]
    label_horizon_days: int


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


class ChurnModel(ClassifierMixin, BaseEstimator):
    """``fit(tx, as_of)`` learns from the past of ``as_of``; ``churn_probability(summary)`` and
    ``reasons(summary)`` score a ``customer_summary(tx, as_of)`` table.

    ``learner``: ``"auto"`` (the inner validation picks), or one of ``LEARNERS`` to force it."""

    def __init__(self, horizon_days: int = 90, snapshots: int = 3, C: float = 0.3,
                 learner: str = "auto", random_state: int = 0, n_threads: int = 1):
        self.horizon_days = horizon_days
        self.snapshots = snapshots
        self.C = C
        self.learner = learner
        self.random_state = random_state
        # One thread: the tables are small, and threads fight badly on a busy machine.
        self.n_threads = n_threads

    def _classifier(self, learner: str = "logistic"):
        """An unfitted classifier of one of ``LEARNERS``."""
        # One-time buyers have no gap: the median stands in, frequency says they bought once.
        logistic = make_pipeline(SimpleImputer(strategy="median"), StandardScaler(),
                                 LogisticRegression(C=self.C, max_iter=2000))
        if learner == "logistic":
            return logistic
        # Missing values (one-timers' gaps, short histories' trends) are split on as they are.
        # Settings chosen on the generated history, CDNOW and The Complete Journey (small
        # leaves over-fit companies of a few thousand customers); no early stopping, whose
        # random hold-out would share customers with the training rows.
        boosted = HistGradientBoostingClassifier(
            learning_rate=0.05, max_iter=200, max_leaf_nodes=15, min_samples_leaf=50,
            l2_regularization=1.0, early_stopping=False, random_state=self.random_state)
        if learner == "boosted":
            return boosted
        if learner == "blend":
            return VotingClassifier([("logistic", logistic), ("boosted", boosted)],
                                    voting="soft")
        raise ValueError(f"Unknown churn learner {learner!r}: use 'auto' or one of {LEARNERS}.")

    def _label_horizon(self, span_days: int) -> int:
        """The full horizon if it leaves as much history before the cutoff, else half the span."""
        if span_days - self.horizon_days >= min(self.horizon_days, 180):
            return int(self.horizon_days)
        return int(span_days // 2)

    def _rule(self, summary: pd.DataFrame, label_h: int) -> FallbackChurn | None:
        """The rule that would serve instead of the model, fitted at a cutoff: its estimate is a
        feature (``None``: no rule feature)."""
        return FallbackChurn(horizon_days=label_h).fit(summary)

    def _snapshot(self, past: pd.DataFrame, cutoff: pd.Timestamp, label_h: int):
        summary = customer_summary(past, cutoff)
        summary = with_support(summary[summary["frequency"] > 0], self.support_, cutoff)
        bg = BetaGeoModel().fit(summary)
        return (churn_features(summary, bg, label_h, self._rule(summary, label_h)),
                churn_labels(past, summary.index, cutoff, label_h))

    def training_set(self, tx: pd.DataFrame, as_of, support: pd.DataFrame | None = None
                     ) -> TrainingSet:
        """The snapshots ``fit`` learns from (also what a benchmark trains its own models on).
        Sets ``support_``, the helpdesk tickets the features are computed with."""
        self.support_ = support
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
        return TrainingSet(
            X=pd.concat([p[0] for p in parts], ignore_index=True),
            y=pd.concat([p[1] for p in parts], ignore_index=True).astype(int),
            customer=np.concatenate([p[0].index.to_numpy() for p in parts]),
            rank=np.concatenate([np.full(len(p[0]), k) for k, p in enumerate(parts)]),
            cutoffs=cutoffs, label_horizon_days=label_h)

    def fit(self, tx: pd.DataFrame, as_of, y=None, support: pd.DataFrame | None = None):
        """``support``: helpdesk tickets (``features.support``) to learn from as well."""
        if self.learner != "auto" and self.learner not in LEARNERS:
            raise ValueError(f"Unknown churn learner {self.learner!r}: use 'auto' or one of "
                             f"{LEARNERS}.")
        with threadpool_limits(self.n_threads):
            return self._fit(tx, as_of, support)

    def _validation_split(self, data: TrainingSet) -> tuple[np.ndarray, np.ndarray]:
        """Inner fits: older cutoffs of two thirds of the customers; validation: the newest
        cutoff of the others (one cutoff only: all of the others' rows)."""
        customers = pd.unique(data.customer)
        rng = np.random.default_rng(self.random_state)
        held = customers[rng.random(len(customers)) < VALIDATION_SHARE]
        in_validation = pd.Index(data.customer).isin(held)
        if data.rank.max() >= 1:
            return (data.rank >= 1) & ~in_validation, (data.rank == 0) & in_validation
        return ~in_validation, in_validation

    def _select(self, data: TrainingSet) -> tuple[str, dict]:
        """The learner that serves, and the inner validation that chose it."""
        if self.learner != "auto":
            return self.learner, {"chosen": self.learner, "why": "set by the caller"}
        if len(data.X) < SELF_CALIBRATED_ROWS:
            return "logistic", {"chosen": "logistic",
                                "why": f"fewer than {SELF_CALIBRATED_ROWS} training rows"}
        train, valid = self._validation_split(data)
        y_train, y_valid = data.y[train], data.y[valid]
        if (valid.sum() < MIN_VALIDATION_ROWS or y_valid.nunique() < 2
                or y_train.nunique() < 2):
            return "logistic", {"chosen": "logistic", "why": "too few rows to validate on"}
        X_train, X_valid = data.X.loc[train, self.features_], data.X.loc[valid, self.features_]
        p = {name: self._classifier(name).fit(X_train, y_train).predict_proba(X_valid)[:, 1]
             for name in ("logistic", "boosted")}
        p["blend"] = (p["logistic"] + p["boosted"]) / 2
        auc = {name: float(roc_auc_score(y_valid, p[name])) for name in LEARNERS}
        chosen = LEARNERS[0]
        for name in LEARNERS[1:]:
            if auc[name] >= auc[chosen] + SELECTION_MARGIN:
                chosen = name
        return chosen, {"chosen": chosen, "auc": auc, "n_train": int(train.sum()),
                        "n_validation": int(valid.sum())}

    def _fit(self, tx: pd.DataFrame, as_of, support: pd.DataFrame | None = None):
        as_of = pd.Timestamp(as_of).normalize()
        data = self.training_set(tx, as_of, support)
        X, y_train, label_h = data.X, data.y, data.label_horizon_days
        if len(X) < MIN_TRAIN_CUSTOMERS or y_train.nunique() < 2:
            raise DataError(f"Not enough past outcomes to learn churn ({len(X)} customer "
                            "histories, all with the same outcome or too few).")
        # A feature nobody has a value for (no repeat buyer yet, no product ids) says nothing.
        self.features_ = [c for c in X.columns if X[c].notna().any()]
        self.learner_, self.validation_ = self._select(data)
        classifier = self._classifier(self.learner_)
        cv = int(min(3, y_train.value_counts().min()))
        if len(X) >= SELF_CALIBRATED_ROWS or cv < 2:
            # Log-loss on enough rows is calibrated already; isotonic re-calibration cost AUC on
            # CDNOW (its steps tie customers) and did not improve Brier.
            self.classifier_ = classifier.fit(X[self.features_], y_train)
        else:
            self.classifier_ = CalibratedClassifierCV(classifier, method="sigmoid", cv=cv).fit(
                X[self.features_], y_train)
        self.classes_ = np.array([0, 1])
        self.as_of_ = as_of
        self.label_horizon_days_ = label_h
        self.train_cutoffs_ = [c.date().isoformat() for c in data.cutoffs]
        self.n_train_ = len(X)
        self.train_churn_rate_ = float(y_train.mean())
        past = tx[tx["date"] <= as_of]
        scoring = customer_summary(past, as_of)
        scoring = with_support(scoring[scoring["frequency"] > 0], self.support_, as_of)
        self.bg_ = BetaGeoModel().fit(scoring)
        self.rule_ = self._rule(scoring, label_h)
        self.reference_ = reference_customer(scoring)
        # The population's chance of no purchase over the label horizon and over the asked
        # one, fixed here: a customer's probability does not depend on who else is scored with
        # it (a part of the customers, one partition of many, the occluded copies of reasons).
        self.level_ = (float(self.bg_.p_no_purchase(scoring, label_h).mean()),
                       float(self.bg_.p_no_purchase(scoring, self.horizon_days).mean()))
        return self

    def _probability(self, summary: pd.DataFrame) -> np.ndarray:
        summary = with_support(summary, self.support_, self.as_of_)
        X = churn_features(summary, self.bg_, self.label_horizon_days_, self.rule_)
        with threadpool_limits(self.n_threads):
            p = self.classifier_.predict_proba(X[self.features_])[:, 1]
        if self.label_horizon_days_ != self.horizon_days:
            # One population-wide shift keeps the classifier's ranking (a per-customer shift
            # cost 0.01 AUC on CDNOW); the BG/NBD only sets the level for the longer horizon.
            p = shift_log_odds(p, *self.level_)
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
        # Each customer's groups by effect, biggest first (the first group on ties), those of
        # at least ``min_effect``: in numpy, as per-row pandas sorts took 2/3 of the reasons.
        groups = np.array(list(effects), dtype=object)
        values = np.column_stack(list(effects.values())) if effects else np.zeros((len(base), 0))
        order = np.argsort(-values, axis=1, kind="stable")
        kept = np.take_along_axis(values, order, axis=1) >= min_effect
        ranked = [groups[row[keep]].tolist() for row, keep in zip(order, kept, strict=True)]
        return reasons.sentences(summary, self.reference_, ranked, top, risky=base >= 0.3)
