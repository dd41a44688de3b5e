"""Progress events of long steps (clone, install), for whoever wants to show them."""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple


class Progress(NamedTuple):
    """`step` ("clone", "install", "start") of `label`; `total` None when unknown."""

    step: str
    label: str
    completed: float = 0
    total: float | None = None
    finished: bool = False
    message: str = ""


ProgressCallback = Callable[[Progress], None]


def ignore(_: Progress) -> None:
    """The callback used when nobody is watching."""
