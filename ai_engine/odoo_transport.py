"""HTTP for odoorpc with two bounds urllib alone does not give: a connect timeout apart from the
read timeout, and a deadline for the whole answer (a server trickling a byte at a time cannot
stretch it)."""

from __future__ import annotations

import functools
import http.client
import io
import socket
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class Attempt:
    """The limits and progress of one HTTP attempt (a client makes one at a time)."""

    connect_timeout: float
    read_timeout: float
    deadline: float  # the call's: no attempt outlives it
    connected: bool = False  # once True, the request may have reached Odoo


class _DeadlineSocket:
    """A connected socket whose sends and receives all end by one deadline: a server that
    trickles its answer byte by byte cannot stretch the read timeout."""

    def __init__(self, sock: socket.socket, deadline: float):
        self._sock, self._deadline = sock, deadline
        self._files, self._closed = 0, False

    def __getattr__(self, name):
        return getattr(self._sock, name)

    def _arm(self) -> None:
        left = self._deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("timed out")
        self._sock.settimeout(left)

    def sendall(self, data, *flags):
        self._arm()
        return self._sock.sendall(data, *flags)

    def recv(self, size, *flags):
        self._arm()
        return self._sock.recv(size, *flags)

    def recv_into(self, buffer, *args):
        self._arm()
        return self._sock.recv_into(buffer, *args)

    def makefile(self, mode="r", *args, **kwargs):
        if mode != "rb":
            raise ValueError(f"unsupported mode {mode!r}")
        self._files += 1  # the socket stays open while the response reads from it
        return io.BufferedReader(socket.SocketIO(self, "rb"))

    def _decref_socketios(self) -> None:  # socket.SocketIO.close calls it
        self._files -= 1
        if self._closed and self._files <= 0:
            self._sock.close()

    def close(self) -> None:
        self._closed = True
        if self._files <= 0:
            self._sock.close()


class _BoundedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host, *, attempt: Attempt, timeout=None, **kwargs):
        super().__init__(host, timeout=attempt.connect_timeout, **kwargs)
        self._attempt = attempt

    def connect(self):
        super().connect()  # TCP (and TLS) within the connect timeout
        self._attempt.connected = True
        self.sock = _DeadlineSocket(self.sock, min(
            time.monotonic() + self._attempt.read_timeout, self._attempt.deadline))


class _BoundedHTTPSConnection(_BoundedHTTPConnection, http.client.HTTPSConnection):
    pass


class BoundedHTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, attempt: Callable[[], Attempt]):
        super().__init__()
        self._attempt = attempt

    def http_open(self, req):
        return self.do_open(functools.partial(_BoundedHTTPConnection, attempt=self._attempt()),
                            req)


class BoundedHTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, attempt: Callable[[], Attempt]):
        super().__init__()
        self._attempt = attempt

    def https_open(self, req):
        return self.do_open(functools.partial(_BoundedHTTPSConnection, attempt=self._attempt()),
                            req, context=self._context)
