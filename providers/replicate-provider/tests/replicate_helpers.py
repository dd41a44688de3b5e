"""Constants and small helpers shared by the provider's tests (and the host's)."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import Any

from mediaconduit.sdk import Progress
from mediaconduit.sdk.calls import CallContext
from mediaconduit.sdk.fakes import in_call

TOKEN = "r8_" + "5eCr3tT0k3n" * 3
#: small waits so the tests stay quick
FAST: dict[str, Any] = {
    "backoff": 0.01, "max_backoff": 0.05, "max_retry_wait": 2, "max_attempts": 3,
    "connect_timeout": 2, "timeout": 10, "idle_timeout": 5, "wait": 0,
    "poll_interval": 0.02, "max_poll_interval": 0.1,
}
FLUX = "black-forest-labs/flux-schnell"
VIDEO = "minimax/video-01"


@contextlib.contextmanager
def call(seen: list[Progress] | None = None) -> Iterator[CallContext]:
    """Run the block as a call being served, its progress reports kept in `seen`."""
    with in_call(CallContext(seen.append if seen is not None else None)) as context:
        yield context


def cancel_later(context: CallContext, delay: float) -> threading.Timer:
    """Cancel the call after `delay` seconds, from another thread (as the worker does)."""
    timer = threading.Timer(delay, context.cancel)
    timer.start()
    return timer
