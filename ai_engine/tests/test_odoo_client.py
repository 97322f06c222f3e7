"""The client's network policy: retries on network errors only, clear errors, no key leaks."""

import urllib.error

import odoorpc
import pytest

from ai_engine import odoo_client
from ai_engine.odoo_client import (
    OdooAccessError,
    OdooClient,
    OdooConfigError,
    OdooConnectionError,
    OdooSettings,
)

SETTINGS = OdooSettings(url="http://odoo.test:8069", db="db", login="bot", api_key="s3cret",
                        retries=2, backoff=0.5)


class FakeOdoo:
    """Stands in for odoorpc.ODOO's transport only; answers are scripted per test."""

    answers: list = []
    calls: list = []

    def __init__(self, *args, **kwargs):
        pass

    def json(self, url, params):
        FakeOdoo.calls.append(params)
        answer = FakeOdoo.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return {"result": answer}


@pytest.fixture
def fake(monkeypatch):
    monkeypatch.setattr(odoo_client.odoorpc, "ODOO", FakeOdoo)
    FakeOdoo.answers, FakeOdoo.calls = [], []
    return FakeOdoo


def test_settings_from_env_name_every_missing_variable():
    with pytest.raises(OdooConfigError, match="AI_ENGINE_ODOO_DB, AI_ENGINE_ODOO_API_KEY"):
        OdooSettings.from_env({"AI_ENGINE_ODOO_URL": "http://x", "AI_ENGINE_ODOO_LOGIN": "bot"})


def test_settings_overrides_win_and_key_is_never_shown():
    env = {"AI_ENGINE_ODOO_URL": "http://a", "AI_ENGINE_ODOO_DB": "a",
           "AI_ENGINE_ODOO_LOGIN": "bot", "AI_ENGINE_ODOO_API_KEY": "s3cret"}
    settings = OdooSettings.from_env(env, db="b", url=None)
    assert (settings.url, settings.db) == ("http://a", "b")
    assert "s3cret" not in repr(settings)


def test_network_errors_are_retried_with_backoff(fake):
    sleeps = []
    fake.answers = [urllib.error.URLError("refused"), TimeoutError("slow"), 7, [{"id": 1}]]
    client = OdooClient(SETTINGS, sleep=sleeps.append).connect()
    assert client.uid == 7 and sleeps == [0.5, 1.0]
    assert client.call("res.partner", "read", [1], ["name"]) == [{"id": 1}]
    assert fake.calls[-1]["args"][:5] == ["db", 7, "s3cret", "res.partner", "read"]


def test_gives_up_after_the_configured_retries(fake):
    fake.answers = [urllib.error.URLError("refused")] * 3
    with pytest.raises(OdooConnectionError, match="Cannot reach Odoo at http://odoo.test:8069"):
        OdooClient(SETTINGS, sleep=lambda _s: None).connect()
    assert len(fake.calls) == 3


def test_odoo_errors_are_mapped_and_not_retried(fake):
    denied = odoorpc.error.RPCError("Odoo Server Error", {"data": {
        "name": "odoo.exceptions.AccessError", "message": "You are not allowed"}})
    fake.answers = [7, denied]
    client = OdooClient(SETTINGS, sleep=lambda _s: pytest.fail("must not retry")).connect()
    with pytest.raises(OdooAccessError, match="You are not allowed"):
        client.call("res.partner", "ai_apply_insights", 1, [])
    assert len(fake.calls) == 2


def test_refused_login_is_a_clear_error(fake):
    fake.answers = [False]
    with pytest.raises(odoo_client.OdooAuthError, match="AI_ENGINE_ODOO_API_KEY"):
        OdooClient(SETTINGS).connect()


def test_bad_url_is_a_config_error(fake):
    with pytest.raises(OdooConfigError, match="http://host:8069"):
        OdooClient(OdooSettings(url="odoo:8069", db="d", login="l", api_key="k")).connect()
