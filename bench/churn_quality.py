"""Churn quality: time-split AUC / Brier / lift of the engine's churn model vs recency alone.

Run from the repo root:  .venv/bin/python bench/churn_quality.py
Prints a table and writes bench/reports/churn_quality.md. Data: the generated history (seeded)
and the full CDNOW master file shipped in the ``lifetimes`` wheel (no download).
"""

from __future__ import annotations

import platform
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.model_selection import StratifiedKFold, cross_val_predict

from ai_engine.datasets.cdnow import load_cdnow
from ai_engine.datasets.synthetic import generate_history
from ai_engine.features.churn_features import churn_features, churn_labels
from ai_engine.features.rfm import customer_summary, purchases
from ai_engine.insights.evaluate import evaluate_at, scores
from ai_engine.models.bgnbd import BetaGeoModel

REPORT = Path(__file__).parent / "reports" / "churn_quality.md"
CASES = [
    # name, loader, as_of, horizon
    ("Generated, 5,000 customers (seed 0)", lambda: generate_history(5000, seed=0),
     "2024-10-02", 90),
    ("CDNOW master, 23,570 customers", load_cdnow, "1997-09-30", 273),
    # The 10 % sample lifetimes also ships (CDNOW_sample.txt), as named in the issue.
    ("CDNOW sample, 2,357 customers", lambda: load_cdnow(sample=True), "1997-09-30", 273),
]


CEILING = "Ceiling: same features, 5-fold CV on the outcome (peeks)"
UPPER = "Upper bound: 50 rich features, tuned booster, 5-fold CV (peeks)"


def rich_features(tx: pd.DataFrame, as_of) -> pd.DataFrame:
    """Diagnostic only: purchase-timing and basket features beyond the engine's, at ``as_of``."""
    as_of = pd.Timestamp(as_of).normalize()
    quantity = tx.groupby(["customer_id", "order_id"])["quantity"].sum().rename("qty")
    days = (purchases(tx, as_of).join(quantity, on=["customer_id", "order_id"])
            .groupby(["customer_id", "date"])[["net", "qty"]].sum().reset_index()
            .sort_values(["customer_id", "date"]))
    days["back"] = (as_of - days["date"]).dt.days
    by = days.groupby("customer_id")
    f = pd.DataFrame({"n_days": by.size(), "recency": by["back"].min(), "age": by["back"].max()})
    for weeks in (4, 8, 13, 26):  # purchase days and spend in the last weeks
        inside = days["back"] < 7 * weeks
        f[f"days_{weeks}w"] = inside.groupby(days["customer_id"]).sum()
        f[f"spend_{weeks}w"] = (days["net"] * inside).groupby(days["customer_id"]).sum()
    from_end = by.cumcount(ascending=False)
    for k in (1, 2, 3):  # days since the 2nd, 3rd, 4th last purchase
        f[f"back_{k}"] = days[from_end == k].set_index("customer_id")["back"]
    for tau in (30, 90):  # time-decayed frequency
        f[f"decayed_{tau}"] = np.exp(-days["back"] / tau).groupby(days["customer_id"]).sum()
    first, last = days[by.cumcount() == 0], days[from_end == 0]
    for name, part in (("first", first), ("last", last)):
        f[f"{name}_spend"] = part.set_index("customer_id")["net"]
        f[f"{name}_qty"] = part.set_index("customer_id")["qty"]
    f["mean_spend"], f["mean_qty"] = by["net"].mean(), by["qty"].mean()
    f["total_qty"] = by["qty"].sum()
    gap = days["date"].diff().dt.days.where(days["customer_id"].eq(days["customer_id"].shift()))
    gaps = gap.groupby(days["customer_id"])
    f["mean_gap"], f["gap_std"] = gaps.mean(), gaps.std()
    f["last_gap"], f["min_gap"] = gaps.last(), gaps.min()
    f["recency_over_gap"] = f["recency"] / f["mean_gap"]
    f["rate"] = (f["n_days"] - 1) / f["age"].clip(lower=1)
    f["acceleration"] = 2 * f["days_13w"] - f["days_26w"]
    f["cohort_week"] = f["age"] // 7
    return f.astype(float)


def reference_rows(tx: pd.DataFrame, as_of: str, horizon: int) -> dict:
    """BG/NBD alone, and two upper bounds that are allowed to peek at the outcome."""
    summary = customer_summary(tx, as_of)
    summary = summary[summary["frequency"] > 0]
    bg = BetaGeoModel().fit(summary)
    y = churn_labels(tx, summary.index, as_of, horizon).astype(int)
    features = churn_features(summary, bg, horizon)
    peek = cross_val_predict(HistGradientBoostingClassifier(max_iter=150, learning_rate=0.05,
                                                            random_state=0),
                             features, y, cv=5, method="predict_proba")[:, 1]
    rich = features.join(rich_features(tx[tx["date"] <= pd.Timestamp(as_of)], as_of))
    upper = cross_val_predict(
        HistGradientBoostingClassifier(max_iter=400, learning_rate=0.02, min_samples_leaf=100,
                                       l2_regularization=1.0, random_state=0),
        rich, y, cv=StratifiedKFold(5, shuffle=True, random_state=0),
        method="predict_proba")[:, 1]
    return {"BG/NBD alone": scores(y, bg.p_no_purchase(summary, horizon)),
            CEILING: scores(y, peek), UPPER: scores(y, upper)}


MODEL, BASE = "**Churn model**", "Recency only (baseline)"


def findings(results: dict) -> list[str]:
    generated, master, sample = (results[case[0]] for case in CASES)
    lines = ["## Findings", ""]
    for name, rows in (("CDNOW master", master), ("CDNOW sample", sample)):
        model, base = rows[MODEL], rows[BASE]
        reached = "reached" if model["auc"] >= 0.80 else "**not reached**"
        lines.append(
            f"- Target AUC ≥ 0.80 on {name}: {reached} (model {model['auc']:.3f}, recency "
            f"alone {base['auc']:.3f}, {model['auc'] - base['auc']:+.3f}; Brier "
            f"{model['brier']:.3f} vs {base['brier']:.3f}).")
    lines += [
        f"- Peeking bound on CDNOW master: a booster that learns from the very outcome it is "
        f"scored on (5-fold CV) with the engine's features plus 34 richer ones (purchase days "
        f"and spend in the last 4/8/13/26 weeks, days since each of the last 4 purchases, "
        f"time-decayed frequency, acceleration, cohort week, first/last/mean basket spend and "
        f"CD quantity, gap statistics) reaches {master[UPPER]['auc']:.3f}. The engine's "
        f"logistic regression, which never sees the outcome, gets {master[MODEL]['auc']:.3f}: "
        "nine months of purchase history do not hold enough signal for 0.80.",
        "- The horizon (273 days) is longer than any outcome window available for training "
        "(136 days); the BG/NBD carries the level of the probabilities to the longer horizon.",
        f"- Generated data: model AUC {generated[MODEL]['auc']:.3f} vs "
        f"{generated[BASE]['auc']:.3f} for recency and {generated['BG/NBD alone']['auc']:.3f} "
        "for the BG/NBD alone; the generator is close to a buy-till-you-die process.",
        "", "## What was tried (time split kept)", "",
        "One-off runs in the session that changed the model; AUC (Brier).", "",
        "| Attempt | CDNOW master | CDNOW sample | Generated | Kept |",
        "| --- | --- | --- | --- | --- |",
        "| Booster + 3-fold isotonic calibration | 0.761 (0.165) | – | 0.922 (0.104) | no |",
        "| Booster alone, log-loss probabilities | 0.768 (0.162) | 0.747 (0.164) | "
        "0.922 (0.103) | no |",
        "| + 34 rich features / timing only / basket only | 0.766–0.769 | – | 0.922–0.923 "
        "| no (noise) |",
        "| Stacked cutoffs with label horizons 60/91/136 d and a horizon feature | "
        "0.769–0.770 | – | 0.921 | no |",
        "| Regularised booster (60 it., 7 leaves, leaf 80) | – | 0.772 (0.160) | "
        "0.909 (0.110), 1,000 cust. | no |",
        "| Spline features + logistic regression | 0.768 (0.160) | 0.771 (0.158) | "
        "0.913 (0.107), 1,000 cust. | no |",
        "| **Logistic regression on standardised features (C = 0.3)** | 0.772 (0.159) | "
        "0.782 (0.160) | 0.923 (0.103); 0.915 (0.106) on 1,000 cust. | **yes** |",
        "",
        "The booster lost to recency alone on the 2,357-customer sample (0.747 vs 0.771): it "
        "over-fits small companies. The logistic regression is at least as good everywhere.",
    ]
    return lines


def fmt(value) -> str:
    return "–" if value is None else f"{value:.3f}"


def run() -> str:
    lines = ["# Churn quality", "",
             "Time split: the model learns only from history up to *as of*, then predicts "
             "\"no purchase in the next *horizon* days\"; compared with what really happened. "
             "Baseline: recency alone (days since the last order; for Brier a logistic curve on "
             "log recency trained like the model).", "",
             "Reproduce: `.venv/bin/python bench/churn_quality.py` (from the repo root).", ""]
    results: dict[str, dict] = {}
    for name, load, as_of, horizon in CASES:
        tx = load()
        started = time.perf_counter()
        m = evaluate_at(tx, as_of, horizon).metrics
        seconds = time.perf_counter() - started
        rows = {"**Churn model**": m["model"], "Recency only (baseline)": m["baseline"],
                **reference_rows(tx, as_of, horizon)}
        lines += [f"## {name}", "",
                  f"As of {as_of}, horizon {horizon} days, {m['n_customers']:,} customers, "
                  f"{m['churn_rate']:.1%} did not buy again in the horizon. Model trained on "
                  f"outcomes over {m['label_horizon_days']} days at cutoffs "
                  f"{', '.join(m['train_cutoffs'])}; fit + scoring took {seconds:.1f}s.", "",
                  "| | AUC | Brier | Lift top 10 % |", "| --- | --- | --- | --- |"]
        lines += [f"| {label} | {fmt(r['auc'])} | {fmt(r['brier'])} | "
                  f"{fmt(r['lift_top_decile'])} |" for label, r in rows.items()]
        lines.append("")
        results[name] = rows
        print(f"{name}: model AUC {fmt(m['model']['auc'])} vs recency "
              f"{fmt(m['baseline']['auc'])}; Brier {fmt(m['model']['brier'])} vs "
              f"{fmt(m['baseline']['brier'])}")
    lines += findings(results) + [""]
    lines.append(f"Machine: {platform.machine()}, Python {platform.python_version()}, "
                 f"numpy {np.__version__}, pandas {pd.__version__}.")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    text = run()
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(text)
    print(text)
    print(f"written to {REPORT}")
