"""Retention calls, pure: which customers are worth a call this week (``eligible``), who of them
is called and who is kept as a control group (``draw_wave``), and what past waves brought
(``evaluate``); ``run`` is what a retention run does with them."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ai_engine.features.churn_features import default_horizon
from ai_engine.features.rfm import customer_summary
from ai_engine.features.segments import gone_quiet
from ai_engine.retention import evaluate

# Churn risks at which a valuable customer is worth a call (the insights' bands).
CALL_RISKS = ("medium", "high")
# Segments past a call: a win-back offer, not a call, is what they need.
LOST_SEGMENTS = ("lost",)
WAVE_EVERY_DAYS = 7
ASSIGNMENTS = ("treated", "control")
CUSTOMER_COLUMNS = ["customer_id", "user_id", "churn_probability", "churn_risk", "clv",
                    "monetary", "segment_code", "excluded"]
WAVE_COLUMNS = ["customer_id", "user_id", "assignment", "rank", "churn_probability",
                "baseline_value"]


@dataclass
class Inputs:
    transactions: pd.DataFrame  # confirmed order lines of the company (sales.py)
    customers: pd.DataFrame  # CUSTOMER_COLUMNS: the published insights and each salesperson
    waves: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        columns=["wave_id", "date", "horizon_days"]))
    members: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        columns=["member_id", "wave_id", "customer_id", "assignment", "activity_done"]))


@dataclass
class RetentionResult:
    wave: dict | None  # the new wave for ``ai.retention.wave.ai_create_wave``, or None
    effects: list[dict]  # rows for ``ai.retention.wave.ai_write``
    outcomes: list[dict]  # rows for ``ai.retention.wave.member.ai_write``
    metrics: dict


def _check(frame: pd.DataFrame, columns, what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{what} lacks the columns {', '.join(missing)}")


def eligible(customers: pd.DataFrame, tx: pd.DataFrame, as_of, horizon_days: int | None = None,
             busy=(), with_salesperson: bool = True) -> pd.DataFrame:
    """Customers worth a call, most valuable first: at medium or high churn risk, still
    recoverable (not in a lost segment, not silent past three of their usual gaps:
    ``segments.gone_quiet``, the line the report draws between recoverable and win-back),
    with a salesperson, not excluded from profiling and not in a wave still waiting
    (``busy``); ``with_salesperson=False`` keeps those without one too. Ranked by the value
    the next 12 months hold (``clv``), then what they spent."""
    _check(customers, CUSTOMER_COLUMNS, "customers")
    summary = customer_summary(tx, as_of)[["recency_days", "mean_gap_days"]]
    found = customers[CUSTOMER_COLUMNS].join(summary, on="customer_id", how="inner")
    horizon = horizon_days or default_horizon(tx)
    keep = (found["churn_risk"].isin(CALL_RISKS)
            & ~found["segment_code"].isin(LOST_SEGMENTS)
            & ~gone_quiet(found["recency_days"], found["mean_gap_days"], horizon)
            & (found["user_id"].notna() | (not with_salesperson))
            & ~found["excluded"].astype(bool)
            & ~found["customer_id"].isin(list(busy)))
    return (found[keep].sort_values(["clv", "monetary", "customer_id"],
                                    ascending=[False, False, True])
            .reset_index(drop=True))


def draw_wave(candidates: pd.DataFrame, per_salesperson: int, control_percent: float,
              seed: int) -> pd.DataFrame:
    """Per salesperson, the top ``per_salesperson / (1 - share)`` candidates (as ranked), of
    whom a random ``control_percent`` % (at least enough that no salesperson gets more than
    ``per_salesperson`` calls) is kept as control. Same candidates and seed → same wave."""
    if per_salesperson <= 0 or candidates.empty:
        return pd.DataFrame(columns=WAVE_COLUMNS)
    share = min(max(control_percent, 0.0), 90.0) / 100.0
    pool_size = max(per_salesperson, round(per_salesperson / (1.0 - share)))
    rng = np.random.default_rng(seed)
    parts = []
    for user_id, group in candidates.groupby("user_id", sort=True):
        pool = group.head(pool_size).reset_index(drop=True)
        n_control = max(round(len(pool) * share), len(pool) - per_salesperson)
        assignment = np.full(len(pool), "treated", dtype=object)
        assignment[rng.permutation(len(pool))[:n_control]] = "control"
        parts.append(pd.DataFrame({
            "customer_id": pool["customer_id"].astype(int), "user_id": int(user_id),
            "assignment": assignment, "rank": np.arange(1, len(pool) + 1),
            "churn_probability": pool["churn_probability"].astype(float),
            "baseline_value": pool["clv"].astype(float).round(2)}))
    return pd.concat(parts, ignore_index=True)[WAVE_COLUMNS]


def measure(inputs: Inputs, today) -> tuple[list[dict], list[dict]]:
    """(wave effects, member outcomes) of every wave whose horizon has passed by ``today``."""
    waves = inputs.waves.assign(date=pd.to_datetime(inputs.waves["date"]))
    due = waves[waves["date"] + pd.to_timedelta(waves["horizon_days"], unit="D")
                <= pd.Timestamp(today)].set_index("wave_id")
    members = inputs.members[inputs.members["wave_id"].isin(due.index)]
    if members.empty:
        return [], []
    outcomes = evaluate.member_outcomes(members, due, inputs.transactions)
    joined = members.merge(outcomes, on="member_id")
    effects = [{"id": int(wave_id), **evaluate.compare(group)}
               for wave_id, group in joined.groupby("wave_id", sort=True)]
    return effects, outcomes.rename(columns={"member_id": "id"}).to_dict("records")


def new_seed() -> int:
    """A fresh seed, recorded on the wave so the draw can be repeated."""
    return int(np.random.SeedSequence().entropy % (2**31 - 1))


def run(inputs: Inputs, params: dict, today, log) -> RetentionResult:
    """Measure the waves whose horizon has passed; draw this week's wave unless the company
    had one in the last ``WAVE_EVERY_DAYS`` days. ``params``: ``per_salesperson``,
    ``control_percent``, ``horizon_days`` (of the wave), ``fallback_user_id``,
    ``last_wave_date``, ``salespeople`` (users who may get calls), ``churn_horizon_days``;
    ``seed`` to repeat a draw."""
    started = time.perf_counter()
    today = pd.Timestamp(today).normalize()
    effects, outcomes = measure(inputs, today)
    metrics = {"waves_measured": len(effects),
               "conclusions": {e["id"]: e["conclusion"] for e in effects}}
    if effects:
        log(f"Measured {len(effects)} past waves: "
            + ", ".join(f"{e['id']}: {e['conclusion']}" for e in effects))
    last = params.get("last_wave_date")
    if last and (today - pd.Timestamp(last)).days < WAVE_EVERY_DAYS:
        log(f"Last wave on {last}: the next one is drawn {WAVE_EVERY_DAYS} days after it")
        return RetentionResult(None, effects, outcomes, {**metrics, "wave": None})
    if inputs.transactions.empty or inputs.customers.empty:
        log("No published insights: no wave")
        return RetentionResult(None, effects, outcomes, {**metrics, "wave": None})
    customers = _with_salespeople(inputs.customers, params)
    waiting = inputs.waves.assign(date=pd.to_datetime(inputs.waves["date"]))
    waiting = waiting[waiting["date"] + pd.to_timedelta(waiting["horizon_days"], unit="D")
                      > today]["wave_id"]
    busy = inputs.members.loc[inputs.members["wave_id"].isin(waiting), "customer_id"]
    worth_a_call = eligible(customers, inputs.transactions, today,
                            params.get("churn_horizon_days"), busy, with_salesperson=False)
    candidates = worth_a_call[worth_a_call["user_id"].notna()].reset_index(drop=True)
    unassigned = len(worth_a_call) - len(candidates)
    if unassigned:
        note = (f"{unassigned} customers worth a call have no salesperson who may get calls: "
                "assign them one, or set a fallback user (Settings → Sales → AI CRM)")
        log(note)
        metrics.setdefault("notes", []).append(note)
    seed = int(params["seed"]) if params.get("seed") is not None else new_seed()
    drawn = draw_wave(candidates, int(params.get("per_salesperson") or 0),
                      float(params.get("control_percent") or 0), seed)
    counts = drawn["assignment"].value_counts().to_dict()
    metrics.update(eligible=len(candidates), wave={
        "seed": seed, "treated": int(counts.get("treated", 0)),
        "control": int(counts.get("control", 0)),
        "salespeople": int(drawn["user_id"].nunique())})
    log(f"{len(candidates)} customers worth a call; drew {metrics['wave']['treated']} calls and "
        f"{metrics['wave']['control']} controls for {metrics['wave']['salespeople']} salespeople "
        f"(seed {seed}) in {time.perf_counter() - started:.1f}s")
    if drawn.empty:
        return RetentionResult(None, effects, outcomes, metrics)
    wave = {"date": today.date().isoformat(), "seed": seed,
            "horizon_days": int(params.get("horizon_days") or 60),
            "per_salesperson": int(params["per_salesperson"]),
            "control_percent": float(params.get("control_percent") or 0),
            "members": drawn.to_dict("records")}
    return RetentionResult(wave, effects, outcomes, metrics)


def _with_salespeople(customers: pd.DataFrame, params: dict) -> pd.DataFrame:
    """Customers without a salesperson (or whose salesperson may not get calls) go to the
    fallback user, or are left out when there is none."""
    allowed = params.get("salespeople")
    users = customers["user_id"]
    if allowed is not None:
        users = users.where(users.isin(list(allowed)))
    fallback = params.get("fallback_user_id")
    if fallback:
        users = users.fillna(int(fallback))
    return customers.assign(user_id=users)

