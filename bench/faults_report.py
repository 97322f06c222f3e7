"""The table of bad inputs and faults with what the user sees, produced by the tests.

Runs the tests that try each bad-input family (offline) and each fault (against a real Odoo 18
when one is installed: Odoo stopped during extraction and write-back, a worker killed, a claim's
answer lost, a batch refused, a wrong key, seeding without rights), collects what each showed
the user (ai_engine/tests/user_sees.py) and writes bench/reports/faults.md.

    .venv/bin/python bench/faults_report.py
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REPORT = ROOT / "bench" / "reports" / "faults.md"
TESTS = ["test_bad_input.py", "test_worker_service.py", "test_odoo_faults.py",
         "test_odoo_integration.py"]


def main() -> int:
    table = REPORT.with_suffix(".table.md")
    command = [sys.executable, "-m", "pytest", "-c", "ai_engine/pyproject.toml", "-q", "-p",
               "no:cacheprovider", *(f"ai_engine/tests/{name}" for name in TESTS)]
    done = subprocess.run(command, cwd=ROOT, env={**os.environ, "AI_CRM_FAULTS_REPORT": str(table)},
                          capture_output=True, text=True)
    summary = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else "no output"
    print(summary)
    if not table.exists():
        print(done.stdout[-3000:], done.stderr[-3000:], sep="\n")
        return 1
    REPORT.write_text(
        "# Bad input and faults: what the user sees\n\n"
        f"Produced {dt.date.today()} by `bench/faults_report.py` from the tests that try each case "
        f"({', '.join(TESTS)}): each row is the message or outcome the test asserted on, and "
        f"whether it passed. Test run: {summary}.\n\n"
        "Families: *Bad input* (offline files and options, no Odoo), *Worker* (the service's "
        "client against a local stand-in server that refuses, stalls or echoes), *Odoo fault* "
        "and *Set-up* (a real Odoo 18 started by the tests).\n\n" + table.read_text())
    table.unlink()
    print(f"wrote {REPORT.relative_to(ROOT)}")
    return 0 if done.returncode == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
