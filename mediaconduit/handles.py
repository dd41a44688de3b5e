"""Handles: the application's proxies for a provider and its models.

A `ProviderHandle` knows the manifest's facts the moment it exists. Its
environment and worker start in the background, and discovery runs there
once the worker is up, unless the disk catalog is fresh. Calls that need the
worker wait for it; a crashed worker is replaced on the next call.
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, NamedTuple, ParamSpec, TypeVar

from mediaconduit import cache, catalog
from mediaconduit.environment import ensure_environment, ensure_sdk
from mediaconduit.progress import Progress, ProgressCallback
from mediaconduit.sdk._protocol import asset_from_wire, asset_to_wire
from mediaconduit.sdk.assets import Asset, Media, Text
from mediaconduit.sdk.errors import MediaConduitError, ModelNotFoundError
from mediaconduit.sdk.models import ModelInfo
from mediaconduit.worker import NotDelivered, Worker, WorkerSpec, worker_env

_P = ParamSpec("_P")
_T = TypeVar("_T")


async def _to_thread(fn: Callable[_P, _T], /, *args: _P.args, **kwargs: _P.kwargs) -> _T:
    """`asyncio.to_thread`, imported here: only async callers, who have asyncio, pay for it."""
    import asyncio

    return await asyncio.to_thread(fn, *args, **kwargs)


class Source(NamedTuple):
    """A provider ready to start: where its code is and what its manifest says."""

    display: str
    dirname: str
    repo: Path
    commit: str | None
    facts: Mapping[str, Any]
    dependencies: list[str]
    config: Mapping[str, Any]
    revision: str | None = None  # what the disk catalog is keyed by; the commit by default


class _Start:
    """A worker being started in the background: a small future (concurrent.futures and
    the logging it imports would cost every load a few milliseconds)."""

    def __init__(self) -> None:
        self._done = threading.Event()
        self._worker: Worker | None = None
        self.error: BaseException | None = None

    def finish(self, *, worker: Worker | None = None, error: BaseException | None = None) -> None:
        self._worker, self.error = worker, error
        self._done.set()

    def done(self) -> bool:
        return self._done.is_set()

    def result(self, timeout: float | None = None) -> Worker:
        if not self._done.wait(timeout):
            raise TimeoutError(f"the worker did not start in {timeout} s")
        if self.error is not None:
            raise self.error
        assert self._worker is not None
        return self._worker


class ProviderHandle:
    """One provider, running in a worker process of its own."""

    def __init__(self, source: Source, layout: cache.Layout, *, offline: bool = False,
                 progress: ProgressCallback | None = None) -> None:
        self.source = source
        facts = source.facts
        self.id: str = facts["id"]
        self.name: str = facts["name"]
        self.version: str = facts["version"]
        self.type: str = facts["type"]
        self.capabilities: list[str] = list(facts["capabilities"])
        self.commit = source.commit
        self._layout = layout
        self._offline = offline
        self._progress = progress
        declared = [e["name"] for e in facts.get("env") or []]
        self._env = worker_env(declared)
        settings = {k: v for k, v in self._env.items() if k in declared}
        self._catalog_path = layout.catalog(
            catalog.catalog_key(source.dirname, source.revision or source.commit, source.config,
                                settings))
        self._lock = threading.RLock()
        self._worker_future: _Start | None = None
        self._error_reported = False
        self._models: list[ModelInfo] | None = None
        self._discovered = threading.Event()
        self._discovery_error: MediaConduitError | None = None
        self._model_handles: dict[str, ModelHandle] = {}

    def __repr__(self) -> str:
        return f"<ProviderHandle {self.id} {self.version} {self.source.display}>"

    # --- the worker -------------------------------------------------------

    def start(self) -> None:
        """Start the environment, the worker and discovery in the background."""
        with self._lock:
            if self._worker_future is None:
                self._worker_future = self._start_worker()

    def _start_worker(self) -> _Start:
        future = _Start()
        self._error_reported = False
        threading.Thread(target=self._boot, args=(future,), daemon=True,
                         name=f"mc-start-{self.id}").start()
        return future

    def _boot(self, future: _Start) -> None:
        try:
            future.finish(worker=self._spawn())
        except BaseException as e:
            future.finish(error=e)
            self._discovered.set()
            return
        with self._lock:
            abandoned = self._worker_future is not future
        if abandoned:  # closed while it was starting: nobody will stop it but us
            future.result().close()
            return
        self._discover_if_stale(future.result())

    def _spawn(self) -> Worker:
        """Environment, then worker. On a cold load the worker's interpreter starts as soon
        as the environment has one, boots while uv installs, and is its health check."""
        early: list[Worker] = []

        def start_early(python: Path) -> Callable[[], None]:
            early.append(Worker(self._worker_spec(python)))
            return early[0].await_hello

        try:
            env = ensure_environment(
                self._layout, self.source.dependencies, python=self.source.facts.get("python"),
                offline=self._offline, label=self.source.display,
                progress=self._progress or (lambda _: None), check=start_early)
        except BaseException:
            for worker in early:
                worker.kill()
            raise
        self._report(Progress("start", self.source.display))
        worker = (early[0] if early else Worker(self._worker_spec(env.python))).start()
        self._report(Progress("start", self.source.display, 1, 1, finished=True))
        return worker

    def _worker_spec(self, python: Path) -> WorkerSpec:
        layout, facts = self._layout, self.source.facts
        return WorkerSpec(
            label=self.source.display, python=python, sdk_path=ensure_sdk(layout),
            repo=self.source.repo, entry=facts["entry"], manifest=facts,
            config=self.source.config, env=self._env, log_dir=layout.logs(self.source.dirname),
            output_root=layout.root / "outputs",
        )

    def _report(self, event: Progress) -> None:
        if self._progress is not None:
            self._progress(event)

    def worker(self) -> Worker:
        """The live worker, started (again) if needed; start errors are raised here."""
        with self._lock:
            future = self._worker_future
            if future is None or self._needs_restart(future):
                future = self._worker_future = self._start_worker()
        return future.result()

    def _needs_restart(self, future: _Start) -> bool:
        if not future.done():
            return False
        if future.error is not None:
            reported, self._error_reported = self._error_reported, True
            return reported
        return not future.result().alive

    def call(self, op: str, **payload: Any) -> Any:
        """One request to the worker; one the dead worker never got goes to a new worker."""
        try:
            return self.worker().call(op, **payload)
        except NotDelivered:
            return self.worker().call(op, **payload)

    def stream(self, **payload: Any) -> Iterator[str]:
        """A streaming request, resent once to a new worker if the old one never got it."""
        try:
            chunks = self.worker().stream(**payload)
            first = next(chunks, None)
        except NotDelivered:
            chunks = self.worker().stream(**payload)
            first = next(chunks, None)
        try:
            if first is not None:
                yield first
                yield from chunks
        finally:
            chunks.close()  # type: ignore[attr-defined]

    def wait_ready(self, timeout: float | None = None) -> None:
        """Block until the worker runs (raises what stopped it)."""
        self.start()
        assert self._worker_future is not None
        self._worker_future.result(timeout=timeout)

    # --- models -----------------------------------------------------------

    @property
    def models(self) -> list[ModelInfo]:
        """The models known now: the disk catalog or the manifest's, filled in by discovery."""
        with self._lock:
            if self._models is None:
                self._models = catalog.load(self._catalog_path) or self._static_models()
            return list(self._models)

    def _static_models(self) -> list[ModelInfo]:
        return [ModelInfo.from_dict(m) for m in self.source.facts.get("models") or []]

    def _discover_if_stale(self, worker: Worker) -> None:
        age = catalog.age(self._catalog_path)
        if age is not None and age < catalog.ttl():
            self._discovered.set()
            return
        try:
            self._discover(worker)
        except MediaConduitError as e:
            self._discovery_error = e
        finally:
            self._discovered.set()

    def _discover(self, worker: Worker) -> list[ModelInfo]:
        found = [ModelInfo.from_dict(m) for m in worker.call("discover")]
        catalog.save(self._catalog_path, found)
        with self._lock:
            self._models = found
            self._discovery_error = None
        return list(found)

    def wait_for_models(self, timeout: float | None = None) -> list[ModelInfo]:
        """The models, after the first discovery when no list was ever stored."""
        if catalog.age(self._catalog_path) is None:
            self.start()
            self._discovered.wait(timeout)
            if catalog.age(self._catalog_path) is None:
                self.worker()  # a start failure is the reason: raise it
                if self._discovery_error is not None:
                    raise self._discovery_error
        return self.models

    def refresh_models(self) -> list[ModelInfo]:
        """Discover now (blocking); on failure the last good list stays and the error is raised."""
        return self._discover(self.worker())

    def _find(self, model_id: str) -> ModelInfo | None:
        for info in self.models:
            if info.id == model_id:
                return info
        return None

    def model_info(self, model_id: str) -> ModelInfo:
        """The listed facts of one model (waiting for the first discovery if needed)."""
        info = self._find(model_id)
        if info is None:
            self.wait_for_models()
            info = self._find(model_id)
        if info is None:
            raise ModelNotFoundError(model_id, f"{self.id} lists no model {model_id!r}")
        return info

    def is_model_free(self, model_id: str) -> bool:
        return bool(self.model_info(model_id).free)

    def get_free_models(self) -> list[ModelInfo]:
        return [info for info in self.wait_for_models() if info.free]

    def get_model(self, model_id: str) -> ModelHandle:
        """A handle for one model; the provider decides whether the id exists."""
        handle = self._model_handles.get(model_id)
        if handle is None:
            info = ModelInfo.from_dict(self.call("get_model", model=model_id))
            handle = self._model_handles.setdefault(model_id, ModelHandle(self, info))
        return handle

    # --- the rest -----------------------------------------------------------

    def health(self, timeout: float = 30.0) -> dict[str, Any]:
        worker = self.worker()
        report = dict(worker.call("health", timeout=timeout) or {})
        return {**report, "worker_pid": worker.process.pid, "log": str(worker.log_path)}

    def close(self) -> None:
        """Stop the worker (a later call starts a new one)."""
        with self._lock:
            future, self._worker_future = self._worker_future, None
        if future is not None and future.done() and future.error is None:
            future.result().close()

    async def aget_model(self, model_id: str) -> ModelHandle:
        return await _to_thread(self.get_model, model_id)

    async def arefresh_models(self) -> list[ModelInfo]:
        return await _to_thread(self.refresh_models)

    async def ahealth(self) -> dict[str, Any]:
        return await _to_thread(self.health)


def _to_wire(value: str | Asset) -> dict[str, Any]:
    if not isinstance(value, (str, Text, Media)):
        kind = type(value).__name__
        raise TypeError(f"a model takes str, Text, Image, Audio or Video, not {kind}")
    return asset_to_wire(value)


class ModelHandle:
    """One model of a provider; calls run in the provider's worker."""

    def __init__(self, provider: ProviderHandle, info: ModelInfo) -> None:
        self.provider = provider
        self.info = info
        self.id = info.id

    def __repr__(self) -> str:
        return f"<ModelHandle {self.provider.id}/{self.id}>"

    def transform(self, input: str | Asset, **params: Any) -> Asset:
        """Run the model once: `str` or `Text` for text, `Image`/`Audio`/`Video` for media."""
        result = self.provider.call(
            "transform", model=self.id, input=_to_wire(input), params=params)
        return asset_from_wire(result)

    def stream(self, input: str | Asset, **params: Any) -> Iterator[str]:
        """Yield the text as it is made."""
        return self.provider.stream(model=self.id, input=_to_wire(input), params=params)

    async def atransform(self, input: str | Asset, **params: Any) -> Asset:
        return await _to_thread(self.transform, input, **params)

    async def astream(self, input: str | Asset, **params: Any) -> AsyncIterator[str]:
        chunks = await _to_thread(self.stream, input, **params)
        done = object()
        try:
            while (chunk := await _to_thread(next, chunks, done)) is not done:
                yield str(chunk)
        finally:
            close = getattr(chunks, "close", None)
            if close is not None:
                close()
