"""pytest plugin (loaded by ``-p`` from pyproject): collect the engine folder as a plain folder.

The repo root is the Odoo module and has an ``__init__.py`` importing Odoo. pytest would set up
``ai_engine/`` as the package ``main.ai_engine`` and import that root first, which fails without
Odoo. A plain ``Dir`` node never imports ``__init__.py``; tests import ``ai_engine`` from the
installed (editable) package instead.
"""

from pathlib import Path

import pytest

ENGINE_DIR = Path(__file__).resolve().parent


def pytest_collect_directory(path: Path, parent):
    if path.resolve() == ENGINE_DIR:
        return pytest.Dir.from_parent(parent, path=path)
    return None
