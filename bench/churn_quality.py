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
from sklearn.model_selection import cross_val_predict

from ai_engine.datasets.cdnow import load_cdnow
from ai_engine.datasets.synthetic import generate_history
from ai_engine.evaluate import evaluate_at, scores
from ai_engine.features.churn_features import churn_features, churn_labels
from ai_engine.features.rfm import customer_summary
from ai_engine.models.bgnbd import BetaGeoModel

REPORT = Path(__file__).parent / "reports" / "churn_quality.md"
CASES = [
    # name, loader, as_of, horizon
    ("Generated, 5,000 customers (seed 0)", lambda: generate_history(5000, seed=0),
     "2024-10-02", 90),
    ("CDNOW master, 23,570 customers", load_cdnow, "1997-09-30", 273),
]


def reference_rows(tx: pd.DataFrame, as_of: str, horizon: int) -> dict:
    """BG/NBD alone, and an in-sample upper bound that is allowed to peek at the outcome."""
    summary = customer_summary(tx, as_of)
    summary = summary[summary["frequency"] > 0]
    bg = BetaGeoModel().fit(summary)
    y = churn_labels(tx, summary.index, as_of, horizon).astype(int)
    features = churn_features(summary, bg, horizon)
    peek = cross_val_predict(HistGradientBoostingClassifier(max_iter=150, learning_rate=0.05),
                             features, y, cv=5, method="predict_proba")[:, 1]
    return {"BG/NBD alone": scores(y, bg.p_no_purchase(summary, horizon)),
            "Ceiling: same features, 5-fold CV on the outcome (peeks)": scores(y, peek)}


def findings(cdnow: dict) -> list[str]:
    model, base = cdnow["**Churn model**"], cdnow["Recency only (baseline)"]
    ceiling = cdnow["Ceiling: same features, 5-fold CV on the outcome (peeks)"]
    reached = "reached" if model["auc"] >= 0.80 else "**not reached**"
    return [
        "## Findings", "",
        f"- Target AUC ≥ 0.80 on CDNOW: {reached} (model {model['auc']:.3f}, recency alone "
        f"{base['auc']:.3f}). A classifier that is allowed to learn from the very outcome it is "
        f"scored on (5-fold CV, same features) reaches only {ceiling['auc']:.3f}: with nine "
        "months of history, who buys again in the next nine months is mostly a matter of "
        "recency and frequency, and recency alone already captures nearly all of it. We found "
        "no honest way past ~0.77 with purchase history alone (monthly order/quantity counts "
        "added to the features did not move the ceiling).",
        f"- Where the model clearly wins on CDNOW is calibration: Brier {model['brier']:.3f} "
        f"against {base['brier']:.3f} for the recency curve, because the horizon (273 days) is "
        "longer than any outcome window available for training (136 days) and the BG/NBD "
        "carries the probabilities to the longer horizon (BG/NBD alone: "
        f"{cdnow['BG/NBD alone']['brier']:.3f}, so the level comes from it).",
        "- On generated data the model beats recency alone on AUC and Brier, but it does not "
        "beat the BG/NBD on its own: the generator is close to a buy-till-you-die process.",
    ]


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
    lines += findings(results[CASES[1][0]]) + [""]
    lines.append(f"Machine: {platform.machine()}, Python {platform.python_version()}, "
                 f"numpy {np.__version__}, pandas {pd.__version__}.")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    text = run()
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(text)
    print(text)
    print(f"written to {REPORT}")
