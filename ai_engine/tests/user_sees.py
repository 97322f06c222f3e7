"""What a user sees for each bad input and fault, as the tests observe it.

Tests call the ``user_sees`` fixture with the family, the case and the message (or outcome) they
asserted on. With ``AI_CRM_FAULTS_REPORT=<path>`` (bench/faults_report.py sets it) the session
writes those rows, with whether their test passed, as a Markdown table: the README's fault table
is produced by the tests, not written by hand.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

REPORT_ENV = "AI_CRM_FAULTS_REPORT"
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_TMP_DIR = re.compile(r"/\S*?/pytest-\d+/[^/\s]+/")  # a test's tmp_path: the file name says it


class Sightings:
    def __init__(self):
        self.rows: list[tuple[str, str, str, str]] = []  # family, case, seen, test id
        self.outcomes: dict[str, str] = {}

    def record(self, nodeid: str, family: str, case: str, seen: str) -> None:
        seen = _TMP_DIR.sub("", " ".join(_ANSI.sub("", str(seen)).split()))
        self.rows.append((family, case, seen[:500], nodeid))

    def write(self, path: Path) -> None:
        lines = ["| family | case | what the user sees | test |", "| --- | --- | --- | --- |"]
        for family, case, seen, nodeid in sorted(self.rows, key=lambda r: (r[0], r[1])):
            outcome = self.outcomes.get(nodeid, "not run")
            cell = seen.replace("|", "\\|")
            test = nodeid.split("/")[-1].replace("|", "\\|")
            lines.append(f"| {family} | {case} | {cell} | {outcome}: `{test}` |")
        path.write_text("\n".join(lines) + "\n")


SIGHTINGS = Sightings()


def report_path() -> Path | None:
    value = os.environ.get(REPORT_ENV)
    return Path(value) if value else None


def first_line(result) -> str:
    """The first line a user reads of a command's output (a CliRunner result)."""
    return next(line for line in result.output.splitlines() if line.strip())
