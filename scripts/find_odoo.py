"""Find an Odoo 18 installed the ordinary way and print shell assignments for it.

Looks for a Python that can ``import odoo`` — the interpreter behind an ``odoo`` command on PATH,
then ``python3`` — and prints ``ODOO_PYTHON``, ``ODOO_VERSION`` and ``ODOO_ADDONS_PATH`` (the
addons path that Odoo itself would use, from its config file and defaults). When there is none it
prints ``ODOO_MISSING`` with the reason. ``ODOO_PYTHON`` may be preset to choose one. Stdlib only.
"""

import os
import shlex
import shutil
import subprocess
import sys

PROBE = (
    "import odoo.release as r; from odoo.tools import config; config.parse_config([]); "
    "print(r.version_info[0]); print(r.version); print(config['addons_path'])"
)


def script_interpreter(command):
    """The Python behind an ``odoo`` console script (pyenv shims are resolved first)."""
    path = shutil.which(command)
    if not path:
        return None
    if "/shims/" in path and shutil.which("pyenv"):
        found = subprocess.run(["pyenv", "which", command], capture_output=True, text=True)
        path = found.stdout.strip() or path
    try:
        with open(path, "rb") as script:
            first = script.readline().decode(errors="replace").strip()
    except OSError:
        return None
    return first[2:].split()[0] if first.startswith("#!") and "python" in first else None


def candidates():
    seen = []
    for python in (os.environ.get("ODOO_PYTHON"), script_interpreter("odoo"),
                   shutil.which("python3"), "/usr/bin/python3"):
        if python and python not in seen:
            seen.append(python)
    return seen


def main():
    reasons = []
    for python in candidates():
        try:
            probe = subprocess.run([python, "-c", PROBE], capture_output=True, text=True,
                                   timeout=120, cwd="/")
        except (OSError, subprocess.TimeoutExpired) as exc:
            reasons.append(f"{python}: {exc}")
            continue
        if probe.returncode != 0:
            reasons.append(f"{python}: no importable odoo")
            continue
        major, version, addons_path = probe.stdout.strip().splitlines()[-3:]
        if major != "18":
            reasons.append(f"{python}: Odoo {version} is not 18")
            continue
        print(f"ODOO_PYTHON={shlex.quote(python)}")
        print(f"ODOO_VERSION={shlex.quote(version)}")
        print(f"ODOO_ADDONS_PATH={shlex.quote(addons_path)}")
        return 0
    print(f"ODOO_MISSING={shlex.quote('; '.join(reasons) or 'no python3 found')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
