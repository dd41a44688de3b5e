"""Constants shared by the provider's tests (and the host's, through its shim)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from fake_fal import DEFAULT_KEY

from mediaconduit.sdk import Progress, call_outputs, fakes
from mediaconduit.sdk.calls import CallContext

KEY = DEFAULT_KEY
#: small waits so the job and retry tests stay quick
FAST: dict[str, Any] = {
    "backoff": 0.01, "max_backoff": 0.05, "max_retry_wait": 2, "max_attempts": 3,
    "connect_timeout": 2, "timeout": 10, "idle_timeout": 5,
    "poll_interval": 0.01, "max_poll_interval": 0.05,
}


@contextlib.contextmanager
def in_call(root: Path | None = None) -> Iterator[tuple[CallContext, list[Progress]]]:
    """Run the block as the worker runs a call: its own progress sink, cancellation and
    output folder (under `root`)."""
    seen: list[Progress] = []
    with fakes.in_call(CallContext(seen.append)) as context, call_outputs(root):
        yield context, seen


#: the `make_provider` fixture's type: `make_provider(**config)` gives a provider on the fake
MakeProvider = Callable[..., Any]
