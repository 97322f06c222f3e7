"""The client's network policy: bounded calls, retries only when safe, clear errors, no key
leaks. Servers are local (127.0.0.1) and timeouts small: no test waits more than 2 s."""

from __future__ import annotations

import http.server
import json
import logging
import socket
import threading
import time
import urllib.error
import urllib.parse

import odoorpc
import pytest

from ai_engine import odoo_client, odoo_secrets
from ai_engine.odoo_client import (
    OdooAccessError,
    OdooClient,
    OdooConfigError,
    OdooConnectionError,
    OdooSettings,
    OdooValidationError,
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


# -- against local servers: real sockets on 127.0.0.1, small timeouts -------------------------
KEY = 'k3y-"quoted"\\and/slashed-0123456789abcdef'  # escapes differently in JSON, Python, URLs


def quick(url, **limits) -> OdooSettings:
    values = {"connect_timeout": 0.5, "read_timeout": 0.5, "call_timeout": 1.5,
              "backoff": 0.05, **limits}
    return OdooSettings(url=url, db="db", login="bot", api_key=KEY, **values)


class Fault(Exception):
    """Raised by a LocalOdoo answer: a JSON-RPC error with this message (and traceback)."""

    def __init__(self, message, name="odoo.exceptions.UserError", debug=""):
        super().__init__(message)
        self.message, self.name, self.debug = message, name, debug


class Gateway(Exception):
    """Raised by a LocalOdoo answer: the HTTP status a proxy gives for an unavailable Odoo."""


class LocalOdoo:
    """Odoo's ``/jsonrpc`` on 127.0.0.1 in a thread. ``answer(name, args, kwargs, body)`` gives
    the result (``name``: ``login`` or ``model.method``) or raises Fault / Gateway; every
    request is kept in ``requests`` as ``(name, args, kwargs)``."""

    def __init__(self, answer, port: int = 0):
        self.answer, self.requests = answer, []
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"])).decode()
                request = json.loads(body)
                args = request["params"]["args"]
                if request["params"]["service"] == "object":
                    call = (f"{args[3]}.{args[4]}", args[5], args[6])
                else:
                    call = (request["params"]["method"], args, {})
                owner.requests.append(call)
                try:
                    reply = {"result": owner.answer(*call, body)}
                except Fault as fault:
                    reply = {"error": {"code": 200, "message": "Odoo Server Error", "data": {
                        "name": fault.name, "message": fault.message, "debug": fault.debug}}}
                except Gateway as status:
                    self.send_error(int(str(status)))
                    return
                data = json.dumps({"jsonrpc": "2.0", "id": request["id"], **reply}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        http.server.ThreadingHTTPServer.allow_reuse_address = True
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        self.server.handle_error = lambda *args: None  # a client that gave up: not news

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def calls(self, name) -> list:
        return [(args, kwargs) for called, args, kwargs in self.requests if called == name]

    def __enter__(self) -> LocalOdoo:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def logged_in(name, args, kwargs, body):
    """The smallest Odoo: login answers uid 7, every other call None."""
    return 7 if name == "login" else None


@pytest.fixture
def silent_server():
    """Accepts connections (the kernel does) and never answers a byte; closed after 5 s, so a
    client that does not give up fails the test instead of hanging it."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(64)
        timer = threading.Timer(5, sock.close)
        timer.start()
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
        timer.cancel()


@pytest.fixture
def full_server():
    """A listening socket whose queue is full: new connections are never accepted."""
    with socket.socket() as sock, socket.socket() as first:
        sock.bind(("127.0.0.1", 0))
        sock.listen(0)
        first.connect(sock.getsockname())  # takes the only place in the queue
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"


def test_a_server_that_accepts_and_never_answers_is_given_up_within_the_call_limit(
        silent_server):
    started = time.monotonic()
    with pytest.raises(OdooConnectionError, match=r"read timeout \(0.5 s\).*gave up"):
        OdooClient(quick(silent_server)).connect()
    assert time.monotonic() - started < 1.5 + 0.5


def test_a_connection_never_accepted_is_bounded_by_the_connect_timeout(full_server):
    started = time.monotonic()
    with pytest.raises(OdooConnectionError, match=r"connect timeout \(0.3 s\)"):
        OdooClient(quick(full_server, connect_timeout=0.3, call_timeout=1.0)).connect()
    assert time.monotonic() - started < 1.0 + 0.5


def test_the_read_timeout_bounds_the_whole_answer_not_each_packet():
    """A server that trickles its answer, a byte at a time, cannot stretch the read timeout."""
    stop = threading.Event()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(8)

        def trickle():
            conn, _ = sock.accept()
            with conn:
                conn.recv(65536)
                for byte in b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n" + b" " * 100:
                    if stop.wait(0.1):
                        return
                    conn.sendall(bytes([byte]))

        threading.Thread(target=trickle, daemon=True).start()
        started = time.monotonic()
        try:
            with pytest.raises(OdooConnectionError, match="read timeout"):
                OdooClient(quick(f"http://127.0.0.1:{sock.getsockname()[1]}", read_timeout=1.0,
                                 call_timeout=1.6, retries=0)).connect()
        finally:
            stop.set()
    assert 0.9 < time.monotonic() - started < 1.6 + 0.5


def test_a_write_whose_answer_is_lost_is_not_sent_again():
    release = threading.Event()

    def answer(name, args, kwargs, body):
        if name == "ai.partner.insight.ai_write":
            release.wait(5)  # applied, perhaps, but the answer comes too late
        return 7 if name == "login" else {"created": 1}

    with LocalOdoo(answer) as odoo:
        client = OdooClient(quick(odoo.url)).connect()
        try:
            with pytest.raises(OdooConnectionError, match="may have been applied.*not sent again"):
                client.call("ai.partner.insight", "ai_write", 1, [{"partner_id": 3}])
        finally:
            release.set()
        assert len(odoo.calls("ai.partner.insight.ai_write")) == 1
        # A read lost the same way is asked again: it changes nothing.
        assert client.call("res.partner", "search_count", []) == {"created": 1}


def test_known_slow_calls_get_the_slow_read_timeout():
    release = threading.Event()

    def answer(name, args, kwargs, body):
        if name != "login":
            release.wait(0.8)  # longer than the read timeout, shorter than the slow one
        return 7 if name == "login" else True

    with LocalOdoo(answer) as odoo:
        client = OdooClient(quick(odoo.url, slow_read_timeout=2.0)).connect()
        try:
            assert client.call("ai.run", "ai_finish", 1, {}) is True  # publishing a run
            with pytest.raises(OdooConnectionError, match=r"read timeout \(0.5 s\)"):
                client.call("ai.run", "ai_heartbeat", 1)
        finally:
            release.set()


def test_a_write_that_never_reached_odoo_is_retried(full_server):
    sleeps = []
    client = OdooClient(quick(full_server, connect_timeout=0.2, call_timeout=5.0),
                        sleep=sleeps.append)
    client._odoo, client.uid = client._open(), 7
    with pytest.raises(OdooConnectionError, match="connect timeout.*gave up after 5 attempt"):
        client.call("ai.partner.insight", "ai_write", 1, [{"partner_id": 3}])
    assert sleeps == [0.05, 0.1, 0.2, 0.4]


def test_a_proxy_answering_for_a_down_odoo_is_retried_then_reported_unreachable():
    def answer(name, args, kwargs, body):
        raise Gateway(502)

    with LocalOdoo(answer) as odoo:
        with pytest.raises(OdooConnectionError, match="HTTP 502.*proxy"):
            OdooClient(quick(odoo.url), sleep=lambda _s: None).connect()
        assert len(odoo.requests) == 5


def test_a_server_that_is_not_odoo_is_a_clear_error_not_retried():
    def answer(name, args, kwargs, body):
        raise Gateway(404)

    with LocalOdoo(answer) as odoo:
        with pytest.raises(odoo_client.OdooError, match="HTTP 404.*AI_ENGINE_ODOO_URL"):
            OdooClient(quick(odoo.url)).connect()
        assert len(odoo.requests) == 1


def echo(name, args, kwargs, body):
    """An Odoo that answers every call after login with an error quoting the request."""
    if name == "login":
        return 7
    raise Fault(f"Cannot do that with {body}", debug=f"Traceback ...\n  request: {body}")


def test_secrets_echoed_by_odoo_are_redacted_from_errors(caplog):
    caplog.set_level(logging.DEBUG, logger="odoorpc")  # odoorpc logs requests, key included
    with LocalOdoo(echo) as odoo:
        client = OdooClient(quick(odoo.url)).connect()
        with pytest.raises(OdooValidationError) as raised:
            client.call("res.partner", "read", [1], ["name"])
    message = str(raised.value)
    assert "Cannot do that with" in message and "execute_kw" in message
    assert "k3y" not in message and odoo_secrets.REDACTED in message
    assert caplog.records and all("k3y" not in r.getMessage() for r in caplog.records)


def test_what_the_engine_stores_about_a_run_is_redacted():
    with LocalOdoo(logged_in) as odoo:
        client = OdooClient(quick(odoo.url)).connect()
        client.call("ai.run", "ai_fail", 4, f"boom {KEY}", {"log": [f"line {KEY}"]})
        [(args, _kwargs)] = odoo.calls("ai.run.ai_fail")
    assert args == [4, "boom [redacted]", {"log": ["line [redacted]"]}]


def test_redactor_catches_every_escaped_form_and_the_url_password():
    settings = OdooSettings(url="https://bot:pa%24%24@odoo.example.com", db="d", login="bot",
                            api_key=KEY)
    redact = odoo_secrets.Redactor(settings.secrets)
    for form in (KEY, json.dumps(KEY), repr(KEY), urllib.parse.quote(KEY, safe=""),
                 "pa$$", "pa%24%24"):
        assert "k3y" not in redact(f"x {form} y") and "pa$$" not in redact(form)
    assert settings.safe_url == "https://odoo.example.com"
    assert "pa" not in repr(settings)


def test_timeouts_come_from_the_environment_with_defaults_under_a_minute():
    env = {"AI_ENGINE_ODOO_URL": "http://a", "AI_ENGINE_ODOO_DB": "a",
           "AI_ENGINE_ODOO_LOGIN": "bot", "AI_ENGINE_ODOO_API_KEY": "k"}
    default = OdooSettings.from_env(env)
    assert (default.connect_timeout, default.read_timeout, default.call_timeout) == (5, 30, 50)
    assert default.call_timeout < 60 and default.slow_read_timeout == 120
    tuned = OdooSettings.from_env({**env, "AI_ENGINE_ODOO_CONNECT_TIMEOUT": "2",
                                   "AI_ENGINE_ODOO_READ_TIMEOUT": "90"})
    assert (tuned.connect_timeout, tuned.read_timeout, tuned.call_timeout) == (2, 90, 92)
    with pytest.raises(OdooConfigError, match="AI_ENGINE_ODOO_READ_TIMEOUT must be a number"):
        OdooSettings.from_env({**env, "AI_ENGINE_ODOO_READ_TIMEOUT": "soon"})
    with pytest.raises(OdooConfigError, match="CALL_TIMEOUT .* must be at least"):
        OdooSettings.from_env({**env, "AI_ENGINE_ODOO_CALL_TIMEOUT": "10"})
