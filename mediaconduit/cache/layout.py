"""Where each cache entry lives, under one root, and the lock that guards an entry.

Layout under the root (`MEDIACONDUIT_CACHE_DIR`, else the user cache dir):

    providers/<dirname>/<commit>/   a checkout, published by one atomic rename
    refs/<dirname>.json            the last resolution of each ref of a repo
    envs/<key>/                    a virtual environment, complete once its marker exists
    sdk/<version>-<hash>/          the SDK, importable by workers without the host's deps
    catalogs/<key>.json            the models each provider discovered last
    logs/<dirname>/                what workers printed
    staging/                       work in progress; never mistaken for an entry
    locks/                         one lock file per entry

filelock is imported inside `locked`, so a warm load never pays for it.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple


def default_root() -> Path:
    """`MEDIACONDUIT_CACHE_DIR`, else the platform's user cache directory."""
    configured = os.environ.get("MEDIACONDUIT_CACHE_DIR")
    if configured:
        return Path(configured).expanduser().absolute()
    import platformdirs

    return Path(platformdirs.user_cache_dir("mediaconduit", appauthor=False))


class Layout(NamedTuple):
    """Paths inside one cache root."""

    root: Path

    def checkout(self, dirname: str, commit: str) -> Path:
        return self.root / "providers" / dirname / commit

    @property
    def refs_dir(self) -> Path:
        return self.root / "refs"

    def refs(self, dirname: str) -> Path:
        return self.refs_dir / f"{dirname}.json"

    def env(self, key: str) -> Path:
        return self.root / "envs" / key

    def sdk(self, name: str) -> Path:
        return self.root / "sdk" / name

    def catalog(self, key: str) -> Path:
        return self.root / "catalogs" / f"{key}.json"

    def logs(self, dirname: str) -> Path:
        return self.root / "logs" / dirname

    def lock(self, name: str) -> Path:
        return self.root / "locks" / f"{name}.lock"

    @property
    def staging(self) -> Path:
        return self.root / "staging"


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on `path` (between threads and processes)."""
    import filelock

    path.parent.mkdir(parents=True, exist_ok=True)
    with filelock.FileLock(str(path), thread_local=False):
        yield
