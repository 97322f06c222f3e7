"""``ai-engine sentiment --texts X.csv --out S.csv``: the offline contract and its errors."""

import pandas as pd
import pytest
from typer.testing import CliRunner

from ai_engine.cli import app

runner = CliRunner()


def run(tmp_path, content: str | bytes | None):
    path = tmp_path / "texts.csv"
    if content is not None:
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    out = tmp_path / "out" / "s.csv"
    return runner.invoke(app, ["sentiment", "--texts", str(path), "--out", str(out)]), out


def test_contract(tmp_path):
    result, out = run(tmp_path, 'id,text\n'
                      '007,"Thank you, the support was excellent!"\n'
                      'a2,"<p>My order is broken &amp; nobody answers. Terrible!</p>"\n'
                      '3,\n'
                      '4,质量太差了，非常失望。\n'
                      '5,"Het pakket is niet aangekomen, heel slecht."\n')
    assert result.exit_code == 0, result.output
    scores = pd.read_csv(out, dtype={"id": str})
    assert list(scores.columns) == ["id", "label", "score", "language"]
    assert list(scores["id"]) == ["007", "a2", "3", "4", "5"]
    assert list(scores["label"]) == ["positive", "negative", "neutral", "negative", "neutral"]
    assert list(scores["language"]) == ["en", "en", "unknown", "zh", "unknown"]
    assert scores["score"].between(-1, 1).all() and scores.loc[2, "score"] == 0


def test_header_only_writes_an_empty_contract(tmp_path):
    result, out = run(tmp_path, "id,text\n")
    assert result.exit_code == 0, result.output
    assert list(pd.read_csv(out).columns) == ["id", "label", "score", "language"]


@pytest.mark.parametrize(("content", "words"), [
    (None, ["not found"]),
    ("", ["empty"]),
    ("id,body\n1,hello\n", ["missing", "text"]),
    ("text\nhello\n", ["missing", "id"]),
    ("id,text\n1,hello, world\n", ["more values", "quoted"]),
    ('id,text\n1,"never closed\n', ["not a readable CSV"]),
    ("id,text\n,orphan text\n", ["no id", "line 2"]),
])
def test_bad_input_fails_cleanly(tmp_path, content, words):
    result, out = run(tmp_path, content)
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert result.output.startswith("Error: ")
    for word in words:
        assert word in result.output
    assert not out.exists()


def test_a_file_that_is_not_utf8_is_read_as_windows_1252_with_a_note(tmp_path):
    result, out = run(tmp_path, "id,text\n1,Très déçu: encore cassé!\n".encode("cp1252"))
    assert result.exit_code == 0, result.output
    assert "Windows-1252" in result.output
    assert pd.read_csv(out)["label"].tolist() == ["negative"]
