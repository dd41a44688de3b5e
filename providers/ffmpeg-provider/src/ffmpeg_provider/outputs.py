"""Write outputs safely: to a temp name in the call's output folder, renamed on success."""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from mediaconduit.sdk import output_dir

_T = TypeVar("_T")


def produce(filename: str, make: Callable[[Path], _T]) -> tuple[Path, _T]:
    """Run `make(temp)` and publish `temp` as `filename`; on any failure, leave nothing."""
    folder = output_dir()
    temp = folder / f".partial-{secrets.token_hex(6)}{Path(filename).suffix}"
    try:
        result = make(temp)
        return publish(temp, folder / filename), result
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def publish(temp: Path, target: Path) -> Path:
    """Rename `temp` to `target`, or to `target-1`, `target-2`... if that name is taken."""
    final, counter = target, 0
    while final.exists():
        counter += 1
        final = target.with_name(f"{target.stem}-{counter}{target.suffix}")
    os.replace(temp, final)
    return final


def written(path: Path) -> bool:
    """Whether FFmpeg wrote anything to `path`."""
    return path.is_file() and path.stat().st_size > 0
