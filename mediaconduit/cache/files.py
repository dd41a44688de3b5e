"""Files in the cache: staging, publishing, removing, JSON read and written atomically.

Every step builds in `staging/` (or writes its marker last) so an interrupted
load leaves nothing a later load takes for a good entry.
Imports that only building needs (tempfile, shutil) happen inside the
functions, so a warm load never pays for them.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from mediaconduit.cache.layout import Layout
from mediaconduit.errors import CacheError


@contextlib.contextmanager
def staging_dir(layout: Layout, prefix: str) -> Iterator[Path]:
    """A fresh folder under `staging/`, removed afterwards unless it was published."""
    import shutil
    import tempfile

    layout.staging.mkdir(parents=True, exist_ok=True)
    path = Path(tempfile.mkdtemp(prefix=f"{prefix}-", dir=layout.staging))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def publish(staged: Path, final: Path) -> None:
    """Move a finished `staged` folder to `final` in one atomic rename."""
    final.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.rename(staged, final)
    except OSError as e:
        if not final.exists():
            raise CacheError(f"could not publish {final}: {e}") from e


def remove(path: Path) -> None:
    """Remove a damaged or unwanted entry: first out of the way, then for good."""
    if not path.exists():
        return
    import shutil

    doomed = path.with_name(f".{path.name}.removing-{os.getpid()}")
    try:
        os.rename(path, doomed)
    except OSError:
        doomed = path
    shutil.rmtree(doomed, ignore_errors=True)


def read_json(path: Path) -> Any:
    """The JSON in `path`, or None when it is missing or damaged."""
    try:
        return json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None


def write_json(path: Path, data: Any) -> None:
    """Write JSON atomically: a reader sees the old file or the new one, never half."""
    write_text(path, json.dumps(data, indent=1, sort_keys=True, default=str))


def write_text(path: Path, text: str) -> None:
    """Write a text file atomically (a temporary file beside it, then one rename)."""
    import tempfile

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def dir_size(path: Path) -> int:
    """Bytes used by the files below `path` (links not followed)."""
    total = 0
    for root, _dirs, files in os.walk(path):
        for name in files:
            with contextlib.suppress(OSError):
                total += os.lstat(os.path.join(root, name)).st_size
    return total
