#!/usr/bin/env python3
"""Drop translation entries that Odoo's exporter picked up outside the module's own code.

`odoo --i18n-export --modules=ai_crm` walks the whole module folder, and here the module folder
is the repository root: the engine's virtualenv (.venv/) and the cached OCA wheel (.cache/)
hold Python files with _() calls of their own (typer, isort, helpdesk_mgmt), and the bridge
add-on's folder (ai_crm_helpdesk/) holds the _() calls it translates in its own i18n/. An entry
is dropped when every one of its source references lies in those folders; otherwise only those
references go. Each reference is on a line of its own, as Odoo writes them. The bridge's own
export refers to code:addons/ai_crm_helpdesk/..., which is left alone.

    python3 scripts/i18n_clean.py i18n/*.pot i18n/*.po
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

FOREIGN = re.compile(r"code:addons/ai_crm/(\.venv|\.cache|ai_crm_helpdesk)/")


def foreign(entry: str) -> bool:
    refs = [ref for line in entry.splitlines() if line.startswith("#: ")
            for ref in line[3:].split()]
    return bool(refs) and all(FOREIGN.match(ref) for ref in refs)


def without_foreign_refs(entry: str) -> str:
    """The entry with its foreign references removed (and the "odoo-python" origin comment
    when no reference to the module's own code is left)."""
    lines = [line for line in entry.splitlines()
             if not (line.startswith("#: ") and FOREIGN.match(line[3:]))]
    if not any(line.startswith("#: code:") for line in lines):
        lines = [line for line in lines if line != "#. odoo-python"]
    return "\n".join(lines)


def clean(path: Path) -> int:
    entries = path.read_text(encoding="utf-8").split("\n\n")
    kept = [without_foreign_refs(e) for e in entries if not foreign(e)]
    path.write_text("\n\n".join(kept).rstrip("\n") + "\n", encoding="utf-8")
    return len(entries) - len(kept)


if __name__ == "__main__":
    for name in sys.argv[1:]:
        print(f"{name}: {clean(Path(name))} foreign entries dropped")
