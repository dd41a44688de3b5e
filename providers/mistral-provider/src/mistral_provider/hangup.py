"""Hanging up an upstream response when the caller cancels.

The cancel hook runs on another thread while the call's own thread may be
blocked reading the response. Closing a socket does not wake such a read, so
the socket is shut down first (the upstream sees the connection end at once),
then the response is closed.
"""

from __future__ import annotations

import contextlib
import socket
from typing import Any

from mediaconduit.sdk import on_cancel


def hang_up_on_cancel(response: Any) -> None:
    """Register: when the current call is cancelled, hang up `response` (an httpx one)."""
    on_cancel(lambda: hang_up(response))


def hang_up(response: Any) -> None:
    """Shut the response's socket down and close it; never raises."""
    stream = getattr(response, "extensions", {}).get("network_stream")
    sock = stream.get_extra_info("socket") if stream is not None else None
    if isinstance(sock, socket.socket):
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
    with contextlib.suppress(Exception):
        response.close()
