"""The engine's only door to Odoo: JSON-RPC through odoorpc, API-key auth, timeouts, retries.

Every other engine file talks to Odoo through :class:`OdooClient` so that network policy
(timeouts, back-off on network errors only) and the mapping of Odoo errors to clear exceptions
live in one place. The helpers at the end serve every feature's extract and load steps: reading
records by id in pages, and values and batches that JSON-RPC can carry.
"""

from __future__ import annotations

import http.client
import logging
import math
import os
import socket
import time
import urllib.error
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from urllib.parse import urlparse

import odoorpc

from ai_engine.errors import AiEngineError

_logger = logging.getLogger(__name__)

ENV_VARS = {
    "url": "AI_ENGINE_ODOO_URL",
    "db": "AI_ENGINE_ODOO_DB",
    "login": "AI_ENGINE_ODOO_LOGIN",
    "api_key": "AI_ENGINE_ODOO_API_KEY",
}

# Only these are worth retrying: the request may not have reached Odoo. Odoo's own answers
# (access denied, validation errors) are final and are never retried.
NETWORK_ERRORS = (
    urllib.error.URLError,
    http.client.HTTPException,
    ConnectionError,
    socket.timeout,
    TimeoutError,
)


class OdooError(AiEngineError):
    """Odoo answered with an error."""


class OdooConfigError(OdooError):
    """The engine was not told how to reach Odoo."""


class OdooConnectionError(OdooError):
    """Odoo could not be reached, even after retries."""


class OdooAuthError(OdooError):
    """Login or API key refused."""


class OdooAccessError(OdooError):
    """The engine's user lacks a right (is it in the 'AI CRM / Engine' group?)."""


class OdooValidationError(OdooError):
    """Odoo refused the data (ValidationError / UserError)."""


_ODOO_EXCEPTIONS = {
    "odoo.exceptions.AccessError": OdooAccessError,
    "odoo.exceptions.AccessDenied": OdooAuthError,
    "odoo.exceptions.ValidationError": OdooValidationError,
    "odoo.exceptions.UserError": OdooValidationError,
    "odoo.exceptions.MissingError": OdooValidationError,
}


@dataclass(frozen=True)
class OdooSettings:
    url: str
    db: str
    login: str
    api_key: str
    timeout: float = 120.0
    retries: int = 4
    backoff: float = 1.0

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
        return cls(**values)

    def __repr__(self) -> str:  # never print the key
        return f"OdooSettings(url={self.url!r}, db={self.db!r}, login={self.login!r})"


def map_rpc_error(exc: odoorpc.error.RPCError) -> OdooError:
    data = (exc.info or {}).get("data", {}) if isinstance(exc.info, dict) else {}
    name = data.get("name", "")
    message = data.get("message") or str(exc)
    return _ODOO_EXCEPTIONS.get(name, OdooError)(message)


class OdooClient:
    """A logged-in JSON-RPC session (``/jsonrpc`` with the API key, as Odoo intends for bots)."""

    def __init__(self, settings: OdooSettings, *, sleep: Callable[[float], None] = time.sleep):
        self.settings = settings
        self._sleep = sleep
        self._odoo = None
        self.uid: int | None = None

    # -- connection -------------------------------------------------------------------------
    def connect(self) -> OdooClient:
        url = urlparse(self.settings.url)
        if url.scheme not in ("http", "https") or not url.hostname:
            raise OdooConfigError(
                f"Odoo URL must look like http://host:8069, got {self.settings.url!r}")
        protocol = "jsonrpc+ssl" if url.scheme == "https" else "jsonrpc"
        port = url.port or (443 if url.scheme == "https" else 80)
        self._odoo = self._with_retries(
            "connect",
            lambda: odoorpc.ODOO(
                url.hostname, protocol=protocol, port=port, timeout=self.settings.timeout,
                version="18.0",
            ),
        )
        uid = self._rpc("common", "login", [self.settings.db, self.settings.login,
                                             self.settings.api_key])
        if not uid:
            raise OdooAuthError(
                f"Odoo refused login {self.settings.login!r} on database {self.settings.db!r}: "
                "check AI_ENGINE_ODOO_LOGIN and AI_ENGINE_ODOO_API_KEY."
            )
        self.uid = uid
        return self

    # -- calls ------------------------------------------------------------------------------
    def call(self, model: str, method: str, *args, **kwargs):
        """``model.method(*args, **kwargs)`` on the server as the engine's user."""
        if self.uid is None:
            self.connect()
        return self._rpc(
            "object", "execute_kw",
            [self.settings.db, self.uid, self.settings.api_key, model, method, list(args), kwargs],
        )

    def search_read_batched(
        self, model: str, domain: list, fields: list[str], batch_size: int = 5000,
        context: dict | None = None,
    ) -> Iterator[list[dict]]:
        """Yield pages of records ordered by id (keyset paging: stable and index-friendly)."""
        last_id = 0
        while True:
            page = self.call(
                model, "search_read", domain + [("id", ">", last_id)],
                fields=fields, limit=batch_size, order="id", context=context or {},
            )
            if not page:
                return
            yield page
            last_id = page[-1]["id"]
            if len(page) < batch_size:
                return

    def _rpc(self, service: str, method: str, args: list):
        def once():
            try:
                response = self._odoo.json(
                    "/jsonrpc", {"service": service, "method": method, "args": args}
                )
            except odoorpc.error.RPCError as exc:
                raise map_rpc_error(exc) from None
            return response.get("result")

        return self._with_retries(f"{service}.{method}", once)

    def _with_retries(self, what: str, func: Callable):
        attempts = self.settings.retries + 1
        for attempt in range(1, attempts + 1):
            try:
                return func()
            except NETWORK_ERRORS as exc:
                if attempt == attempts:
                    raise OdooConnectionError(
                        f"Cannot reach Odoo at {self.settings.url} ({what}): {exc}"
                    ) from None
                delay = self.settings.backoff * 2 ** (attempt - 1)
                _logger.warning("Odoo %s failed (%s); retry %d/%d in %.1fs",
                                what, exc, attempt, attempts - 1, delay)
                self._sleep(delay)


# -- helpers for the features' extract and load steps ----------------------------------------
DEFAULT_BATCH_SIZE = 5000


def m2o_id(value) -> int | None:
    """The id of a many2one as ``read`` returns it (``[id, name]``, or False when empty)."""
    return value[0] if value else None


def batches(rows: list, size: int) -> Iterator[list]:
    for start in range(0, len(rows), size):
        yield rows[start:start + size]


def chunks(ids, size: int) -> Iterator[list[int]]:
    """Plain ints in pages: numpy integers do not travel over JSON-RPC."""
    return batches([int(i) for i in ids], size)


def read_by_ids(client: OdooClient, model: str, ids, fields: list[str],
                batch_size: int = DEFAULT_BATCH_SIZE) -> list[dict]:
    """``read`` in pages, archived records included (history may name them)."""
    return [rec for chunk in chunks(ids, batch_size)
            for rec in client.call(model, "read", chunk, fields, context={"active_test": False})]


def selection_values(client: OdooClient, model: str, field: str) -> list[str]:
    """The values a selection field of this Odoo accepts (modules installed may add some)."""
    described = client.call(model, "fields_get", [field], attributes=["selection"])
    return [value for value, _label in described[field]["selection"]]


def json_value(value):
    """NaN and numpy scalars do not survive JSON-RPC: turn them into plain Python values."""
    if isinstance(value, dict):
        return {key: json_value(v) for key, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_value(v) for v in value]
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def records(frame, keys: list[str]) -> list[dict]:
    """The frame's rows as dicts of ``keys``, ready for JSON-RPC."""
    return [{k: json_value(v) for k, v in rec.items()} for rec in frame[keys].to_dict("records")]


def write_rows(client: OdooClient, model: str, run_id: int, rows: list[dict],
               batch_size: int = DEFAULT_BATCH_SIZE) -> dict:
    """``model.ai_write(run_id, batch)`` for every batch of ``rows`` (each all or nothing on
    the server); the counts it answers, summed."""
    totals: dict = {}
    for batch in batches(rows, batch_size):
        for key, count in client.call(model, "ai_write", run_id, batch).items():
            totals[key] = totals.get(key, 0) + count
    return totals
