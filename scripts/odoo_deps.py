"""Make the OCA add-ons of requirements-odoo.txt available to an Odoo found by find_odoo.py.

Usage: ``odoo_deps.py ADDONS_PATH``. Prints an addons path: ADDONS_PATH itself when every add-on
is already on it, otherwise ADDONS_PATH plus a cache directory holding the missing add-ons,
unpacked from their pinned PyPI wheels. Wheels are unpacked rather than pip-installed because
installing an ``odoo-addon-*`` wheel into the Python of an editable (source) Odoo puts a second
``odoo`` package beside it. Stdlib only, plus ``pip download``.
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REQUIREMENTS = ROOT / "requirements-odoo.txt"
CACHE = Path(os.environ.get("AI_CRM_ADDONS_CACHE", ROOT / ".cache" / "odoo-addons"))


def pinned_addons():
    """``(requirement, module name)`` per line like ``odoo-addon-helpdesk_mgmt==18.0.1.19.5``."""
    for line in REQUIREMENTS.read_text().splitlines():
        match = re.match(r"\s*odoo-addon-([\w-]+)==\S+", line)
        if match:
            yield match.group(0).strip(), match.group(1).replace("-", "_")


def on_path(module, addons_path):
    return any((Path(p) / module / "__manifest__.py").is_file() for p in addons_path.split(","))


def unpack(requirement, module):
    version = requirement.split("==")[1]
    target = CACHE / version / module
    if (target / "__manifest__.py").is_file():
        return target.parent
    with tempfile.TemporaryDirectory() as download:
        fetched = subprocess.run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary",
             ":all:", "--dest", download, requirement], capture_output=True, text=True)
        if fetched.returncode != 0:
            sys.exit(f"could not download {requirement}:\n{fetched.stderr}")
        wheel = next(Path(download).glob("*.whl"))
        # Unpacked beside the target and renamed, so an interrupted run leaves no half add-on.
        staging = Path(download) / module
        prefix = f"odoo/addons/{module}/"
        with zipfile.ZipFile(wheel) as archive:
            for name in archive.namelist():
                if name.startswith(prefix) and not name.endswith("/"):
                    dest = staging / name[len(prefix):]
                    dest.parent.mkdir(parents=True, exist_ok=True)
                    dest.write_bytes(archive.read(name))
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(staging, target)
    return target.parent


def main(addons_path):
    extra = []
    for requirement, module in pinned_addons():
        if not on_path(module, addons_path):
            directory = str(unpack(requirement, module))
            if directory not in extra:
                extra.append(directory)
    print(",".join([addons_path, *extra]))


if __name__ == "__main__":
    main(sys.argv[1])
