"""Shared fixtures. ``odoo_server``: a real Odoo 18 with ai_crm in a fresh database."""

import pytest
from odoo_server import find_odoo, make_server


@pytest.fixture(scope="session")
def odoo_server():
    found = find_odoo()
    if not found:
        pytest.skip("no Odoo 18 installed (odoo command or importable odoo package)")
    server = make_server(found)
    try:
        server.install()
        server.start()
        yield server
    finally:
        server.stop()
