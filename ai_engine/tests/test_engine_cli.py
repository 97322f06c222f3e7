"""The ai-engine CLI: contract output, demo, and one clear error line for bad input."""

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from ai_engine.cli import app
from ai_engine.io import SCORE_COLUMNS

runner = CliRunner()
HEADER = "customer_id,order_id,date,product_id,quantity,amount\n"


def score(tmp_path, text, *extra):
    path = tmp_path / "tx.csv"
    path.write_text(text)
    out = tmp_path / "scores.csv"
    result = runner.invoke(app, ["score", "--transactions", str(path), "--out", str(out), *extra])
    return result, out


def assert_clean_failure(result, *words):
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert result.output.startswith("Error: ")
    for word in words:
        assert word in result.output


@pytest.mark.parametrize(("text", "words"), [
    ("", ["empty"]),
    ("customer_id,date\n1,2024-01-01\n", ["order_id", "amount"]),
    ("customer_id,order_id,date,amount\n1,a,not-a-date,3\n", ["'date'", "not-a-date", "line 2"]),
    ("customer_id,order_id,date,amount\n1,a,2024-01-01,12,5\n", ["more values", "12.5"]),
    ("customer_id,order_id,date,amount\n1,a,2024-01-01,abc\n", ["'amount'", "'abc'"]),
])
def test_bad_input_fails_cleanly(tmp_path, text, words):
    result, _ = score(tmp_path, text)
    assert_clean_failure(result, *words)


def test_bad_as_of_fails_cleanly(tmp_path):
    result, _ = score(tmp_path, HEADER + "1,a,2024-01-01,,,3\n", "--as-of", "tomorrow")
    assert_clean_failure(result, "--as-of")


@pytest.mark.parametrize("rows", [
    "1,a,2024-01-01,,,10\n",                                           # one customer
    "1,a,2024-01-01,,,10\n2,b,2024-01-01,,,10\n3,c,2024-01-01,,,10\n",  # all identical
    "1,a,2024-01-01,p,1,10\n1,r,2024-01-09,p,-1,-10\n2,b,2024-01-05,,,-3\n3,c,2024-02-01,,,7\n",
])
def test_edge_histories_write_the_contract(tmp_path, rows):
    result, out = score(tmp_path, HEADER + rows, "--json")
    assert result.exit_code == 0, result.output
    scores = pd.read_csv(out)
    assert list(scores.columns) == SCORE_COLUMNS
    assert scores["churn_probability"].between(0, 1).all()
    metrics = json.loads(result.stdout.strip().splitlines()[-1])
    assert metrics["method"] == "fallback"
    assert metrics["serving"]["churn"] == {**metrics["serving"]["churn"], "served": "baseline",
                                           "grade": None}


def test_summary_says_what_served_churn(tmp_path):
    result, out = score(tmp_path, HEADER + "1,a,2024-01-01,,,10\n2,b,2024-01-05,,,10\n")
    assert result.exit_code == 0, result.output
    assert "Churn served by" in result.output and "unchecked" in result.output
    assert list(pd.read_csv(out).columns) == SCORE_COLUMNS  # the CSV contract is unchanged


def test_demo_writes_scores_tickets_and_report(tmp_path):
    result = runner.invoke(app, ["demo", "--customers", "300", "--tickets", "200",
                                 "--out-dir", str(tmp_path), "--json"])
    assert result.exit_code == 0, result.output
    assert list(pd.read_csv(tmp_path / "scores.csv").columns) == SCORE_COLUMNS
    assert json.loads(result.stdout.strip().splitlines()[-1])["n_customers"] > 250
    tickets = pd.read_csv(tmp_path / "tickets.csv")
    assert len(tickets) == 200 and tickets["state"].value_counts().to_dict() == {
        "solved": 160, "open": 40}
    assert set(tickets["sentiment"]) <= {"negative", "neutral", "positive"}
    assert tickets["customer_id"].isin(pd.read_csv(tmp_path / "scores.csv")["customer_id"]).all()
    # Only open tickets are escalated, and only very negative ones.
    escalated = tickets[tickets["escalate"]]
    assert (escalated["state"] == "open").all() and (escalated["sentiment_score"] <= -0.8).all()
    report = (tmp_path / "report.html").read_text()
    assert "<h2>Helpdesk tickets</h2>" in report and 'alt="sentiment per month"' in report
    assert "<h2>Product suggestions</h2>" in report


def test_demo_without_tickets_has_no_helpdesk_section(tmp_path):
    result = runner.invoke(app, ["demo", "--customers", "200", "--tickets", "0",
                                 "--out-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert not (tmp_path / "tickets.csv").exists()
    assert "Helpdesk tickets" not in (tmp_path / "report.html").read_text()


def test_the_run_table_says_which_model_served_each_decision():
    from rich.console import Console

    from ai_engine.cli import _outcomes_table
    from ai_engine.dispatch import RunOutcome

    outcome = RunOutcome(4, "insights", 1, "done", 200, {
        "backtest": {"model": {"auc": 0.925}, "baseline": {"auc": 0.927}},
        "serving": {"churn": {"served": "baseline", "grade": "C"}}})
    console = Console(width=200, record=True)
    console.print(_outcomes_table([outcome]))
    assert ("backtest AUC 0.925 vs recency 0.927; served churn: baseline (C)"
            in console.export_text())
