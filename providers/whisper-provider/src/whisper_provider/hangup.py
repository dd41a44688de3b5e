"""Hanging up on a service when a call is cancelled.

Closing an httpx client does not end a request another thread is blocked in: the
socket is released, but the blocked read goes on and the service never hears of it.
`Hangup` keeps the sockets a transport opens and shuts them down, so the read ends at
once and the service sees the client leave (a Whisper server then stops the job).
It reaches into the transport's connection pool (`_pool._network_backend`, the same in
httpx/httpcore and the openai client's httpx2/httpcore2); where that is missing it
does nothing and the call only ends when the service answers.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from typing import Any


class Hangup:
    """The sockets of one call's transport; `__call__` shuts them all down."""

    def __init__(self) -> None:
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self.done = False

    def add(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.append(sock)
        if self.done:  # cancelled while connecting
            self()

    def __call__(self) -> None:
        self.done = True
        with self._lock:
            sockets = list(self._sockets)
        for sock in sockets:
            with contextlib.suppress(OSError):  # closed already
                sock.shutdown(socket.SHUT_RDWR)


class _Recording:
    """A network backend that hands every TCP socket it opens to a `Hangup`."""

    def __init__(self, backend: Any, hangup: Hangup) -> None:
        self._backend = backend
        self._hangup = hangup

    def connect_tcp(self, *args: Any, **kwargs: Any) -> Any:
        stream = self._backend.connect_tcp(*args, **kwargs)
        sock = stream.get_extra_info("socket")
        if isinstance(sock, socket.socket):
            self._hangup.add(sock)
        return stream

    def __getattr__(self, name: str) -> Any:
        return getattr(self._backend, name)


def recording(transport: Any) -> tuple[Any, Hangup]:
    """`transport` (an httpx or httpx2 HTTPTransport) recording its sockets, and its Hangup."""
    hangup = Hangup()
    pool = getattr(transport, "_pool", None)
    backend = getattr(pool, "_network_backend", None)
    if backend is not None:
        pool._network_backend = _Recording(backend, hangup)  # private: see above
    return transport, hangup
