"""A checkout checked against its lock entry before a locked load uses it.

Fast, for every locked load: the tree id recorded when the checkout was made,
the manifest's sha256, and each file's size and mtime as published (an edit in
the cache changes them). Thorough, for `sync`: every file's git blob id too.
Anything that differs is a `LockMismatchError`; the checkout is never used.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

from mediaconduit.cache import refs
from mediaconduit.errors import LockMismatchError
from mediaconduit.lock.lockfile import LockedProvider


def manifest_sha256(checkout: Path) -> str:
    from mediaconduit.manifest.read import MANIFEST_NAME

    return hashlib.sha256((checkout / MANIFEST_NAME).read_bytes()).hexdigest()


def verify_checkout(checkout: Path, locked: LockedProvider, *, thorough: bool = False) -> None:
    marker = refs.read_marker(checkout)
    if marker is None:
        raise _mismatch(locked, checkout, "it has no marker (an interrupted fetch?)")
    if marker.get("tree") != locked.tree:
        raise _mismatch(locked, checkout, f"its tree is {marker.get('tree')}, the lock says "
                                          f"{locked.tree}")
    if manifest_sha256(checkout) != locked.manifest_sha256:
        raise _mismatch(locked, checkout, "its manifest differs from the locked one")
    changed = _changed_files(checkout, marker, thorough)
    if changed:
        raise _mismatch(locked, checkout, f"files changed since it was fetched: "
                                          f"{', '.join(changed[:5])}")


def _changed_files(checkout: Path, marker: dict[str, Any], thorough: bool) -> list[str]:
    files: dict[str, str] = marker.get("files") or {}
    stamps = marker.get("stamps")
    if thorough or not stamps:
        from mediaconduit.git import checked_out_sha

        return [name for name, sha in files.items() if checked_out_sha(checkout / name) != sha]
    return [name for name, stamp in stamps.items() if _stamp(checkout / name) != stamp]


def _stamp(path: Path) -> list[int] | None:
    try:
        st = os.lstat(path)
    except OSError:
        return None
    return [st.st_size, st.st_mtime_ns]


def _mismatch(locked: LockedProvider, checkout: Path, why: str) -> LockMismatchError:
    return LockMismatchError(
        f"{locked.spec} at {locked.commit[:12]} does not match mediaconduit.lock: {why}. "
        f"It is not used. Remove it ({checkout}) and run `mediaconduit sync --locked`, or "
        "`mediaconduit lock --upgrade` if the change is wanted")
