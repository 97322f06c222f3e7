"""Time-split evaluation: learn on history up to ``as_of``, compare with what really happened in
(as_of, as_of + horizon]. Yardsticks: a recency-only baseline, and the transparent rule
(``FallbackChurn``: silence against the customer's usual gap) that serves instead of the model
when the model did not beat it on the same customers (``churn_serving``)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss, roc_auc_score

from ai_engine.errors import DataError
from ai_engine.features.churn_features import churn_labels
from ai_engine.features.rfm import customer_summary
from ai_engine.models.churn import ChurnModel, shift_log_odds
from ai_engine.models.fallback import FallbackChurn
from ai_engine.models.value import BaselineValue, CustomerValue, rhythm_next_order_days
from ai_engine.serving import choose

# The model serves churn only when its back-test AUC is at least the rule's (grade A from +0.01).
SERVING_MARGIN = 0.01


def roc_auc(y, p) -> float | None:
    y = np.asarray(y)
    return float(roc_auc_score(y, p)) if len(np.unique(y)) == 2 else None


def brier(y, p) -> float:
    return float(brier_score_loss(np.asarray(y, dtype=int), np.clip(p, 0, 1)))


def lift_top_decile(y, p) -> float | None:
    """Churn rate among the 10 % highest scores ÷ overall churn rate."""
    y = np.asarray(y, dtype=float)
    if y.mean() == 0:
        return None
    top = np.argsort(-np.asarray(p), kind="stable")[: max(1, int(np.ceil(0.1 * len(y))))]
    return float(y[top].mean() / y.mean())


def scores(y, p) -> dict:
    return {"auc": roc_auc(y, p), "brier": brier(y, p), "lift_top_decile": lift_top_decile(y, p)}


def recency_baseline(tx: pd.DataFrame, as_of, model: ChurnModel, summary: pd.DataFrame
                     ) -> np.ndarray:
    """Logistic regression on log recency alone, trained like the model (same past cutoff and
    label horizon); moved to the horizon by one constant log-odds shift so it ranks by recency
    only."""
    as_of = pd.Timestamp(as_of).normalize()
    label_h = model.label_horizon_days_
    cutoff = as_of - pd.Timedelta(days=label_h)
    past = customer_summary(tx[tx["date"] <= as_of], cutoff)
    past = past[past["frequency"] > 0]
    y = churn_labels(tx[tx["date"] <= as_of], past.index, cutoff, label_h).astype(int)
    if y.nunique() < 2:
        return np.full(len(summary), float(y.mean()))
    fit = LogisticRegression().fit(np.log1p(past[["recency_days"]].to_numpy()), y)
    p = fit.predict_proba(np.log1p(summary[["recency_days"]].to_numpy()))[:, 1]
    if label_h != model.horizon_days:
        p = shift_log_odds(p, model.bg_.p_no_purchase(summary, label_h).mean(),
                           model.bg_.p_no_purchase(summary, model.horizon_days).mean())
    return p


@dataclass
class Evaluation:
    metrics: dict
    outcomes: pd.DataFrame  # per customer: churned, model, baseline, rule


def _check_window(tx_full: pd.DataFrame, as_of, horizon_days: int, history_end=None) -> None:
    """The outcome window must lie inside the history. ``history_end``: the day up to which the
    history is complete — a run's today, since days without orders are news too; by default
    the last order's day (a file says no more)."""
    end = pd.Timestamp(history_end).normalize() if history_end is not None \
        else tx_full["date"].max()
    if end < as_of + pd.Timedelta(days=horizon_days):
        raise DataError(f"The history ends on {end:%Y-%m-%d}, before the end of the "
                        f"{horizon_days}-day evaluation window after {as_of:%Y-%m-%d}.")


def evaluate_at(tx_full: pd.DataFrame, as_of, horizon_days: int, random_state: int = 0,
                support: pd.DataFrame | None = None, history_end=None) -> Evaluation:
    """Fit on history ≤ ``as_of``, score at ``as_of``, compare with (as_of, as_of + horizon].

    ``support``: helpdesk tickets to use as features as well (only those before ``as_of``).
    ``history_end``: see ``_check_window``."""
    as_of = pd.Timestamp(as_of).normalize()
    _check_window(tx_full, as_of, horizon_days, history_end)
    past = tx_full[tx_full["date"] <= as_of]
    model = ChurnModel(horizon_days=horizon_days, random_state=random_state).fit(
        past, as_of, support=support)
    summary = customer_summary(past, as_of)
    summary = summary[summary["frequency"] > 0]
    y = churn_labels(tx_full, summary.index, as_of, horizon_days).astype(int)
    p = model.churn_probability(summary).to_numpy()
    base = recency_baseline(tx_full, as_of, model, summary)
    rule = FallbackChurn(horizon_days=horizon_days).fit(summary).churn_probability(summary)
    metrics = {
        "as_of": as_of.date().isoformat(), "horizon_days": int(horizon_days),
        "n_customers": int(len(y)), "churn_rate": float(y.mean()),
        "label_horizon_days": model.label_horizon_days_, "train_cutoffs": model.train_cutoffs_,
        "learner": model.learner_, "validation": model.validation_,
        "model": scores(y, p),
        # Recency ranks customers by itself: its AUC/lift do not depend on the fitted curve.
        "baseline": {**scores(y, base), "auc": roc_auc(y, summary["recency_days"]),
                     "lift_top_decile": lift_top_decile(y, summary["recency_days"].to_numpy())},
        # What would serve instead of the model: silence against the customer's usual gap.
        "rule": scores(y, rule.to_numpy()),
    }
    outcomes = pd.DataFrame({"churned": y.to_numpy(), "model": p, "baseline": base,
                             "rule": rule.to_numpy()}, index=summary.index)
    return Evaluation(metrics, outcomes)


def churn_serving(outcomes: pd.DataFrame | None, margin: float = SERVING_MARGIN) -> dict:
    """Which serves churn for a company, from its run's back-test ``outcomes``
    (``Evaluation.outcomes``): the learned model or the ``FallbackChurn`` rule, compared on the
    same customers. AUC decides (``serving.choose``, ``margin``); the Brier scores go beside.

    Returns ``choose``'s dict — ``served`` ("model" | "baseline", the baseline being the rule),
    ``grade`` ("A" | "B" | "C" | None), ``model`` and ``baseline`` (their AUCs) — plus
    ``measure`` ("auc"), ``brier`` (``{"model", "baseline"}``) and ``n_customers``. Without a
    back-test (``None``, no rows, or one outcome for everyone) the rule serves, ungraded."""
    if outcomes is None or not len(outcomes) or "rule" not in outcomes.columns:
        model_auc = rule_auc = model_brier = rule_brier = None
    else:
        y = outcomes["churned"].to_numpy()
        model_auc, rule_auc = roc_auc(y, outcomes["model"]), roc_auc(y, outcomes["rule"])
        model_brier, rule_brier = brier(y, outcomes["model"]), brier(y, outcomes["rule"])
    return {**choose(model_auc, rule_auc, margin), "measure": "auc",
            "brier": {"model": model_brier, "baseline": rule_brier},
            "n_customers": 0 if outcomes is None else int(len(outcomes))}


# Customer value: the model serves when its per-customer revenue error on the company's past is
# at most the baseline's; grade A from 5 % lower (``serving.choose``, on MAE).
VALUE_MARGIN = 0.05


def actual_value(tx_full: pd.DataFrame, customers: pd.Index, as_of, horizon_days: int
                 ) -> pd.DataFrame:
    """Per customer: purchase days (``orders``) and net spend (``revenue``) in
    (as_of, as_of + horizon], counted like ``customer_summary`` counts the past."""
    as_of = pd.Timestamp(as_of).normalize()
    window = tx_full[(tx_full["date"] > as_of)
                     & (tx_full["date"] <= as_of + pd.Timedelta(days=horizon_days))]
    orders = (window.groupby(["customer_id", "order_id"], sort=False)
              .agg(date=("date", "min"), net=("amount", "sum")).reset_index())
    bought = orders[orders["net"] > 0]
    actual = pd.DataFrame({
        "orders": bought.groupby("customer_id")["date"].nunique(),
        "revenue": window.groupby("customer_id")["amount"].sum().clip(lower=0),
    }).reindex(customers).fillna(0.0)
    first = bought.groupby("customer_id")["date"].min().reindex(customers)
    actual["first_order_days"] = (first.dt.normalize() - as_of).dt.days.astype(float)
    return actual


def next_order_mae(predicted_days, first_order_days, horizon_days: int) -> float:
    """Mean |predicted − actual| days to the next order, both capped at the horizon, where "no
    date" and "did not order" count as the horizon: a date for a customer who never came back
    costs as much as no date for one who did."""
    cap = float(horizon_days)
    predicted = np.nan_to_num(np.asarray(predicted_days, float), nan=cap).clip(max=cap)
    actual = np.nan_to_num(np.asarray(first_order_days, float), nan=cap).clip(max=cap)
    return float(np.abs(predicted - actual).mean()) if len(actual) else 0.0


def value_scores(actual: pd.DataFrame, predicted: pd.DataFrame, low, high,
                 horizon_days: int) -> dict:
    """Total and per-customer errors of orders and revenue, and how often the range held the
    actual spend — overall and among the customers who bought (a [0, 0] range for someone who
    bought nothing is an easy hit, so the buyers' figure is the honest one)."""
    a_orders, a_revenue = actual["orders"].to_numpy(), actual["revenue"].to_numpy()
    p_orders = predicted["expected_orders"].to_numpy()
    p_revenue = predicted["expected_revenue"].to_numpy()
    inside = (a_revenue >= np.asarray(low) - 0.005) & (a_revenue <= np.asarray(high) + 0.005)
    buyers = a_revenue > 0

    def total_error(p, a):
        return float(p.sum() / a.sum() - 1) if a.sum() > 0 else None

    return {
        "orders_total_error": total_error(p_orders, a_orders),
        "revenue_total_error": total_error(p_revenue, a_revenue),
        "orders_mae": float(np.abs(p_orders - a_orders).mean()),
        "orders_rmse": float(np.sqrt(((p_orders - a_orders) ** 2).mean())),
        "revenue_mae": float(np.abs(p_revenue - a_revenue).mean()),
        "revenue_rmse": float(np.sqrt(((p_revenue - a_revenue) ** 2).mean())),
        "coverage": float(inside.mean()),
        "coverage_buyers": float(inside[buyers].mean()) if buyers.any() else None,
        "next_order_mae_days": next_order_mae(predicted["next_order_days"],
                                              actual["first_order_days"], horizon_days),
    }


def value_at(tx_full: pd.DataFrame, as_of, horizon_days: int, random_state: int = 0,
             history_end=None) -> dict:
    """Fit the value model and its baseline on history ≤ ``as_of``, predict the next
    ``horizon_days``, compare with what the customers really ordered and spent."""
    as_of = pd.Timestamp(as_of).normalize()
    _check_window(tx_full, as_of, horizon_days, history_end)
    summary = customer_summary(tx_full[tx_full["date"] <= as_of], as_of)
    summary = summary[summary["frequency"] > 0]
    actual = actual_value(tx_full, summary.index, as_of, horizon_days)
    metrics = {"as_of": as_of.date().isoformat(), "horizon_days": int(horizon_days),
               "n_customers": int(len(summary)),
               "n_buyers": int((actual["revenue"] > 0).sum()),
               "actual": {"orders": float(actual["orders"].sum()),
                          "revenue": round(float(actual["revenue"].sum()), 2)}}
    for name, model in (("model", CustomerValue(random_state=random_state)),
                        ("baseline", BaselineValue())):
        model.fit(summary)
        # The horizon's ranges are what the back-test grades, not the next 12 months'.
        predicted = model.predict(summary, horizon_days, ranges=False)
        metrics[name] = value_scores(actual, predicted,
                                     *model.spend_range(summary, horizon_days), horizon_days)
        # Its dates with the customer's own rhythm where there is one: the dates' yardstick.
        dated = rhythm_next_order_days(summary, predicted["next_order_days"])
        metrics[name]["rhythm_next_order_mae_days"] = next_order_mae(
            dated, actual["first_order_days"], horizon_days)
    return metrics


def value_serving(backtest: dict | None, margin: float = VALUE_MARGIN) -> dict:
    """Which serves customer value: the model or the baseline (average monthly spend × months ×
    retention), on the per-customer revenue MAE of the run's back-test (``value_at``); grade A
    when the model's is at least ``margin`` (relative) lower. Coverage of the ranges goes
    beside. Without a back-test the baseline serves, ungraded."""
    if not backtest:
        return {**choose(None, None, 0.0), "measure": "revenue_mae", "n_customers": 0}
    model, baseline = backtest["model"], backtest["baseline"]
    decision = choose(model["revenue_mae"], baseline["revenue_mae"],
                      margin * baseline["revenue_mae"], higher_is_better=False)
    return {**decision, "measure": "revenue_mae",
            "coverage": {"model": model["coverage"], "baseline": baseline["coverage"]},
            "coverage_buyers": {"model": model["coverage_buyers"],
                                "baseline": baseline["coverage_buyers"]},
            "n_customers": backtest["n_customers"]}


def next_order_serving(backtest: dict | None, served_value: str,
                       margin: float = VALUE_MARGIN) -> dict:
    """Which dates the next order: the value model that serves (``served_value``: "model" or
    "baseline") or the customer's own rhythm (last order + usual gap; the model's date for
    one-order customers), on the mean days off (``next_order_mae``) in the run's back-test;
    the rhythm, the simpler, serves unless the model is clearly better (grade A), and without
    a back-test."""
    decision_of = {"measure": "next_order_mae_days"}
    scores = (backtest or {}).get(served_value) or {}
    if "rhythm_next_order_mae_days" not in scores:
        return {**choose(None, None, 0.0), **decision_of}
    rhythm, dated = scores["rhythm_next_order_mae_days"], scores["next_order_mae_days"]
    return {**choose(dated, rhythm, margin * rhythm, higher_is_better=False,
                     about_equal="baseline"), **decision_of, "dated_by": served_value}
