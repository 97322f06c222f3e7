"""Static checks ruff does not do: the modules' manifests, XML, access CSVs, independence, and
the contract between the engine and the modules.

The Odoo modules (ai_crm at the root, the bridge ai_crm_helpdesk) must never import the engine
or its ML stack (Odoo's server must not need scikit-learn), every data file a manifest lists
must exist and parse, every access row must be well formed, and every key, code and value the
engine sends must be accepted by the module (check_contract.py).
"""

import ast
import csv
import sys
from pathlib import Path
from xml.etree import ElementTree

ROOT = Path(__file__).resolve().parent.parent
MODULES = [ROOT, ROOT / "ai_crm_helpdesk"]
MODULE_DIRS = ["models", "tests", "controllers", "wizards", "migrations"]
FORBIDDEN_IN_MODULE = {"ai_engine", "sklearn", "pandas", "numpy", "scipy", "odoorpc"}
REQUIRED_MANIFEST_KEYS = {"name", "version", "license", "author", "depends", "data"}


def check_manifest(module):
    where = (module / "__manifest__.py").relative_to(ROOT)
    manifest = ast.literal_eval((module / "__manifest__.py").read_text())
    errors = [f"{where}: missing key {key!r}"
              for key in sorted(REQUIRED_MANIFEST_KEYS - manifest.keys())]
    if not str(manifest.get("version", "")).startswith("18.0."):
        errors.append(f"{where}: version must start with '18.0.'")
    for key in ("data", "demo"):
        errors += [f"{where}: {key} file {name} does not exist"
                   for name in manifest.get(key, []) if not (module / name).is_file()]
    return errors


def check_xml():
    errors = []
    for path in sorted(ROOT.glob("*/**/*.xml")):
        if ".venv" in path.parts:
            continue
        try:
            ElementTree.parse(path)
        except ElementTree.ParseError as exc:
            errors.append(f"{path.relative_to(ROOT)}: {exc}")
    return errors


def check_access_csv(module):
    path = module / "security" / "ir.model.access.csv"
    with path.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    expected = {"id", "name", "model_id:id", "group_id:id", "perm_read", "perm_write",
                "perm_create", "perm_unlink"}
    errors = [] if rows and set(rows[0]) == expected else [f"{path.name}: bad header"]
    for number, row in enumerate(rows, start=2):
        if any(row.get(p) not in ("0", "1") for p in ("perm_read", "perm_write", "perm_create",
                                                       "perm_unlink")):
            errors.append(f"{path.name}:{number}: permissions must be 0 or 1")
    return errors


def check_module_imports(module):
    errors = []
    files = [module / "__init__.py"] + [p for d in MODULE_DIRS for p in (module / d).rglob("*.py")]
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names = [node.module]
            for name in names:
                if name.split(".")[0] in FORBIDDEN_IN_MODULE:
                    errors.append(f"{path.relative_to(ROOT)}:{node.lineno}: the Odoo module "
                                  f"must not import {name}")
    return errors


def check_contract():
    """The engine <-> module contract (needs the engine importable: run with its venv)."""
    import check_contract as contract

    from ai_engine import contract as engine

    return contract.compare(engine, *contract.module_side(), contract.module_segments())


def main():
    errors = check_xml()
    for module in MODULES:
        errors += check_manifest(module) + check_access_csv(module) + check_module_imports(module)
    errors += check_contract()
    for error in errors:
        print(error)
    print(f"static checks: {'ok' if not errors else f'{len(errors)} problem(s)'}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
