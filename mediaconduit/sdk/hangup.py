"""Hanging up the upstream when the caller cancels: streams and plain requests alike.

Standard library only. The cancel hook runs on another thread while the call's own
thread may be blocked reading; closing a socket does not wake such a read, so the
socket is shut down, and the upstream sees the connection end at once (a stream
nobody reads stops being generated, and billed).

- `hang_up_on_cancel(response)`: an httpx response event hook (or call it with each
  response of the current call): on cancel, that response's connection is shut down.
  Works with any response carrying httpx's `network_stream` extension (httpx, and the
  clients built on it: anthropic, openai, ollama, together; mistralai's httpx2 fork).
- `track_calls(transport)`: wraps the network backend of an httpx transport so that
  every connection notes the call that last wrote a request on it; a cancel of that
  call shuts the connection down, so a plain request hangs up too, before any
  response exists. A connection reused by another call belongs to that call from
  then on. It reaches into the transport's pool (`_pool._network_backend`, the same
  in httpx and httpcore's forks); where that is missing it returns False and only
  `hang_up_on_cancel` applies.
"""

from __future__ import annotations

import contextlib
import socket
from typing import Any

from mediaconduit.sdk.calls import CallContext, current_call, on_cancel


def track_calls(transport: Any) -> bool:
    """Make `transport`'s connections hang up when the call using them is cancelled."""
    pool = getattr(transport, "_pool", None)
    backend = getattr(pool, "_network_backend", None)
    if backend is None or isinstance(backend, CallBackend):
        return isinstance(backend, CallBackend)
    pool._network_backend = CallBackend(backend)  # type: ignore[union-attr]
    return True


class CallBackend:
    """A network backend whose streams are `CallStream`s; the rest is the wrapped one's."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    def connect_tcp(self, *args: Any, **kwargs: Any) -> CallStream:
        return CallStream(self.inner.connect_tcp(*args, **kwargs))

    def connect_unix_socket(self, *args: Any, **kwargs: Any) -> CallStream:
        return CallStream(self.inner.connect_unix_socket(*args, **kwargs))

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


class CallStream:
    """A connection that belongs to the call that last wrote a request on it."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.owner: CallContext | None = None

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        call = current_call()
        if call is not self.owner:
            self.owner = call
            on_cancel(lambda: self.hang_up(call))  # at once if already cancelled
        self.inner.write(buffer, timeout)

    def hang_up(self, call: CallContext) -> None:
        if call is self.owner:
            shut_down(self.inner.get_extra_info("socket"))

    def start_tls(self, *args: Any, **kwargs: Any) -> CallStream:
        wrapped = CallStream(self.inner.start_tls(*args, **kwargs))
        wrapped.owner = self.owner
        return wrapped

    def __getattr__(self, name: str) -> Any:  # read, close, get_extra_info
        return getattr(self.inner, name)


def hang_up_on_cancel(response: Any) -> None:
    """Register: when the current call is cancelled, hang up `response` (an httpx one)."""
    on_cancel(lambda: hang_up(response))


def hang_up(response: Any) -> None:
    """Shut the response's socket down and close it now; never raises."""
    stream = getattr(response, "extensions", {}).get("network_stream")
    shut_down(stream.get_extra_info("socket") if stream is not None else None)
    with contextlib.suppress(Exception):
        response.close()


def shut_down(sock: Any) -> None:
    if isinstance(sock, socket.socket):
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
