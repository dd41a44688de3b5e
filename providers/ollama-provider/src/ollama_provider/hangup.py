"""Closing the upstream connection when the caller cancels.

The client's response hook registers, for every answer of the current call, a
cancel hook that shuts the answer's socket down. A read blocked on it (a silent
stream) then ends at once, and the API sees the connection close, so a stream
nobody reads stops being generated (and billed). `shutdown` rather than
`close`: closing a socket that another thread is reading does not wake it.
"""

from __future__ import annotations

import contextlib
import socket
from typing import Any

from mediaconduit.sdk import on_cancel


def hang_up_on_cancel(response: Any) -> None:
    """A response event hook: on cancel, shut this response's connection down."""
    on_cancel(lambda: hang_up(response))


def hang_up(response: Any) -> None:
    stream = getattr(response, "extensions", {}).get("network_stream")
    sock = stream.get_extra_info("socket") if stream is not None else None
    if isinstance(sock, socket.socket):
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
