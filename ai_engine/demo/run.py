"""``ai-engine demo``: a generated history scored at its last date, product suggestions checked
on it, a retention wave drawn two months before its end and measured (the generator's hidden
call effect applied), optionally a generated helpdesk of the same customers analysed; CSVs,
metrics and the HTML report written to a folder."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from ai_engine.datasets.synthetic import generate_history, generate_products
from ai_engine.demo.helpdesk import demo_desk
from ai_engine.demo.retention import demo_retention
from ai_engine.demo.suggestions import demo_suggestions
from ai_engine.insights.job import ScoringResult, score_customers
from ai_engine.io import write_scores
from ai_engine.reporting.report import helpdesk_context, write_report


def run_demo(customers: int, out_dir: Path, seed: int, tickets: int, status: Callable,
             currency: str = "EUR") -> tuple[ScoringResult, dict]:
    """(the scoring result, output name → path written). ``status``: shows what the demo is
    doing, as ``rich``'s ``Console.status`` (a context manager with ``update``); ``currency``:
    the code the report shows amounts in."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with status("Generating history…"):
        products = generate_products(seed)
        tx = generate_history(n_customers=customers, seed=seed, products=products)
    tx.to_csv(out_dir / "transactions.csv", index=False, date_format="%Y-%m-%d")
    with status("Scoring…") as shown:
        result = score_customers(tx, as_of=tx["date"].max(),
                                 progress=lambda msg: shown.update(f"Scoring: {msg}…"))
    write_scores(result.scores, out_dir / "scores.csv")
    write_scores(result.scores, out_dir / "scores_full.csv", all_columns=True)
    (out_dir / "metrics.json").write_text(json.dumps(result.metrics, indent=2, default=str))
    outputs = {"transactions": str(out_dir / "transactions.csv"),
               "scores": str(out_dir / "scores.csv")}
    helpdesk = None
    if tickets:
        with status("Analysing generated helpdesk tickets…"):
            desk, desk_metrics = demo_desk(result.scores, tx["date"].max(), tickets, seed=seed)
        desk.to_csv(out_dir / "tickets.csv", index=False)
        helpdesk = helpdesk_context(desk, desk_metrics)
        outputs["tickets"] = str(out_dir / "tickets.csv")
    with status("Checking product suggestions…"):
        suggestions = demo_suggestions(tx, result.scores, products)
    with status("Measuring a retention wave…"):
        wave = demo_retention(tx, seed)
    (out_dir / "retention_wave.json").write_text(json.dumps(wave, indent=2, default=str))
    outputs["retention_wave"] = str(out_dir / "retention_wave.json")
    with status("Writing report…"):
        outputs["report"] = str(write_report(result, tx, out_dir, helpdesk, suggestions,
                                             currency, wave))
    return result, outputs
