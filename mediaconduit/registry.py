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
from collections.abc import AsyncIterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mediaconduit import cache
from mediaconduit.errors import ManifestError
from mediaconduit.handles import ProviderHandle, Source
from mediaconduit.progress import ProgressCallback
from mediaconduit.specifier import Specifier, parse_specifier

if TYPE_CHECKING:
    from mediaconduit.ledger import Ledger
    from mediaconduit.lock.lockfile import Lock, LockedProvider
    from mediaconduit.project import Project
    from mediaconduit.routing import Plan, RoutedStream, Router
    from mediaconduit.sdk.assets import Asset

_TRUE = ("1", "true", "yes", "on")


def offline_from_env() -> bool:
    return os.environ.get("MEDIACONDUIT_OFFLINE", "").strip().lower() in _TRUE


def _config_key(config: Mapping[str, Any] | None) -> str | None:
    return None if not config else json.dumps(config, sort_keys=True, default=str)


class ProviderRegistry:
    """Loads providers by specifier and keeps one handle per repository, commit and config.

    `project` is a `mediaconduit.yaml` (a path, or `"auto"`: the working directory's or
    the nearest above it; the process-wide registry uses "auto"). Its providers are the
    ones `transform(input, to=...)`, `stream` and `plan` route over.
    """

    def __init__(self, cache_dir: str | Path | None = None, *, offline: bool | None = None,
                 progress: ProgressCallback | None = None,
                 project: str | Path | None = None) -> None:
        root = Path(cache_dir).expanduser().absolute() if cache_dir else cache.default_root()
        self.layout = cache.Layout(root)
        self.offline = offline_from_env() if offline is None else offline
        self.progress = progress
        self._project_source = project
        self._project: Project | None = None
        self._lockfile: tuple[Lock | None] | None = None  # (the lock,) once looked for
        self._router: Router | None = None
        self._ledger: Ledger | None = None
        self._fast: dict[tuple[str, str | None, str | None], ProviderHandle] = {}
        self._handles: dict[tuple[str, str | None, str | None], ProviderHandle] = {}
        self._key_locks: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()

    def get_provider(self, spec: str, ref: str | None = None, *, update: bool = False,
                     config: Mapping[str, Any] | None = None, start: bool = True,
                     ) -> ProviderHandle:
        """The provider named by `spec` (at `ref`), loaded once and reused.

        `start=False` gives the handle (manifest facts, the models on disk) without
        starting its environment and worker; the first call starts them.
        """
        fast_key = (spec, ref, _config_key(config))
        handle = None if update else self._fast.get(fast_key)
        if handle is None:
            handle = self._load(parse_specifier(spec, ref), update, dict(config or {}), start)
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

    def _load(self, spec: Specifier, update: bool, config: dict[str, Any],
              start: bool = True) -> ProviderHandle:
        with self._key_lock(spec.key):
            source = self._source(spec, update, config)
            key = (spec.key, source.commit, _config_key(config))
            old = self._handles.get(key)
            if old is not None and not (update and spec.kind == "local"):
                return old
            if old is not None:
                old.close()
            handle = ProviderHandle(source, self.layout, offline=self.offline,
                                    progress=self.progress, ledger=self._call_ledger)
            if start:
                handle.start()
            self._handles[key] = handle
            return handle

    def _source(self, spec: Specifier, update: bool, config: dict[str, Any]) -> Source:
        if spec.kind == "local":
            return _local_source(spec, config)
        from mediaconduit.git import ensure_checkout

        locked = self._locked(spec)
        if locked is not None:  # the locked commit: no ref resolution, no network when cached
            spec, update = spec._replace(ref=locked.commit), False
        checkout = ensure_checkout(self.layout, spec, update=update, offline=self.offline,
                                   progress=self.progress or (lambda _: None))
        if locked is not None:
            from mediaconduit.lock.verify import verify_checkout

            verify_checkout(checkout.path, locked)
        if checkout.facts is None:
            raise ManifestError(f"{spec.display} at {checkout.commit[:12]}: {checkout.error}")
        return Source(spec.display, spec.dirname, checkout.path, checkout.commit,
                      checkout.facts, checkout.dependencies, config,
                      locked=locked.requirements_for() if locked else None)

    def _locked(self, spec: Specifier) -> LockedProvider | None:
        """The lock's entry for this repository, when a lock beside the project lists it
        and the ref asked for is the locked one (or none)."""
        lock = self.lock
        entry = lock.find(spec.key) if lock is not None else None
        if entry is None or spec.ref not in (None, entry.ref, entry.commit):
            return None
        return entry

    @property
    def lock(self) -> Lock | None:
        """`mediaconduit.lock` beside the project file, if there is one."""
        if self._lockfile is None:
            self._lockfile = (self._read_lock(),)
        return self._lockfile[0]

    def _read_lock(self) -> Lock | None:
        from mediaconduit.lock.lockfile import lock_path, read_lock
        from mediaconduit.project import find_project

        source = self._project_source
        project = find_project() if source == "auto" else source
        path = lock_path(Path(project)) if project else None
        return read_lock(path) if path is not None and path.is_file() else None

    # --- the project and routing ------------------------------------------------------

    @property
    def project(self) -> Project:
        """The project file's settings (an empty project when there is none)."""
        if self._project is None:
            from mediaconduit.project import Project, find_project, load_project

            source = self._project_source
            path = find_project() if source == "auto" else source
            self._project = load_project(path) if path else Project()
        return self._project

    @property
    def router(self) -> Router:
        """The router over the project's providers (and any others this registry loaded)."""
        if self._router is None:
            from mediaconduit.routing import Router

            self._router = Router(self)
        return self._router

    def transform(self, input: str | Asset, *, to: str, task: str | None = None,
                  model: str | None = None, **params: Any) -> Asset | list[Asset]:
        """Do a job with whichever configured model fits best, falling back when one fails.

        `to` is the kind wanted (`text`, `image`, `audio`, `video`); `task` narrows it
        (`automatic-speech-recognition`); `model` pins `MODEL` or `PROVIDER:MODEL`. A job
        no single model does may be a chain (video -> audio -> text). `timeout=`,
        `on_progress=` and `keep_intermediates=` are the router's; other params go to the
        model of the last step. The result's metadata names the route and every attempt.
        """
        return self.router.transform(input, to=to, task=task, model=model, **params)

    def stream(self, input: str | Asset, *, to: str = "text", task: str | None = None,
               model: str | None = None, **params: Any) -> RoutedStream:
        """`transform`, streamed: falls back only before the first chunk."""
        return self.router.stream(input, to=to, task=task, model=model, **params)

    def plan(self, input: str | Asset, *, to: str, task: str | None = None,
             model: str | None = None) -> Plan:
        """The steps `transform` would take, and what it would pass over and why."""
        return self.router.plan(input, to=to, task=task, model=model)

    async def atransform(self, input: str | Asset, *, to: str, task: str | None = None,
                         model: str | None = None, **params: Any) -> Asset | list[Asset]:
        """`transform` for async code; cancelling the task cancels the running step."""
        return await self.router.atransform(input, to=to, task=task, model=model, **params)

    async def astream(self, input: str | Asset, *, to: str = "text", task: str | None = None,
                      model: str | None = None, **params: Any) -> AsyncIterator[str]:
        """`stream` for async code."""
        async for chunk in self.router.astream(input, to=to, task=task, model=model, **params):
            yield chunk

    def loaded(self) -> list[ProviderHandle]:
        """The handles this registry has made."""
        return list(self._handles.values())

    def close(self) -> None:
        """Stop every worker this registry started."""
        for handle in self.loaded():
            handle.close()
        if self._ledger is not None:
            self._ledger.close()

    @property
    def ledger(self) -> Ledger:
        """Where this registry's calls are recorded: `<cache root>/ledger.sqlite3`.

        Made on the first call (nothing of it, sqlite3 included, is on the load path).
        """
        if self._ledger is None:
            with self._lock:
                if self._ledger is None:
                    from mediaconduit.ledger import Ledger

                    self._ledger = Ledger.in_cache(self.layout.root, lambda: self.project)
        return self._ledger

    def _call_ledger(self) -> Ledger | None:
        return self.ledger

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
                _default = ProviderRegistry(project="auto")
                atexit.register(_default.close)
    return _default
