"""What the benches that need a real Odoo share: a throwaway server with ai_crm installed (the
test command's own ``ai_engine/tests/odoo_server.py``), its admin and engine clients, and the
header of their reports."""

from __future__ import annotations

import datetime as dt
import platform
import sys
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "ai_engine" / "tests"), str(ROOT / "scripts")]

import odoo_deps  # noqa: E402, F401  (scripts/: unpacks OCA add-ons, for benches that need more)
from odoo_server import OdooServer, find_odoo, make_server  # noqa: E402


def new_server() -> OdooServer:
    found = find_odoo()
    if not found:
        sys.exit("No Odoo 18 found: install one (see README) to run this benchmark.")
    return make_server(found)


@contextmanager
def throwaway_odoo(timeout: float = 3600):
    """Yield ``(server, admin client, engine client)`` on a fresh database, dropped after."""
    server = new_server()
    try:
        started = time.perf_counter()
        server.install()
        print(f"install ai_crm in a fresh database: {time.perf_counter() - started:.1f} s",
              flush=True)
        server.start()
        yield (server, server.client("admin", "admin", timeout),
               server.client("ai-engine", server.api_key, timeout))
    finally:
        server.stop()


def timed(label: str, figures: dict, func, *args, **kwargs):
    """``func(*args, **kwargs)``, its seconds stored as ``figures[label]`` and printed."""
    started = time.perf_counter()
    result = func(*args, **kwargs)
    figures[label] = time.perf_counter() - started
    print(f"{label}: {figures[label]:.1f} s", flush=True)
    return result


def report_head(title: str, setup: str, command: str) -> str:
    return (f"# {title}\n\nMeasured {dt.date.today()} on {platform.machine()} (2 cores, 24 GB), "
            f"{setup}.\n\nCommand: `{command}`\n\n")


def step_table(rows) -> str:
    return "| step | figure |\n| --- | --- |\n" + "\n".join(
        f"| {step} | {figure} |" for step, figure in rows) + "\n"


def write_report(path: Path, text: str) -> None:
    """A bench's report, written and printed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    print(text)
