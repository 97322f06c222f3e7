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


class DownloadError(RuntimeError):
    pass


def unpack(requirement, module, addons_dir: Path) -> str:
    """Download ``requirement``'s wheel from PyPI and unpack its add-on ``module`` as
    ``addons_dir/module``. Returns the wheel's file name; raises ``DownloadError``."""
    target = addons_dir / module
    with tempfile.TemporaryDirectory() as download:
        fetched = subprocess.run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary",
             ":all:", "--dest", download, requirement], capture_output=True, text=True)
        wheels = sorted(Path(download).glob("*.whl"))
        if fetched.returncode != 0 or not wheels:
            raise DownloadError(f"could not download {requirement}:\n{fetched.stderr}")
        wheel = wheels[-1]
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
    return wheel.name


def cached(requirement, module) -> Path:
    """The cache directory holding the pinned add-on, unpacked on first use."""
    directory = CACHE / requirement.split("==")[1]
    if not (directory / module / "__manifest__.py").is_file():
        try:
            unpack(requirement, module, directory)
        except DownloadError as exc:
            sys.exit(str(exc))
    return directory


def main(addons_path):
    extra = []
    for requirement, module in pinned_addons():
        if not on_path(module, addons_path):
            directory = str(cached(requirement, module))
            if directory not in extra:
                extra.append(directory)
    print(",".join([addons_path, *extra]))


if __name__ == "__main__":
    main(sys.argv[1])
