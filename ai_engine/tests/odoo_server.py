"""A real, throwaway Odoo 18 server for integration tests: fresh database, ai_crm and its
helpdesk bridge ai_crm_helpdesk installed.

Found the same way as the test command finds it (scripts/find_odoo.py); tests that need it are
skipped with a clear reason when no Odoo 18 is installed.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

# Creates the sidecar's technical user in the engine group and a real API key for it.
ENGINE_USER_SCRIPT = """
group = env.ref('ai_crm.group_ai_engine')
user = env['res.users'].create({'name': 'AI CRM Engine', 'login': 'ai-engine',
                                'groups_id': [(6, 0, [group.id])]})
key = env['res.users.apikeys'].with_user(user).sudo()._generate('rpc', 'ai-engine tests', None)
env.cr.commit()
print('APIKEY=' + key)
"""


def find_odoo() -> dict | None:
    if os.environ.get("ODOO_PYTHON") and os.environ.get("ODOO_ADDONS_PATH"):
        return {"python": os.environ["ODOO_PYTHON"], "addons": os.environ["ODOO_ADDONS_PATH"]}
    probe = subprocess.run(["python3", str(REPO / "scripts" / "find_odoo.py")],
                           capture_output=True, text=True, check=False)
    found = dict(line.split("=", 1) for line in probe.stdout.splitlines() if "=" in line)
    if "ODOO_PYTHON" not in found:
        return None
    # The OCA add-ons ai_crm depends on, unpacked from PyPI when this Odoo lacks them.
    addons = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "odoo_deps.py"),
         found["ODOO_ADDONS_PATH"].strip("'")],
        capture_output=True, text=True, check=True,
    ).stdout.strip()
    return {"python": found["ODOO_PYTHON"].strip("'"), "addons": addons}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class OdooServer:
    python: str
    addons_path: str
    db: str
    port: int
    process: subprocess.Popen | None = None
    api_key: str = ""

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def client(self, login: str, api_key: str, timeout: float = 300):
        """A connected engine client (``OdooClient``) for ``login`` on this server."""
        from ai_engine.odoo_client import OdooClient, OdooSettings

        return OdooClient(OdooSettings(url=self.url, db=self.db, login=login, api_key=api_key,
                                       timeout=timeout)).connect()

    def db_args(self) -> list[str]:
        args = ["--db_host", os.environ.get("AI_CRM_DB_HOST", "127.0.0.1"),
                "--db_port", os.environ.get("AI_CRM_DB_PORT", "5432"),
                "--db_user", os.environ.get("AI_CRM_DB_USER") or os.environ.get("USER") or "root"]
        if os.environ.get("AI_CRM_DB_PASSWORD"):
            args += ["--db_password", os.environ["AI_CRM_DB_PASSWORD"]]
        return args + ["--addons-path", self.addons_path, "-d", self.db]

    def odoo(self, *args: str, stdin: str | None = None) -> str:
        done = subprocess.run([self.python, "-m", "odoo", *args, *self.db_args()], input=stdin,
                              capture_output=True, text=True, timeout=900, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"odoo {' '.join(args)} failed:\n{done.stderr[-4000:]}")
        return done.stdout

    def install(self) -> None:
        self.odoo("-i", "ai_crm,ai_crm_helpdesk", "--without-demo=all", "--stop-after-init",
                  "--http-port",
                  str(self.port), "--log-level=warn")
        out = self.odoo("shell", "--no-http", "--log-level=warn", stdin=ENGINE_USER_SCRIPT)
        self.api_key = next(line[7:] for line in out.splitlines() if line.startswith("APIKEY="))

    def start(self) -> None:
        if self.process and self.process.poll() is None:
            return  # running already (a test that meant to halt it did not get that far)
        self.process = subprocess.Popen(
            [self.python, "-m", "odoo", "server", *self.db_args(), "--http-port", str(self.port),
             "--http-interface", "127.0.0.1", "--db-filter", f"^{self.db}$",
             "--max-cron-threads", "0", "--log-level=warn"],
            stdout=subprocess.DEVNULL, stderr=sys.stderr,
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"{self.url}/web/health", timeout=2)
                return
            except urllib.error.HTTPError:
                return  # it answered: it is up
            except OSError:
                if self.process.poll() is not None:
                    raise RuntimeError("Odoo exited while starting") from None
                time.sleep(0.5)
        raise RuntimeError("Odoo did not start within 120 s")

    def halt(self) -> None:
        """Stop the server process only (an outage); ``start`` brings it back, data intact."""
        if self.process:
            self.process.terminate()
            self.process.wait(timeout=60)
            self.process = None

    def stop(self) -> None:
        if self.process:
            self.process.terminate()
            self.process.wait(timeout=60)
        subprocess.run([self.python, str(REPO / "scripts" / "drop_test_dbs.py"), self.db],
                       check=False)


def make_server(found: dict) -> OdooServer:
    addons = Path(tempfile.mkdtemp(prefix="ai_crm_addons_"))
    (addons / "ai_crm").symlink_to(REPO)
    (addons / "ai_crm_helpdesk").symlink_to(REPO / "ai_crm_helpdesk")
    return OdooServer(python=found["python"], addons_path=f"{found['addons']},{addons}",
                      db=f"ai_crm_it_{os.getpid()}_{int(time.time())}", port=_free_port())
