"""Closing the upstream connection when the caller cancels (standard library only).

Register `hang_up_on_cancel` as an httpx response event hook (or call it with each
response of the current call): when the call is cancelled, the answer's socket is
shut down. A read blocked on it (a silent stream) then ends at once, and the API
sees the connection close, so a stream nobody reads stops being generated, and
billed. `shutdown` rather than `close`: closing a socket that another thread is
reading does not wake that thread. Works with any response that carries httpx's
`network_stream` extension (httpx, and clients built on it: anthropic, openai,
ollama, mistralai, together).
"""

from __future__ import annotations

import contextlib
import socket
from typing import Any

from mediaconduit.sdk.calls import on_cancel


def hang_up_on_cancel(response: Any) -> None:
    """A response event hook: on cancel, shut this response's connection down."""
    on_cancel(lambda: hang_up(response))


def hang_up(response: Any) -> None:
    """Shut the connection of an httpx response down now (nothing if it has none)."""
    stream = getattr(response, "extensions", {}).get("network_stream")
    sock = stream.get_extra_info("socket") if stream is not None else None
    if isinstance(sock, socket.socket):
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
