"""Shared fixtures. ``odoo_server``: a real Odoo 18 with ai_crm and ai_crm_helpdesk in a fresh
database; ``seeded``: that database after `ai-engine seed-odoo`, as an admin would run it;
``engine`` and ``admin``: clients of the engine's user and of the administrator."""

import time

import pytest
from odoo_server import find_odoo, make_server
from typer.testing import CliRunner
from user_sees import SIGHTINGS, report_path

from ai_engine.cli import app

SEEDED_CUSTOMERS = 150


@pytest.fixture(autouse=True, scope="session")
def engine_state_dir(tmp_path_factory):
    """Models a full insights run saves for runs of changed customers: in the session's own
    directory, never the user's ~/.cache."""
    with pytest.MonkeyPatch.context() as patch:
        path = tmp_path_factory.mktemp("engine-state")
        patch.setenv("AI_ENGINE_STATE_DIR", str(path))
        yield path


@pytest.fixture
def user_sees(request):
    """Record what the user sees in this case (user_sees.py): user_sees(family, case, seen)."""
    return lambda family, case, seen: SIGHTINGS.record(request.node.nodeid, family, case, seen)


def pytest_collection_modifyitems(items):
    """Tests that empty the session's seeded database run last, whatever their file's name."""
    items.sort(key=lambda item: item.get_closest_marker("empties_seed") is not None)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    report = (yield).get_result()
    if report.when == "call" or report.outcome != "passed":
        SIGHTINGS.outcomes[item.nodeid] = report.outcome


def pytest_sessionfinish(session):
    path = report_path()
    if path and SIGHTINGS.rows:
        SIGHTINGS.write(path)


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


@pytest.fixture(scope="session")
def engine(odoo_server):
    return odoo_server.client("ai-engine", odoo_server.api_key)


@pytest.fixture(scope="session")
def admin(odoo_server):
    return odoo_server.client("admin", "admin")


def cli_env(server, login, key):
    return {"AI_ENGINE_ODOO_URL": server.url, "AI_ENGINE_ODOO_DB": server.db,
            "AI_ENGINE_ODOO_LOGIN": login, "AI_ENGINE_ODOO_API_KEY": key}


@pytest.fixture(scope="session")
def seeded(odoo_server, admin):
    """`ai-engine seed-odoo`, as an admin would run it."""
    result = CliRunner().invoke(app, ["seed-odoo", "--customers", str(SEEDED_CUSTOMERS),
                                      "--seed", "3"],
                                env=cli_env(odoo_server, "admin", "admin"))
    assert result.exit_code == 0, result.output
    orders = admin.call("sale.order", "search_count", [("state", "=", "sale")])
    # Run times are whole seconds, and a helpdesk run takes a ticket written in the second its
    # previous run started for changed (rescoring twice is safe, missing an edit is not): let
    # the seeding's last writes fall in an earlier second than the first run's start.
    time.sleep(1.1)
    return {"customers": SEEDED_CUSTOMERS, "orders": orders}
