"""The registry: `get_provider(spec)` runs the load pipeline once and then answers from memory.

    specifier -> resolve/checkout -> manifest -> environment -> worker -> handle

The first two steps (and the manifest, cached in the checkout's marker) run in
the call; the environment and the worker start in the background, so the
handle's manifest facts are there at once. A repeat call is a dict lookup.
"""

from __future__ import annotations

import atexit
import json
import os
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mediaconduit import cache
from mediaconduit.errors import ManifestError
from mediaconduit.handles import ProviderHandle, Source
from mediaconduit.progress import ProgressCallback
from mediaconduit.specifier import Specifier, parse_specifier

_TRUE = ("1", "true", "yes", "on")


def offline_from_env() -> bool:
    return os.environ.get("MEDIACONDUIT_OFFLINE", "").strip().lower() in _TRUE


def _config_key(config: Mapping[str, Any] | None) -> str | None:
    return None if not config else json.dumps(config, sort_keys=True, default=str)


class ProviderRegistry:
    """Loads providers by specifier and keeps one handle per repository, commit and config."""

    def __init__(self, cache_dir: str | Path | None = None, *, offline: bool | None = None,
                 progress: ProgressCallback | None = None) -> None:
        root = Path(cache_dir).expanduser().absolute() if cache_dir else cache.default_root()
        self.layout = cache.Layout(root)
        self.offline = offline_from_env() if offline is None else offline
        self.progress = progress
        self._fast: dict[tuple[str, str | None, str | None], ProviderHandle] = {}
        self._handles: dict[tuple[str, str | None, str | None], ProviderHandle] = {}
        self._key_locks: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()

    def get_provider(self, spec: str, ref: str | None = None, *, update: bool = False,
                     config: Mapping[str, Any] | None = None) -> ProviderHandle:
        """The provider named by `spec` (at `ref`), loaded once and reused."""
        fast_key = (spec, ref, _config_key(config))
        handle = None if update else self._fast.get(fast_key)
        if handle is None:
            handle = self._load(parse_specifier(spec, ref), update, dict(config or {}))
            self._fast[fast_key] = handle
        return handle

    async def aget_provider(self, spec: str, ref: str | None = None, *, update: bool = False,
                            config: Mapping[str, Any] | None = None) -> ProviderHandle:
        """`get_provider` for async code: the blocking steps run in a thread."""
        import asyncio  # not at the top: a synchronous program never pays for it

        return await asyncio.to_thread(self.get_provider, spec, ref, update=update, config=config)

    def _key_lock(self, key: str) -> threading.Lock:
        with self._lock:
            return self._key_locks.setdefault(key, threading.Lock())

    def _load(self, spec: Specifier, update: bool, config: dict[str, Any]) -> ProviderHandle:
        with self._key_lock(spec.key):
            source = self._source(spec, update, config)
            key = (spec.key, source.commit, _config_key(config))
            old = self._handles.get(key)
            if old is not None and not (update and spec.kind == "local"):
                return old
            if old is not None:
                old.close()
            handle = ProviderHandle(source, self.layout, offline=self.offline,
                                    progress=self.progress)
            handle.start()
            self._handles[key] = handle
            return handle

    def _source(self, spec: Specifier, update: bool, config: dict[str, Any]) -> Source:
        if spec.kind == "local":
            return _local_source(spec, config)
        from mediaconduit.git import ensure_checkout

        checkout = ensure_checkout(self.layout, spec, update=update, offline=self.offline,
                                   progress=self.progress or (lambda _: None))
        if checkout.facts is None:
            raise ManifestError(f"{spec.display} at {checkout.commit[:12]}: {checkout.error}")
        return Source(spec.display, spec.dirname, checkout.path, checkout.commit,
                      checkout.facts, checkout.dependencies, config)

    def loaded(self) -> list[ProviderHandle]:
        """The handles this registry has made."""
        return list(self._handles.values())

    def close(self) -> None:
        """Stop every worker this registry started."""
        for handle in self.loaded():
            handle.close()

    def __enter__(self) -> ProviderRegistry:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _local_source(spec: Specifier, config: dict[str, Any]) -> Source:
    """Dev mode: the folder itself, its manifest read afresh."""
    from mediaconduit.manifest.repo import read_repo_manifest

    repo = Path(spec.url)
    facts, dependencies, error = read_repo_manifest(repo)
    if facts is None:
        raise ManifestError(str(error))
    return Source(spec.display, spec.dirname, repo, _local_commit(repo), facts, dependencies,
                  config, revision=_fingerprint(repo))


def _fingerprint(repo: Path) -> str:
    """Changes whenever a file of the working tree does (so does its disk catalog key)."""
    import hashlib

    digest = hashlib.sha256()
    for root, dirs, files in os.walk(repo):
        dirs[:] = sorted(d for d in dirs if d not in (".git", "__pycache__", ".venv"))
        for name in sorted(files):
            stat = os.stat(os.path.join(root, name))
            digest.update(f"{root}/{name}:{stat.st_mtime_ns}:{stat.st_size};".encode())
    return "dev-" + digest.hexdigest()[:16]


def _local_commit(repo: Path) -> str | None:
    if not (repo / ".git").exists():
        return None
    from mediaconduit.process import CommandError, cmd_output

    try:
        return cmd_output("git", "-C", repo, "rev-parse", "HEAD").strip() or None
    except CommandError:
        return None


_default: ProviderRegistry | None = None
_default_lock = threading.Lock()


def get_provider_registry() -> ProviderRegistry:
    """The process-wide registry (made on first use, closed at exit)."""
    global _default  # noqa: PLW0603 - the one process-wide registry
    if _default is None:
        with _default_lock:
            if _default is None:
                _default = ProviderRegistry()
                atexit.register(_default.close)
    return _default
