"""``ai-engine worker`` as a service, against a local fake Odoo on 127.0.0.1: it waits for an Odoo
that is down, stops cleanly on SIGTERM and Ctrl-C (failing the run it cannot finish), exits 2 on
a refused key without hammering, never prints or stores the key; and the systemd unit and the
environment file it reads. Every wait is a fraction of a second; no test needs Odoo."""

from __future__ import annotations

import json
import logging
import re
import signal
import socket
import threading
import time
from pathlib import Path

import pytest
import typer.main
from test_odoo_client import KEY, Fault, LocalOdoo, quick
from typer.testing import CliRunner

from ai_engine import dispatch, odoo_client, odoo_secrets
from ai_engine.cli import app
from ai_engine.odoo_client import OdooClient

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
RUN = {"id": 1, "task": "insights", "company_id": 1, "params": {}}


def env(url: str, **extra) -> dict:
    return {"AI_ENGINE_ODOO_URL": url, "AI_ENGINE_ODOO_DB": "db", "AI_ENGINE_ODOO_LOGIN": "bot",
            "AI_ENGINE_ODOO_API_KEY": KEY, "AI_ENGINE_ODOO_CONNECT_TIMEOUT": "0.5",
            "AI_ENGINE_ODOO_READ_TIMEOUT": "2", "AI_ENGINE_ODOO_CALL_TIMEOUT": "3", **extra}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def signal_worker(signum=signal.SIGTERM) -> None:
    """What systemd (or Ctrl-C) does: the signal, to the worker's main thread."""
    signal.pthread_kill(threading.main_thread().ident, signum)


class Queue:
    """The ai.run queue of a fake Odoo: one run to claim, then empty; the worker is signalled
    at its ``stop_at``-th empty poll. ``answers``: other calls by name (a value or a function
    of the call's args)."""

    def __init__(self, runs=(RUN,), stop_at: int = 1, answers: dict | None = None):
        self.runs, self.stop_at, self.answers = list(runs), stop_at, answers or {}
        self.empty_polls, self.events = 0, []

    def __call__(self, name, args, kwargs, body):
        self.events.append(name)
        if name == "login":
            return 7
        if name == "ai.run.ai_claim_next":
            if self.runs:
                return self.runs.pop(0)
            self.empty_polls += 1
            if self.empty_polls == self.stop_at:
                signal_worker()
            return False
        answer = self.answers.get(name, True)
        return answer(args) if callable(answer) else answer


@pytest.fixture
def task(monkeypatch):
    """The claimed run's work, in place of a real feature: ``task.work(client, run_id)``."""
    class Task:
        work = staticmethod(lambda client, run_id: None)

    def run_task(client, run_id, task, company_id, params, log, today=None):
        Task.work(client, run_id)
        return 0, {}

    monkeypatch.setattr(dispatch, "run_task", run_task)
    return Task


def worker(odoo_url: str, *args: str, **extra_env):
    return CliRunner().invoke(app, ["worker", *args], env=env(odoo_url, **extra_env))


def test_worker_waits_for_an_odoo_down_at_start_and_goes_on_when_it_is_back(task, caplog,
                                                                           user_sees):
    port = free_port()
    client = OdooClient(quick(f"http://127.0.0.1:{port}", call_timeout=0.5))
    queue, up, waits = Queue(stop_at=0), [], []

    def sleep(seconds):
        waits.append(seconds)
        if len(waits) == 3:  # Odoo comes up during the third wait
            up.append(LocalOdoo(queue, port=port).__enter__())

    try:
        with caplog.at_level(logging.INFO, logger="ai_engine.dispatch"):
            dispatch.work_forever(client, poll_seconds=0.01, max_idle_polls=1, sleep=sleep,
                                  retry_first=0.01, retry_max=0.02)
    finally:
        for odoo in up:
            odoo.__exit__()
    assert waits == [0.01, 0.02, 0.02, 0.01]  # back-off while away, then the poll interval
    assert queue.events == ["login", "ai.run.ai_claim_next", "ai.run.ai_finish",
                            "ai.run.ai_claim_next"]
    states = [r.getMessage() for r in caplog.records if r.getMessage().startswith("Odoo ")]
    assert len(states) == 2, states  # three failed polls, one line for the outage
    assert states[0].startswith("Odoo is unreachable;") and "connection refused" in states[0]
    assert states[1].startswith("Odoo answers again")
    user_sees("Worker", "Odoo down when the worker starts, back later",
              f"log: {states[0]} … {states[1]}")


def test_worker_command_does_not_exit_when_odoo_is_down(user_sees):
    port = free_port()  # nothing listens
    timer = threading.Timer(1.5, signal_worker)
    timer.start()
    started = time.monotonic()
    try:
        result = worker(f"http://127.0.0.1:{port}")
    finally:
        timer.cancel()
    assert result.exit_code == 0, result.output
    assert time.monotonic() - started >= 1.4 and "Stopped." in result.stdout
    assert "Error" not in result.output
    user_sees("Worker", "Odoo unreachable, then SIGTERM", "waits without exiting; on SIGTERM: "
              f"{result.stdout.strip().splitlines()[-1]} (exit code 0)")


def test_sigterm_during_the_work_fails_the_run_with_a_clear_message(task, user_sees):
    def work(client, run_id):
        client.call("sale.order.line", "search_read", [], fields=["id"])
        signal.raise_signal(signal.SIGTERM)  # the service manager stops us mid-computation
        pytest.fail("the stop must interrupt the work")

    task.work = work
    with LocalOdoo(Queue(stop_at=99)) as odoo:
        result = worker(odoo.url)
    assert result.exit_code == 0, result.output
    [(args, _kwargs)] = odoo.calls("ai.run.ai_fail")
    assert args[0] == 1 and "stopped (SIGTERM) before this run finished" in args[1]
    assert not odoo.calls("ai.run.ai_finish")
    assert odoo.answer.events[-1] == "ai.run.ai_fail"  # no claim after the stop
    user_sees("Worker", "SIGTERM while a run computes", f"run failed: {args[1]}")


def test_sigterm_during_a_write_waits_for_its_answer_then_fails_the_run(task, user_sees):
    def slow_write(args):
        signal_worker()
        time.sleep(0.3)
        odoo.answer.events.append("answered")
        return {"created": 1}

    task.work = lambda client, run_id: client.call("ai.partner.insight", "ai_write", run_id,
                                                   [{"partner_id": 3}])
    with LocalOdoo(Queue(stop_at=99, answers={"ai.partner.insight.ai_write": slow_write})) \
            as odoo:
        result = worker(odoo.url)
    assert result.exit_code == 0, result.output
    assert odoo.answer.events[-3:] == ["ai.partner.insight.ai_write", "answered",
                                       "ai.run.ai_fail"]
    [(args, _kwargs)] = odoo.calls("ai.run.ai_fail")
    assert "stopped (SIGTERM)" in args[1]
    user_sees("Worker", "SIGTERM during a write", "the write's answer is awaited, then the run "
              "is failed: " + args[1])


def test_ctrl_c_on_an_idle_worker_stops_it_without_touching_a_run():
    with LocalOdoo(Queue(runs=[], stop_at=1)) as odoo:
        odoo.answer.stop_at = 2
        result = worker(odoo.url, "--poll", "1")
    assert result.exit_code == 0 and "Stopped." in result.stdout
    assert odoo.answer.events == ["login", "ai.run.ai_claim_next", "ai.run.ai_claim_next"]


def test_ctrl_c_is_a_stop_too(task):
    task.work = lambda client, run_id: signal.raise_signal(signal.SIGINT)
    with LocalOdoo(Queue(stop_at=99)) as odoo:
        result = worker(odoo.url)
    assert result.exit_code == 0, result.output
    [(args, _kwargs)] = odoo.calls("ai.run.ai_fail")
    assert "stopped (SIGINT)" in args[1]


@pytest.mark.parametrize("refusal", ["login", "claim"])
def test_a_refused_key_is_one_clear_error_and_exit_code_2(refusal, user_sees):
    def answer(name, args, kwargs, body):
        if name == "login":
            return refusal != "login" and 7
        raise Fault("Access Denied", name="odoo.exceptions.AccessDenied")

    with LocalOdoo(answer) as odoo:
        result = worker(odoo.url)
    assert result.exit_code == 2, result.output
    assert ("refused login" if refusal == "login" else "Access Denied") in result.stderr
    assert len(odoo.requests) == (1 if refusal == "login" else 2)  # asked once, not hammered
    assert "Traceback" not in result.output
    user_sees("Worker", f"key refused at {refusal}", result.stderr.strip().splitlines()[0] +
              " (exit code 2, not restarted)")


def test_the_key_is_never_printed_logged_or_stored(task, caplog, user_sees):
    """Odoo quoting the whole request (API key included) in its error, as some do."""
    def echo_the_request(name, args, kwargs, body):
        raise Fault(f"Bad domain in {body}", debug=f"Traceback ...\n{body}")

    task.work = lambda client, run_id: client.call("sale.order.line", "search_read", [])
    queue = Queue(stop_at=1, answers={"sale.order.line.search_read": None})
    with LocalOdoo(lambda name, *rest: (echo_the_request if name.endswith("search_read")
                                        else queue)(name, *rest)) as odoo:
        with caplog.at_level(logging.DEBUG):
            result = worker(odoo.url)
    assert result.exit_code == 0, result.output
    [(args, _kwargs)] = odoo.calls("ai.run.ai_fail")
    stored = json.dumps(args)
    assert "Bad domain in" in stored and odoo_secrets.REDACTED in stored
    for text in (stored, result.output, caplog.text):
        assert "k3y" not in text
    user_sees("Worker", "Odoo echoes the request (API key) in an error",
              f"run failed: {args[1][:160]}")


def test_run_gives_up_on_a_server_that_never_answers_within_the_call_timeout(user_sees):
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        timer = threading.Timer(10, silent.close)  # a run that never gives up fails, not hangs
        timer.start()
        started = time.monotonic()
        result = CliRunner().invoke(app, ["run"], env=env(
            f"http://127.0.0.1:{silent.getsockname()[1]}", AI_ENGINE_ODOO_READ_TIMEOUT="0.5",
            AI_ENGINE_ODOO_CALL_TIMEOUT="1.5"))
        timer.cancel()
    assert result.exit_code == 2 and "read timeout (0.5 s)" in result.stderr
    assert time.monotonic() - started < 1.5 + 1
    user_sees("Worker", "a server that accepts and never answers",
              result.stderr.strip().splitlines()[0] + " (exit code 2, within the call timeout)")


def test_run_json_prints_json_only_when_odoo_is_down(user_sees):
    result = CliRunner().invoke(app, ["run", "--json"], env=env(f"http://127.0.0.1:{free_port()}"))
    assert result.exit_code == 2
    assert "Cannot reach Odoo" in json.loads(result.stdout)["error"]
    assert result.stderr == ""
    user_sees("Worker", "run --json with Odoo down", result.stdout.strip())


# -- deploy/ ----------------------------------------------------------------------------------
def unit_settings(path: Path) -> dict[str, list[str]]:
    """``Section.Key`` → values of a systemd unit (comments left out)."""
    settings: dict[str, list[str]] = {}
    section = ""
    for line in path.read_text().splitlines():
        line = line.strip()
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1]
        elif line and not line.startswith(("#", ";")):
            key, _, value = line.partition("=")
            settings.setdefault(f"{section}.{key}", []).append(value)
    return settings


def test_the_unit_restarts_on_failure_but_never_on_a_refused_key():
    unit = unit_settings(DEPLOY / "ai-engine-worker.service")
    assert unit["Service.ExecStart"][0].endswith("ai-engine worker")
    assert unit["Service.Restart"] == ["on-failure"]
    assert "2" in unit["Service.RestartPreventExitStatus"][0].split()
    assert unit["Service.User"][0] not in ("", "root")
    assert unit["Service.EnvironmentFile"] == ["/etc/ai-engine/ai-engine.env"]
    # A stop may wait for the write in flight and the run's report, or for a publication in
    # flight: systemd must not kill the worker before they are over.
    limits = odoo_client.OdooSettings("http://x", "d", "l", "k")
    assert float(unit["Service.TimeoutStopSec"][0]) >= max(
        2 * limits.call_timeout, limits.connect_timeout + limits.slow_read_timeout)
    text = (DEPLOY / "ai-engine-worker.service").read_text()
    assert "exit" in text.lower() and "RestartPreventExitStatus" in text
    assert not any(value.split("=")[0].startswith("AI_ENGINE_")
                   for value in unit.get("Service.Environment", []))  # no settings, no key inline


def engine_variables() -> set[str]:
    """Every AI_ENGINE_* variable the engine reads: in its code and its commands' options."""
    package = Path(odoo_client.__file__).parent
    variable = re.compile(r"AI_ENGINE_[A-Z0-9_]*[A-Z0-9](?![A-Z0-9_*])")
    names = {name for path in package.rglob("*.py") if "tests" not in path.parts
             for name in variable.findall(path.read_text())}
    for command in typer.main.get_command(app).commands.values():
        for param in command.params:
            names.update(v for v in ([param.envvar] if isinstance(param.envvar, str)
                                     else param.envvar or []) if v.startswith("AI_ENGINE_"))
    return names


def test_the_environment_file_documents_every_variable_and_holds_no_key():
    text = (DEPLOY / "ai-engine.env.example").read_text()
    listed = set(re.findall(r"^#?(AI_ENGINE_[A-Z0-9_]+)=", text, flags=re.MULTILINE))
    assert engine_variables() <= listed, engine_variables() - listed
    assert {"AI_ENGINE_ODOO_CONNECT_TIMEOUT", "AI_ENGINE_ODOO_READ_TIMEOUT",
            "AI_ENGINE_WORKER_POLL"} <= listed
    assert re.search(r"^AI_ENGINE_ODOO_API_KEY=$", text, flags=re.MULTILINE)  # empty: to fill
    assert "600" in text
    for name in listed:  # each with its comment just above
        above = text.split(f"{name}=")[0].rstrip("#").rstrip().splitlines()[-1]
        assert above.startswith("#"), name
