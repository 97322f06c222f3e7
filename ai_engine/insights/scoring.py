"""Scoring customers with models fitted once on the whole company, pure and per customer: a part
of the customers gets what it would get among all, so the customers can be scored in one
process or in partitions on many (``ai_engine.distributed``). ``job.score_customers`` fits
(``fit_churn``, ``value.fit_value``) and assembles; this module holds what runs per customer."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ai_engine.errors import DataError
from ai_engine.insights.value import ValueScorer
from ai_engine.models import reasons
from ai_engine.models.churn import ChurnModel
from ai_engine.models.fallback import FallbackChurn

# Upper bound of each churn risk band (the module's ai_contract.CHURN_RISKS, in that order).
RISK_BANDS = [(0.3, "low"), (0.6, "medium"), (np.inf, "high")]
CHURN_METHODS = ("model", "fallback")


def churn_risk(p: pd.Series) -> pd.Series:
    bins = [-np.inf] + [limit for limit, _ in RISK_BANDS]
    return pd.cut(p, bins, labels=[name for _, name in RISK_BANDS], right=False).astype(str)


def fit_churn(past, summary, as_of, horizon, min_repeat, notes, random_state, support=None,
              serving=None) -> tuple[str, ChurnModel | FallbackChurn]:
    """(method, the fitted model or rule) of the company's customers (``summary``).

    ``serving``: the back-test's decision (``churn_serving``); the rule serves when it says the
    baseline does. ``None``: not checked (no back-test asked for), the model serves if it can."""
    n_repeat = int((summary["frequency"] >= 2).sum())
    if n_repeat < min_repeat:
        notes.append(f"only {n_repeat} repeat customers (fewer than {min_repeat}): "
                     "used the transparent fallback rule")
    elif serving is not None and serving["served"] != "model":
        notes.append(_rule_served(serving))
    else:
        try:
            return "model", ChurnModel(horizon_days=horizon, random_state=random_state).fit(
                past, as_of, support=support)
        except DataError as exc:
            notes.append(f"learned model not possible ({exc}): used the transparent fallback")
    return "fallback", FallbackChurn(horizon_days=horizon).fit(summary)


def _rule_served(serving: dict) -> str:
    if serving["grade"] is None:
        return "the model could not be checked on the company's past: used the transparent " \
            "fallback rule"
    return (f"the model ranked the customers of the back-test worse than the transparent "
            f"fallback rule (AUC {serving['model']:.3f} against {serving['baseline']:.3f}): "
            "used the rule")


@dataclass
class CustomerScorer:
    """The churn and value columns of any customers of the company, from models fitted on all
    of them (``churn``: the model or the rule, as ``method`` says; ``value``)."""

    method: str
    churn: ChurnModel | FallbackChurn
    churn_grade: str | None
    value: ValueScorer

    def score(self, summary: pd.DataFrame) -> pd.DataFrame:
        """One row per customer of ``summary`` (a ``customer_summary`` table, all or a part)."""
        prob = self.churn.churn_probability(summary)
        why = self.churn.reasons(summary)
        return pd.DataFrame({
            "churn_probability": prob.round(4),
            "reasons": [reasons.join(r) for r in why],
            "churn_risk": churn_risk(prob),
            "churn_method": self.method,
            "churn_reasons_list": why,
            "churn_grade": self.churn_grade,
        }, index=summary.index).join(self.value.score(summary))
