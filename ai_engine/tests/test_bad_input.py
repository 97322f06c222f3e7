"""Every family of bad input gets a correct result with a one-line note of what was fixed or
dropped, or one clear error naming the file, line and column, exit code 2: no traceback, no
silently wrong figure. None of this needs an Odoo."""

import datetime as dt
import json

import pandas as pd
import pytest
from typer.testing import CliRunner
from user_sees import first_line

from ai_engine.cli import app
from ai_engine.datasets.synthetic import generate_history

runner = CliRunner()


@pytest.fixture(scope="module")
def history():
    return generate_history(n_customers=150, start=dt.date(2023, 1, 1), end=dt.date(2024, 12, 31),
                            seed=3)


def write(tmp_path, frame, name="tx.csv", **to_csv):
    path = tmp_path / name
    frame.to_csv(path, index=False, date_format="%Y-%m-%d", **to_csv)
    return path


def score(tmp_path, path, *extra):
    out = tmp_path / "scores.csv"
    result = runner.invoke(app, ["score", "-t", str(path), "-o", str(out), "--no-backtest",
                                 *extra])
    return result, out



def assert_one_clear_error(result, *words):
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and result.exception.__class__ is SystemExit
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert lines[0].startswith("Error: ") or lines[0].startswith('{"error"'), lines
    for word in words:
        assert word in result.output


@pytest.mark.parametrize("value", ["inf", "-inf", "1e308", "nan"])
def test_amounts_that_are_not_finite_figures_are_refused(tmp_path, history, value, user_sees):
    bad = history.astype({"amount": object})
    bad.loc[5, "amount"] = value
    result, _ = score(tmp_path, write(tmp_path, bad))
    assert_one_clear_error(result, "tx.csv", "'amount'", "line 7")
    user_sees("Bad input", f"amount {value}", first_line(result))


def test_a_double_export_counts_each_line_once(tmp_path, history, user_sees):
    once, _ = score(tmp_path, write(tmp_path, history, "once.csv"))
    once_scores = pd.read_csv(tmp_path / "scores.csv")
    twice, out = score(tmp_path, write(tmp_path, pd.concat([history, history.iloc[:300]])),
                       "--json")
    notes = json.loads(twice.output)["notes"]
    assert any("300 duplicate lines" in note for note in notes)
    pd.testing.assert_frame_equal(pd.read_csv(out), once_scores)
    user_sees("Bad input", "duplicated lines (a double export)", "scored once; note: " +
              next(note for note in notes if "duplicate" in note))


def test_lines_dated_in_the_future_are_set_aside(tmp_path, history, user_sees):
    typo = history.copy()
    typo.loc[[3, 8], "date"] = pd.Timestamp("2099-01-01")
    result, _ = score(tmp_path, write(tmp_path, typo), "--json")
    metrics = json.loads(result.output)
    assert metrics["as_of"] == "2024-12-31"  # not 2099: nobody looks gone
    note = next(note for note in metrics["notes"] if "2 lines dated after today" in note)
    user_sees("Bad input", "lines dated years in the future", "result as of the last real day; "
              "note: " + note)


def test_dates_must_be_unambiguous(tmp_path, history, user_sees):
    result, _ = score(tmp_path, write(tmp_path, history), "--as-of", "12/01/2022")
    assert_one_clear_error(result, "YYYY-MM-DD", "12/01/2022")
    user_sees("Bad input", "ambiguous date --as-of 12/01/2022", first_line(result))


def test_a_semicolon_export_with_decimal_commas_is_read(tmp_path, history, user_sees):
    reference, _ = score(tmp_path, write(tmp_path, history, "reference.csv"))
    expected = pd.read_csv(tmp_path / "scores.csv")
    european = history.assign(amount=history["amount"].map(lambda a: f"{a:.2f}".replace(".",
                                                                                         ",")))
    result, out = score(tmp_path, write(tmp_path, european, sep=";"), "--json")
    assert result.exit_code == 0, result.output
    notes = " ".join(json.loads(result.output)["notes"])
    assert "semicolon-separated" in notes and "decimal comma" in notes
    pd.testing.assert_frame_equal(pd.read_csv(out), expected)
    user_sees("Bad input", "semicolon export with decimal commas",
              "the same scores as the comma export; notes: " + notes)


@pytest.mark.parametrize("encoding", ["utf-16", "cp1252"])
def test_other_encodings_are_read(tmp_path, history, encoding, user_sees):
    named = history.assign(customer_id="Müller & Söhne " + history["customer_id"].astype(str))
    result, out = score(tmp_path, write(tmp_path, named, encoding=encoding))
    assert result.exit_code == 0, result.output
    assert pd.read_csv(out)["customer_id"].str.startswith("Müller").all()
    user_sees("Bad input", f"{encoding} file", "read; names kept (Müller & Söhne)")


def test_a_history_of_refunds_only_is_one_clear_error(tmp_path, history, user_sees):
    refunds = history.assign(amount=-history["amount"].abs())
    result, _ = score(tmp_path, write(tmp_path, refunds))
    assert_one_clear_error(result, "positive amount")
    user_sees("Bad input", "refunds only", first_line(result))


def test_one_customer_and_one_day_give_a_result(tmp_path, history, user_sees):
    one_customer = history[history["customer_id"] == history["customer_id"].iloc[0]]
    result, out = score(tmp_path, write(tmp_path, one_customer))
    assert result.exit_code == 0 and len(pd.read_csv(out)) == 1
    one_day = history.assign(date=pd.Timestamp("2024-06-01"))
    result, out = score(tmp_path, write(tmp_path, one_day))
    assert result.exit_code == 0
    segments = set(pd.read_csv(out)["segment"])
    assert "About to sleep" not in segments and "Lost" not in segments  # they bought today
    user_sees("Bad input", "one customer; everyone on one day",
              f"scores for the one customer; one-day segments: {', '.join(sorted(segments))}")


@pytest.mark.parametrize("args, words", [
    (["score", "--horizon-days", "0"], ["--horizon-days", "between 1"]),
    (["score", "--horizon-days", "100000"], ["--horizon-days"]),
    (["demo", "--seed", "-1"], ["--seed"]),
    (["demo", "--customers", "0"], ["--customers"]),
    (["demo", "--tickets", "-5"], ["--tickets"]),
])
def test_absurd_options_are_one_clear_error(tmp_path, history, args, words, user_sees):
    if args[0] == "score":
        args = [*args, "-t", str(write(tmp_path, history))]
    result = runner.invoke(app, [*args, "--json"])
    assert_one_clear_error(result, *words)
    assert "error" in json.loads(result.output)  # --json errors are JSON too
    user_sees("Bad input", " ".join(args[:3]) + " --json", first_line(result))


def test_demo_out_dir_must_be_a_folder(tmp_path, user_sees):
    afile = tmp_path / "a-file"
    afile.write_text("x")
    result = runner.invoke(app, ["demo", "--out-dir", str(afile)])
    assert_one_clear_error(result, "a file")
    user_sees("Bad input", "demo --out-dir pointing at a file", first_line(result))


def test_a_tiny_demo_desk_still_writes_the_report(tmp_path, user_sees):
    result = runner.invoke(app, ["demo", "--customers", "60", "--tickets", "1", "--out-dir",
                                 str(tmp_path / "demo")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "demo" / "report.html").is_file()
    user_sees("Bad input", "demo --tickets 1", "the demo and its report, exit code 0")


def test_sentiment_ids_once_each(tmp_path, user_sees):
    repeated = tmp_path / "texts.csv"
    repeated.write_text("id,text\n1,Thank you so much!\n1,Thank you so much!\n2,It broke.\n")
    result = runner.invoke(app, ["sentiment", "--texts", str(repeated), "-o",
                                 str(tmp_path / "s.csv")])
    assert result.exit_code == 0 and "scored once" in result.output
    assert pd.read_csv(tmp_path / "s.csv")["id"].tolist() == [1, 2]
    user_sees("Bad input", "sentiment: the same id and text twice", first_line(result))
    clashing = tmp_path / "clash.csv"
    clashing.write_text("id,text\n1,Thank you!\n1,It broke.\n")
    result = runner.invoke(app, ["sentiment", "--texts", str(clashing)])
    assert_one_clear_error(result, "different texts", "lines 2, 3")
    user_sees("Bad input", "sentiment: one id, two texts", first_line(result))
