"""What the router and the batch engine add to the rows of the calls they make.

    with tagged(route="ffmpeg:extract-audio -> whisper:asr", attempt=2):
        model.transform(...)          # its ledger row carries the route and attempt

A context variable, so it follows `asyncio` tasks and `asyncio.to_thread`; a plain
thread starts untagged (wrap the call inside the thread). Nested blocks merge: an
inner value replaces the outer one, an unset one keeps it.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator, Sequence
from typing import NamedTuple


class Tags(NamedTuple):
    """The route (step labels joined by ` -> `), the attempt number, the batch id, the task."""

    route: str | None = None
    attempt: int | None = None
    batch_id: str | None = None
    task: str | None = None


UNTAGGED = Tags()
_CURRENT: contextvars.ContextVar[Tags] = contextvars.ContextVar("mediaconduit_ledger_tags",
                                                                default=UNTAGGED)


def current_tags() -> Tags:
    return _CURRENT.get()


@contextlib.contextmanager
def tagged(*, route: str | Sequence[str] | None = None, attempt: int | None = None,
           batch_id: str | None = None, task: str | None = None) -> Iterator[Tags]:
    """Tag the calls made inside the block; yields the merged tags."""
    outer = _CURRENT.get()
    if route is not None and not isinstance(route, str):
        route = " -> ".join(route)
    merged = Tags(outer.route if route is None else route,
                  outer.attempt if attempt is None else attempt,
                  outer.batch_id if batch_id is None else batch_id,
                  outer.task if task is None else task)
    token = _CURRENT.set(merged)
    try:
        yield merged
    finally:
        _CURRENT.reset(token)
