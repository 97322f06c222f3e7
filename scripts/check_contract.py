"""The engine <-> module contract, checked without Odoo: both sides read as they are written.

The engine declares what it sends (``ai_engine/contract.py``); the modules declare what they
accept (each model's ``_ai_converters``, ``models/ai_contract.py`` of ai_crm and of
ai_crm_helpdesk, the segments in ``data/ai_segment_data.xml``). The module side is read from the
source with ``ast`` (importing it would need Odoo). Fails when the engine sends a key, code,
value or explanation parameter the module does not know, when the columns the engine reads
from a module's answer differ from the module's (``SALES_COLUMNS``), when a task's declared
reads differ, or when the segment names and meanings differ.

Usage: ``check_contract.py`` (prints problems, exit 1) — also run by ``static_checks.py``.
"""

import ast
import re
import sys
from pathlib import Path
from xml.etree import ElementTree

ROOT = Path(__file__).resolve().parent.parent
MODULES = [ROOT, ROOT / "ai_crm_helpdesk"]


# --- the module side, from source -------------------------------------------------------------
def _literal_keys(node):
    """Keys of a dict literal, or first items of a list of tuples; nested dicts as dicts."""
    if isinstance(node, ast.Dict):
        return {ast.literal_eval(k): _literal_keys(v) for k, v in zip(node.keys, node.values,
                                                                       strict=True)}
    if isinstance(node, (ast.List, ast.Tuple)):
        items = [_literal_keys(e) for e in node.elts]
        if all(isinstance(e, ast.Tuple) and e.elts for e in node.elts):
            return [ast.literal_eval(e.elts[0]) for e in node.elts]
        return items
    if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
        return node.args[0].value  # _lt("text") -> "text"
    if isinstance(node, ast.Constant):
        return node.value
    return None


def _assignments(path):
    """Module- and class-level ``NAME = literal`` of a file (class attributes included)."""
    found = {}
    tree = ast.parse(path.read_text(), str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and len(node.targets) == 1 \
                and isinstance(node.targets[0], ast.Name):
            found[node.targets[0].id] = node.value
    return found


def module_side():
    """What the modules accept: converters per model, code lists and explanation texts."""
    contract, converters = {}, {}
    for module in MODULES:
        for name, value in _assignments(module / "models" / "ai_contract.py").items():
            value = _literal_keys(value)
            if isinstance(value, dict) and isinstance(contract.get(name), dict):
                value = {**contract[name], **value}  # the bridge adds to ai_crm's
            contract[name] = value
        for path in (module / "models").glob("*.py"):
            assigned = _assignments(path)
            model = assigned.get("_name") or assigned.get("_inherit")
            keys = assigned.get("_ai_converters")
            if isinstance(keys, ast.Name):  # a module-level dict named there
                keys = assigned.get(keys.id)
            if isinstance(model, ast.Constant) and isinstance(keys, ast.Dict):
                converters[model.value] = set(_literal_keys(keys))
    return contract, converters


def module_segments():
    tree = ElementTree.parse(ROOT / "data" / "ai_segment_data.xml")
    segments = {}
    for record in tree.iter("record"):
        values = {field.get("name"): (field.text or "").strip() for field in record.iter("field")}
        segments[values["code"]] = (values["name"], values["description"])
    return segments


# --- the comparison ---------------------------------------------------------------------------
def _placeholders_module(text):
    return set(re.findall(r"%\((\w+)\)s", text))


def _placeholders_engine(text):
    return set(re.findall(r"\{(\w+)", text))


def compare_explanations(name, engine, module):
    errors = []
    for code in sorted(set(engine) - set(module)):
        errors.append(f"{name}: the engine sends code {code!r}, the module has no text for it")
    for code in sorted(set(engine) & set(module)):
        sent, shown = _placeholders_engine(engine[code]), _placeholders_module(module[code])
        if sent != shown:
            errors.append(f"{name}[{code!r}]: the engine fills {sorted(sent)}, the module's "
                          f"text shows {sorted(shown)}")
    return errors


def compare_targets(targets, converters):
    errors = []
    for model, keys in targets.items():
        if model not in converters:
            errors.append(f"{model}: the engine writes it, no module model accepts rows")
            continue
        unknown = sorted(set(keys) - converters[model])
        if unknown:
            errors.append(f"{model}: the module does not accept the keys {unknown}")
    return errors


def compare_segments(engine_segments, segments):
    errors = []
    for code, (name, meaning) in engine_segments.items():
        if code not in segments:
            errors.append(f"segment {code!r}: not in data/ai_segment_data.xml")
        elif segments[code] != (name, meaning):
            errors.append(f"segment {code!r}: the engine says {(name, meaning)}, the module "
                          f"says {segments[code]}")
    return errors + [f"segment {code!r}: in the module, unknown to the engine"
                     for code in sorted(set(segments) - set(engine_segments))]


def compare(engine, contract, converters, segments):
    """Every problem as a line of text; ``engine`` is the ``ai_engine.contract`` module."""
    errors = compare_targets(engine.TARGETS, converters)
    for name, values in engine.VALUES.items():
        allowed = set(contract.get(name) or [])
        unknown = sorted(set(values) - allowed)
        if unknown:
            errors.append(f"{name}: the module does not accept {unknown}")
    for name, columns in engine.COLUMNS.items():
        if list(columns) != list(contract.get(name) or []):
            errors.append(f"{name}: the engine reads the columns {list(columns)}, the module "
                          f"answers {contract.get(name)}")
    for name, templates in engine.EXPLANATIONS.items():
        errors += compare_explanations(name, templates, contract.get(name) or {})
    for part, values in engine.CLUSTER_PARTS.items():
        unknown = sorted(set(values) - set((contract.get("CLUSTER_PARTS") or {}).get(part, {})))
        if unknown:
            errors.append(f"CLUSTER_PARTS[{part!r}]: the module has no text for {unknown}")
    needs = {task: tuple(reads) for task, reads in (contract.get("TASK_NEEDS") or {}).items()}
    if needs != {task: tuple(reads) for task, reads in engine.TASK_NEEDS.items()}:
        errors.append(f"TASK_NEEDS: the engine declares {engine.TASK_NEEDS}, the module {needs}")
    return errors + compare_segments(engine.SEGMENTS, segments)


def main():
    from ai_engine import contract as engine

    errors = compare(engine, *module_side(), module_segments())
    for error in errors:
        print(error)
    print(f"contract: {'ok' if not errors else f'{len(errors)} problem(s)'}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
