"""Contact insights, pure: ``score_customers`` turns transactions into one row of insights per
customer (see docs/ARCHITECTURE.md); ``run`` is what an insights run does with them."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ai_engine.errors import DataError
from ai_engine.features.churn_features import default_horizon
from ai_engine.features.rfm import customer_summary, rfm_scores
from ai_engine.features.segments import assign_segments
from ai_engine.insights import value as customer_value
from ai_engine.insights.evaluate import churn_serving, evaluate_at
from ai_engine.insights.scoring import CustomerScorer, fit_churn
from ai_engine.insights.state import InsightsState, settings_of
from ai_engine.io import notes_of, validate_transactions
from ai_engine.models.clusters import BehaviourClusters

SCORES_COLUMNS = [
    "customer_id", "recency_days", "frequency", "monetary", "rfm_score", "segment", "cluster",
    "churn_probability", "reasons", "segment_code", "churn_risk", "churn_method", "clv",
    "churn_reasons_list", "cluster_code", "usual_gap_days", "churn_grade",
    *customer_value.VALUE_SCORE_COLUMNS, "value_band", "value_method", "value_grade",
    "value_reasons",
]


@dataclass
class ScoringResult:
    scores: pd.DataFrame  # SCORES_COLUMNS, one row per customer with at least one purchase
    metrics: dict  # JSON-able: horizon, method, counts, backtest, serving, notes
    horizon_days: int  # 0: nothing scored (a run on a company without sales)
    backtest: pd.DataFrame | None = field(default=None, repr=False)  # churned/model/baseline
    state: InsightsState | None = field(default=None, repr=False)  # for runs of changes
    save_state_to: Path | None = None  # where the load step keeps ``state`` (Inputs')


@dataclass
class Inputs:
    transactions: pd.DataFrame  # the transactions table of confirmed order lines
    support: pd.DataFrame | None = None  # helpdesk tickets (``features.support``), if any
    # A run of the changed customers: their transactions alone, and the full run's models.
    state: InsightsState | None = None
    state_path: Path | None = None  # where a full run's models are kept for those runs


def _backtest(past, as_of, horizon, min_repeat, notes, random_state, support=None):
    cutoff = as_of - pd.Timedelta(days=horizon)
    earlier = customer_summary(past, cutoff)
    if int((earlier["frequency"] >= 2).sum()) < min_repeat:
        notes.append(f"no backtest: too few repeat customers before {cutoff:%Y-%m-%d}")
        return None, None
    try:
        evaluation = evaluate_at(past, cutoff, horizon, random_state=random_state,
                                 support=support, history_end=as_of)
    except DataError as exc:
        notes.append(f"no backtest: {exc}")
        return None, None
    return evaluation.metrics, evaluation.outcomes


def _support_decision(past, as_of, horizon, min_repeat, notes, random_state, support):
    """Back-test the churn model with and without the helpdesk features; keep them only when
    they ranked customers better on the company's own past. Returns (support to use, report,
    back-test of the chosen model)."""
    without = _backtest(past, as_of, horizon, min_repeat, [], random_state)
    with_tickets = _backtest(past, as_of, horizon, min_repeat, notes, random_state, support)
    if not (without[0] and with_tickets[0]):
        return None, {"tickets": int(len(support)), "used": False,
                      "why": "no back-test possible"}, without
    auc_without, auc_with = without[0]["model"]["auc"], with_tickets[0]["model"]["auc"]
    used = auc_with is not None and auc_without is not None and auc_with > auc_without
    report = {"tickets": int(len(support)), "first_ticket": f"{support['date'].min():%Y-%m-%d}",
              "auc_with": auc_with, "auc_without": auc_without, "used": bool(used)}
    notes.append("helpdesk ticket features " + ("improved" if used else "did not improve")
                 + f" the back-test AUC ({auc_without} without, {auc_with} with): "
                 + ("used" if used else "left out"))
    return (support if used else None), report, (with_tickets if used else without)


def score_customers(tx: pd.DataFrame, as_of=None, horizon_days: int | None = None,
                    min_repeat_customers: int = 50, backtest: bool = True,
                    random_state: int = 0, progress: Callable[[str], None] | None = None,
                    support: pd.DataFrame | None = None,
                    score_parts: Callable | None = None) -> ScoringResult:
    """Score every customer with a purchase on or before ``as_of`` (default: the last date).

    ``score_parts(scorer, summary)``: how the fitted ``CustomerScorer`` scores the customers'
    summary (default: in this process, at once); ``ai_engine.distributed`` passes one that
    scores partitions on a Dask cluster.

    ``support``: helpdesk tickets (``features.support``); the churn model uses them when they
    improve its back-test, and the metrics say whether they did.

    ``backtest``: the model is checked on the company's past, and serves only when it ranked
    those customers at least as well as the transparent rule (``churn_serving``); otherwise, or
    when no back-test is possible, the rule serves. ``metrics["serving"]["churn"]`` and each
    row's ``churn_grade`` say which served and the grade. Without ``backtest`` the model serves
    unchecked (no grade)."""
    say = progress or (lambda message: None)
    tx = validate_transactions(tx)
    as_of = pd.Timestamp(as_of if as_of is not None else tx["date"].max()).normalize()
    past = tx[tx["date"] <= as_of]
    if past.empty:
        raise DataError(f"No transactions on or before {as_of:%Y-%m-%d}; the first one is on "
                        f"{tx['date'].min():%Y-%m-%d}.")
    if horizon_days is not None and int(horizon_days) < 1:
        raise DataError("The churn horizon must be at least 1 day.")
    horizon = int(horizon_days) if horizon_days else default_horizon(past)
    notes: list[str] = notes_of(tx)
    summary = customer_summary(past, as_of)
    skipped = int((summary["frequency"] == 0).sum())
    summary = summary[summary["frequency"] > 0]
    if summary.empty:
        raise DataError("No customer has an order with a positive amount on or before "
                        f"{as_of:%Y-%m-%d}: nothing to score.")
    if skipped:
        notes.append(f"{skipped} customers with only refunds or zero-amount orders were not scored")
    say("RFM scores and segments")
    scores_rfm = rfm_scores(summary)
    rfm = scores_rfm.join(assign_segments(scores_rfm, summary))
    say("Behaviour clusters")
    clusters = BehaviourClusters(random_state=random_state).fit(summary)
    support_report, back_metrics, back_outcomes = None, None, None
    if support is not None and len(support) and backtest:
        say("Back-test with and without helpdesk tickets")
        support, support_report, (back_metrics, back_outcomes) = _support_decision(
            past, as_of, horizon, min_repeat_customers, notes, random_state, support)
    else:
        support = None
    n_repeat = int((summary["frequency"] >= 2).sum())
    if backtest and support_report is None and n_repeat >= min_repeat_customers:
        say("Backtest")
        back_metrics, back_outcomes = _backtest(past, as_of, horizon, min_repeat_customers,
                                                notes, random_state)
    # The run's own back-test decides whether the model or the rule serves (grade A/B/C).
    serving = churn_serving(back_outcomes) if backtest else None
    say("Churn model")
    method, churn = fit_churn(past, summary, as_of, horizon, min_repeat_customers, notes,
                              random_state, support, serving)
    if serving is not None and serving["served"] == "model" and method != "model":
        serving = {**serving, "served": "baseline", "grade": None}  # the model could not fit
    say("Customer value")
    value_back = customer_value.backtest(past, as_of, horizon, notes, random_state) \
        if backtest else None
    value, value_decisions = customer_value.fit_value(
        past, summary, as_of, horizon, notes, value_back, checked=backtest,
        random_state=random_state)
    say("Scoring each customer")
    scorer = CustomerScorer(method, churn, serving["grade"] if serving else None, value)
    per_customer = (score_parts or CustomerScorer.score)(scorer, summary).reindex(summary.index)
    scores = _assemble(summary, rfm, clusters, per_customer)
    scores["value_band"] = customer_value.value_bands(scores["clv_12m"])
    clv_12m = scores["clv_12m"]
    scores = scores.reset_index()
    metrics = {
        "as_of": as_of.date().isoformat(), "horizon_days": horizon, "method": method,
        "n_customers": int(len(scores)),
        "n_repeat_customers": n_repeat,
        "mean_churn_probability": float(scores["churn_probability"].mean()),
        "segments": scores["segment_code"].value_counts().to_dict(),
        "clusters": scores["cluster"].value_counts().to_dict(),
        "backtest": back_metrics, "value_backtest": value_back, "notes": notes,
    }
    if serving is not None:
        metrics["serving"] = {"churn": serving}
    if value_decisions:
        metrics.setdefault("serving", {}).update(value_decisions)
    if support_report:
        metrics["helpdesk_features"] = support_report
    settings = settings_of({"horizon_days": horizon_days,
                            "min_repeat_customers": min_repeat_customers})
    state = InsightsState(as_of, settings, scorer, clusters, summary, clv_12m, metrics)
    return ScoringResult(scores[SCORES_COLUMNS], metrics, horizon, back_outcomes, state)


def _assemble(summary, rfm, clusters, per_customer) -> pd.DataFrame:
    """The scores of ``summary``'s customers but their value band (index customer_id)."""
    scores = pd.DataFrame({
        "recency_days": summary["recency_days"].astype(int),
        "frequency": summary["frequency"].astype(int),
        "monetary": summary["monetary"].round(2),
        "rfm_score": rfm["rfm_score"], "segment": rfm["segment"],
        "cluster": clusters.describe(summary),
        "segment_code": rfm["segment_code"],
        "cluster_code": clusters.explain(summary),
        "usual_gap_days": summary["mean_gap_days"].round(1),
    }, index=summary.index).join(per_customer)
    # One 12-month value everywhere: the one the value model (or its baseline) served.
    scores["clv"] = scores["clv_12m"]
    return scores


def score_changes(tx: pd.DataFrame, state: InsightsState, as_of) -> ScoringResult:
    """The customers of ``tx`` (their whole history: those whose orders changed) scored as of
    ``as_of`` with the models of a full run (``state``), among its population: their RFM
    quintiles and value bands are ranked against every customer of that run, these customers'
    old figures replaced by their new ones. Nothing is learned."""
    as_of = pd.Timestamp(as_of).normalize()
    tx = validate_transactions(tx) if len(tx) else tx
    summary = customer_summary(tx, as_of) if len(tx) else state.population.iloc[:0]
    summary = summary[summary["frequency"] > 0]
    population = pd.concat([state.population.drop(summary.index, errors="ignore"), summary])
    rfm = rfm_scores(population).loc[summary.index]
    rfm = rfm.join(assign_segments(rfm, summary))
    scores = _assemble(summary, rfm, state.clusters, state.scorer.score(summary))
    clv = pd.concat([state.clv_12m.drop(summary.index, errors="ignore"), scores["clv_12m"]])
    scores["value_band"] = customer_value.value_bands(clv).reindex(summary.index)
    scores = scores.reset_index()
    models_of = f"{state.as_of:%Y-%m-%d}"
    metrics = {
        **{key: state.metrics[key] for key in ("horizon_days", "method", "backtest",
                                                "value_backtest", "serving")
           if key in state.metrics},
        "scope": "changes", "as_of": as_of.date().isoformat(), "models_as_of": models_of,
        "n_customers": int(len(scores)),  # the run form's summary says which models served
    }
    return ScoringResult(scores[SCORES_COLUMNS], metrics, state.metrics["horizon_days"])


def run(inputs: Inputs, params: dict, today, log) -> ScoringResult:
    """An insights run's scores as of ``today``. ``params``: the company's settings that Odoo
    hands over with the claimed run."""
    tx = inputs.transactions
    if inputs.state is not None:
        started = time.perf_counter()
        result = score_changes(tx, inputs.state, today)
        log(f"Scored {len(result.scores)} customers whose orders changed in "
            f"{time.perf_counter() - started:.1f}s (models of the full run as of "
            f"{result.metrics['models_as_of']})")
        return result
    if tx.empty:
        log("No confirmed sale orders: nothing to score.")
        return ScoringResult(pd.DataFrame(columns=SCORES_COLUMNS),
                             {"n_customers": 0, "notes": ["no confirmed sale orders yet"]},
                             horizon_days=0)
    started = time.perf_counter()
    result = score_customers(tx, as_of=today, horizon_days=params.get("horizon_days") or None,
                             min_repeat_customers=params.get("min_repeat_customers") or 50,
                             support=inputs.support)
    result.save_state_to = inputs.state_path
    log(f"Scored {len(result.scores)} customers in {time.perf_counter() - started:.1f}s "
        f"(horizon {result.horizon_days} days)")
    for note in result.metrics.get("notes", []):
        log(note)
    return result
