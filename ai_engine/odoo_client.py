"""The engine's only door to Odoo: JSON-RPC through odoorpc, API-key auth, timeouts, retries.

Every other engine file talks to Odoo through :class:`OdooClient` so that network policy and the
mapping of Odoo errors to clear exceptions live in one place:

* every call is bounded: a connect timeout, a read timeout (the whole answer, not each packet)
  and one limit for the call with its retries and waits (``OdooSettings``);
* only what cannot have changed anything is sent again: a request that never reached Odoo, or a
  call that only reads. A write whose answer was lost is reported, never repeated;
* secrets never leave in a message: the API key (and a password in the URL) are redacted from
  every error, from what the engine stores in Odoo about a run, and from odoorpc's debug log.

The secrets are kept out by ``odoo_secrets``, the bounds are set by ``odoo_transport``; what
the features' extract and load steps share is in ``odoo_rows``.
"""

from __future__ import annotations

import functools
import http.client
import logging
import math
import os
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from urllib.parse import unquote, urlparse

import odoorpc

from ai_engine.errors import AiEngineError
from ai_engine.odoo_secrets import ODOORPC_SECRETS, Redactor
from ai_engine.odoo_transport import Attempt, BoundedHTTPHandler, BoundedHTTPSHandler

_logger = logging.getLogger(__name__)

ENV_VARS = {
    "url": "AI_ENGINE_ODOO_URL",
    "db": "AI_ENGINE_ODOO_DB",
    "login": "AI_ENGINE_ODOO_LOGIN",
    "api_key": "AI_ENGINE_ODOO_API_KEY",
}
TIMEOUT_ENV_VARS = {
    "connect_timeout": "AI_ENGINE_ODOO_CONNECT_TIMEOUT",
    "read_timeout": "AI_ENGINE_ODOO_READ_TIMEOUT",
    "call_timeout": "AI_ENGINE_ODOO_CALL_TIMEOUT",
    "slow_read_timeout": "AI_ENGINE_ODOO_SLOW_READ_TIMEOUT",
}

# Failures of the network or of a proxy in front of Odoo: worth retrying when the request
# cannot have been applied. Odoo's own answers (access denied, validation errors) are final.
# (OSError covers urllib's URLError, refused or reset connections, timeouts, DNS and TLS.)
NETWORK_ERRORS = (OSError, http.client.HTTPException)
# A proxy in front of Odoo answering for it: Odoo down, restarting or overloaded.
GATEWAY_STATUSES = {502, 503, 504}
# Calls that change nothing: sent again after a lost answer. Every other call is sent again
# only when its request never reached Odoo (no connection), or when it is safe to repeat
# (``_resend_safe``: a heartbeat, a claim that carries its token).
READ_ONLY_METHODS = frozenset({
    "read", "search", "search_read", "search_count", "read_group", "fields_get", "name_search",
    "check_access_rights", "default_get", "login", "version",
})
# Calls whose answer may take longer than the read timeout, measured (bench: 2 loaded cores):
# publishing a run (ai_finish: one transaction over every staged row, 2.4 s for ~100,000
# suggestions, linear in rows) and bulk creation (seed-odoo: up to 32 s for 500 orders).
SLOW_METHODS = frozenset({"ai_finish", "create"})
# ai.run methods that report a claimed run's end (allowed while stopping; they close the run).
REPORT_METHODS = ("ai_finish", "ai_fail")


class OdooError(AiEngineError):
    """Odoo answered with an error."""


class OdooConfigError(OdooError):
    """The engine was not told how to reach Odoo."""


class OdooConnectionError(OdooError):
    """Odoo could not be reached, or did not answer in time, even after retries."""


class OdooAuthError(OdooError):
    """Login or API key refused."""


class OdooAccessError(OdooError):
    """The engine's user lacks a right (is it in the 'AI CRM / Engine' group?)."""


class OdooValidationError(OdooError):
    """Odoo refused the data (ValidationError / UserError)."""


class OdooMethodMissing(OdooError):
    """The server has no such method: its module is older than this engine."""


class EngineStopped(AiEngineError):
    """The engine was asked to stop: no new call to Odoo, except reporting a run's end."""


_ODOO_EXCEPTIONS = {
    "odoo.exceptions.AccessError": OdooAccessError,
    "odoo.exceptions.AccessDenied": OdooAuthError,
    "odoo.exceptions.ValidationError": OdooValidationError,
    "odoo.exceptions.UserError": OdooValidationError,
    "odoo.exceptions.MissingError": OdooValidationError,
}


# -- settings -----------------------------------------------------------------------------------
def _seconds(environ, var: str) -> float | None:
    text = environ.get(var, "").strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value <= 0:
        raise OdooConfigError(f"{var} must be a number of seconds above 0, not {text!r}.")
    return value


def many2one_load(names: bool) -> str | None:
    """``read``'s ``load``: many2one values as ``[id, name]`` or as the id alone. Their names
    cost Odoo more than the rest of a bulk read (insights of 2,000 customers: 500 → 210 ms)."""
    return "_classic_read" if names else None


@dataclass(frozen=True)
class OdooSettings:
    """How to reach Odoo and how long to wait for it.

    ``connect_timeout``: to open the connection (TCP and TLS). ``read_timeout``: from the
    request sent to the last byte of the answer. ``call_timeout``: one call with its retries and
    the waits between them; a call gives up by then whatever happens. ``slow_read_timeout``:
    the read timeout of the known-slow calls (``SLOW_METHODS``), their limit grown to fit it.
    ``timeout`` (benches, tests on big databases): one read timeout for every call.
    """

    url: str
    db: str
    login: str
    api_key: str
    connect_timeout: float = 5.0
    read_timeout: float = 30.0
    call_timeout: float = 50.0
    slow_read_timeout: float = 120.0
    retries: int = 4
    backoff: float = 1.0
    timeout: float | None = None

    def __post_init__(self):
        if self.timeout:
            object.__setattr__(self, "read_timeout", float(self.timeout))
            object.__setattr__(self, "call_timeout", max(
                self.call_timeout, self.connect_timeout + self.read_timeout))
        object.__setattr__(self, "slow_read_timeout", max(self.slow_read_timeout,
                                                          self.read_timeout))

    @classmethod
    def from_env(cls, environ: dict | None = None, **overrides) -> OdooSettings:
        """Settings from ``AI_ENGINE_ODOO_*`` variables; non-empty ``overrides`` win."""
        environ = os.environ if environ is None else environ
        values = {key: environ.get(var, "") for key, var in ENV_VARS.items()}
        values.update({k: v for k, v in overrides.items() if v not in (None, "")})
        missing = [ENV_VARS[k] for k in ENV_VARS if not values.get(k)]
        if missing:
            raise OdooConfigError(
                "Missing Odoo connection settings: set " + ", ".join(missing)
                + " (the API key only through the environment)."
            )
        timeouts = {key: _seconds(environ, var) for key, var in TIMEOUT_ENV_VARS.items()}
        settings = cls(**values, **{k: v for k, v in timeouts.items() if v is not None})
        least = settings.connect_timeout + settings.read_timeout
        if timeouts["call_timeout"] is None and least > settings.call_timeout:
            settings = replace(settings, call_timeout=least)
        if least > settings.call_timeout:
            raise OdooConfigError(
                f"AI_ENGINE_ODOO_CALL_TIMEOUT ({settings.call_timeout:g} s) must be at least "
                f"AI_ENGINE_ODOO_CONNECT_TIMEOUT + AI_ENGINE_ODOO_READ_TIMEOUT "
                f"({settings.connect_timeout:g} + {settings.read_timeout:g} s).")
        return settings

    @property
    def secrets(self) -> tuple[str, ...]:
        """What must never be printed or stored: the API key, a password written in the URL."""
        password = urlparse(self.url).password
        return tuple(filter(None, (self.api_key, password and unquote(password))))

    @property
    def safe_url(self) -> str:
        """The URL without the user and password it may carry."""
        url = urlparse(self.url)
        return url._replace(netloc=url.netloc.rpartition("@")[2]).geturl() if url.netloc \
            else self.url

    def __repr__(self) -> str:  # never print the key
        return f"OdooSettings(url={self.safe_url!r}, db={self.db!r}, login={self.login!r})"


def map_rpc_error(exc: odoorpc.error.RPCError, redact: Callable[[str], str] = str) -> OdooError:
    data = (exc.info or {}).get("data", {}) if isinstance(exc.info, dict) else {}
    name = data.get("name", "")
    message = data.get("message") or str(exc)
    if name == "odoo.exceptions.AccessDenied":  # a key revoked or expired since the login
        message = (f"Odoo refused the engine's key ({message}): it may have expired or been "
                   "revoked. Issue a new one (ai-engine setup-odoo) and set "
                   "AI_ENGINE_ODOO_API_KEY.")
    if name == "builtins.AttributeError" and "does not exist" in message:
        return OdooMethodMissing(redact(message))
    return _ODOO_EXCEPTIONS.get(name, OdooError)(redact(message))


def _resend_safe(method: str, args: tuple, kwargs: dict) -> bool:
    """May this call be sent again when its answer was lost (it may have been applied)?"""
    if method == "ai_claim_next":  # a claim repeated with its token returns the same run
        return bool(kwargs.get("token") or (len(args) > 2 and args[2]))
    return method in READ_ONLY_METHODS or method == "ai_heartbeat"


def _gateway(exc) -> int | None:
    """The status of a proxy's answer for an unavailable Odoo (502, 503, 504), else None."""
    return exc.code if isinstance(exc, urllib.error.HTTPError) and \
        exc.code in GATEWAY_STATUSES else None


class OdooClient:
    """A logged-in JSON-RPC session (``/jsonrpc`` with the API key, as Odoo intends for bots).

    Besides the calls, the client keeps what a worker needs to stop or recover cleanly:
    ``open_runs`` (runs it claimed and has not reported yet), ``writing`` (a call that may change
    data is under way) and ``stop(reason)`` (no new call, except reporting a run's end).
    """

    def __init__(self, settings: OdooSettings, *, sleep: Callable[[float], None] = time.sleep):
        self.settings = settings
        self.redact = Redactor(settings.secrets)
        ODOORPC_SECRETS.update(settings.secrets)
        self._sleep = sleep
        self._odoo = None
        self._attempt = Attempt(settings.connect_timeout, settings.read_timeout, math.inf)
        self.uid: int | None = None
        self.open_runs: set[int] = set()
        self.writing = False
        self.stop_reason: str | None = None
        # (model, method) the server answered it does not have: not asked again.
        self.missing_methods: set[tuple[str, str]] = set()

    # -- connection -------------------------------------------------------------------------
    def connect(self) -> OdooClient:
        self._odoo = self._open()
        uid = self._rpc("common", "login", [self.settings.db, self.settings.login,
                                             self.settings.api_key], resend=True)
        if not uid:
            raise OdooAuthError(self.redact(
                f"Odoo refused login {self.settings.login!r} on database {self.settings.db!r}: "
                "check AI_ENGINE_ODOO_LOGIN and AI_ENGINE_ODOO_API_KEY."
            ))
        self.uid = uid
        return self

    def twin(self) -> OdooClient:
        """Another connection as the same user, for calls in flight beside this client's
        (bulk writes); it stops when this client was stopped before."""
        other = OdooClient(self.settings, sleep=self._sleep)
        other.stop_reason = self.stop_reason
        return other.connect()

    def _open(self):
        """odoorpc's JSON-RPC connector on urllib handlers that bound every attempt."""
        url = urlparse(self.settings.url)
        try:
            port = url.port or (443 if url.scheme == "https" else 80)
        except ValueError:
            port = None
        if url.scheme not in ("http", "https") or not url.hostname or not port:
            raise OdooConfigError(
                f"Odoo URL must look like http://host:8069, got {self.settings.safe_url!r}")
        protocol = "jsonrpc+ssl" if url.scheme == "https" else "jsonrpc"
        opener = urllib.request.build_opener(BoundedHTTPHandler(lambda: self._attempt),
                                             BoundedHTTPSHandler(lambda: self._attempt))
        return odoorpc.ODOO(url.hostname, protocol=protocol, port=port,
                            timeout=self.settings.read_timeout, version="18.0", opener=opener)

    def stop(self, reason: str) -> None:
        """From now on, calls raise :class:`EngineStopped` with ``reason``, except the ones that
        report a run's end; a call under way finishes (and then raises, unless it reported)."""
        self.stop_reason = self.redact(reason)

    # -- calls ------------------------------------------------------------------------------
    def call(self, model: str, method: str, *args, **kwargs):
        """``model.method(*args, **kwargs)`` on the server as the engine's user."""
        reporting = model == "ai.run" and method in REPORT_METHODS
        if self.stop_reason and not reporting:
            raise EngineStopped(self.stop_reason)
        if self.uid is None:
            self.connect()
        if reporting:  # what the engine stores about a run: errors and logs, secrets out
            args, kwargs = self.redact.scrub(args), self.redact.scrub(kwargs)
        self.writing = method not in READ_ONLY_METHODS
        try:
            result = self._rpc(
                "object", "execute_kw",
                [self.settings.db, self.uid, self.settings.api_key, model, method, list(args),
                 kwargs], resend=_resend_safe(method, args, kwargs), slow=method in SLOW_METHODS,
            )
        except OdooConnectionError:
            raise
        except OdooMethodMissing:
            self.missing_methods.add((model, method))
            raise
        except OdooError:  # Odoo's final word on a report: there is nothing left to report
            if reporting:
                self.open_runs.discard(args[0])
            raise
        finally:
            self.writing = False
        if model == "ai.run" and method == "ai_claim_next" and result:
            self.open_runs.add(result["id"])
        if reporting:
            self.open_runs.discard(args[0])
        elif self.stop_reason:
            raise EngineStopped(self.stop_reason)
        return result

    def fail_open_runs(self, error: str) -> None:
        """Report every run this client claimed and left open (the connection lost, a stop) as
        failed with ``error``; a run Odoo already closed is left as it is."""
        for run_id in sorted(self.open_runs):
            try:
                self.call("ai.run", "ai_fail", run_id, error, None)
            except OdooValidationError as exc:  # done or failed already
                _logger.info("AI run %s was closed already: %s", run_id, exc)

    def search_read_batched(
        self, model: str, domain: list, fields: list[str], batch_size: int = 5000,
        context: dict | None = None, names: bool = False,
    ) -> Iterator[list[dict]]:
        """Yield pages of records ordered by id (keyset paging: stable and index-friendly).
        A many2one reads as its id (``names=True``: ``[id, name]``, as ``read`` gives it)."""
        last_id = 0
        while True:
            page = self.call(
                model, "search_read", domain + [("id", ">", last_id)],
                fields=fields, limit=batch_size, order="id", context=context or {},
                load=many2one_load(names),
            )
            if not page:
                return
            yield page
            last_id = page[-1]["id"]
            if len(page) < batch_size:
                return

    def _rpc(self, service: str, method: str, args: list, resend: bool, slow: bool = False):
        what = f"{args[3]}.{args[4]}" if service == "object" else f"{service}.{method}"
        return self._with_retries(what, functools.partial(self._post, service, method, args),
                                  resend=resend, slow=slow)

    def _post(self, service: str, method: str, args: list):
        """One JSON-RPC request; Odoo's errors mapped, other answers than JSON-RPC explained."""
        try:
            response = self._odoo.json(
                "/jsonrpc", {"service": service, "method": method, "args": args})
            return response.get("result")
        except odoorpc.error.RPCError as exc:
            raise map_rpc_error(exc, self.redact) from None
        except urllib.error.HTTPError as exc:
            exc.close()
            if _gateway(exc):
                raise
            raise OdooError(self.redact(
                f"{self.settings.safe_url} answered HTTP {exc.code} {exc.reason} to "
                f"{service}.{method}: is AI_ENGINE_ODOO_URL the address of Odoo?")) from None
        except NETWORK_ERRORS:
            raise
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            raise OdooError(self.redact(
                f"{self.settings.safe_url} answered something else than JSON-RPC "
                f"({type(exc).__name__}): is AI_ENGINE_ODOO_URL the address of Odoo?")) from None

    def _with_retries(self, what: str, func: Callable, resend: bool, slow: bool = False):
        """``func()`` within the call's limit; network failures retried with back-off when the
        request cannot have been applied (never reached Odoo) or ``resend`` (a read). ``slow``:
        a known-slow call, read timeout ``slow_read_timeout``."""
        settings = self.settings
        read_timeout = settings.slow_read_timeout if slow else settings.read_timeout
        started = time.monotonic()
        deadline = started + max(settings.call_timeout, settings.connect_timeout + read_timeout)
        for attempt in range(1, settings.retries + 2):
            self._attempt = Attempt(min(settings.connect_timeout, deadline - time.monotonic()),
                                     read_timeout, deadline)
            try:
                return func()
            except NETWORK_ERRORS as exc:
                reason = self._reason(exc)
                if self._attempt.connected and not resend and _gateway(exc) not in (502, 503):
                    raise OdooConnectionError(self.redact(
                        f"No answer from Odoo at {settings.safe_url} to {what} ({reason}); it "
                        "may have been applied there, so it is not sent again.")) from None
                delay = settings.backoff * 2 ** (attempt - 1)
                if attempt > settings.retries or time.monotonic() + delay >= deadline:
                    raise OdooConnectionError(self.redact(
                        f"Cannot reach Odoo at {settings.safe_url} ({what}): {reason}; gave up "
                        f"after {attempt} attempt(s) in {time.monotonic() - started:.0f} s."
                    )) from None
                # One line per attempt only when debugging: a worker logs state changes.
                _logger.debug("Odoo %s failed (%s); retry %d/%d in %.1fs", what,
                              self.redact(reason), attempt, settings.retries, delay)
                self._sleep(delay)

    def _reason(self, exc: BaseException) -> str:
        """A network failure in words, with the limit that ran out."""
        if isinstance(exc, urllib.error.URLError) and not isinstance(exc, urllib.error.HTTPError):
            inner = exc.reason
            return self._reason(inner) if isinstance(inner, BaseException) else str(inner)
        if isinstance(exc, TimeoutError):
            if self._attempt.connected:
                return (f"no complete answer within the read timeout "
                        f"({self._attempt.read_timeout:g} s)")
            return f"no connection within the connect timeout ({self.settings.connect_timeout:g} s)"
        if isinstance(exc, ConnectionRefusedError):
            return "connection refused"
        if isinstance(exc, http.client.RemoteDisconnected):
            return "the connection closed without an answer"
        if _gateway(exc):
            return f"HTTP {exc.code} {exc.reason} from the proxy in front of Odoo"
        return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
