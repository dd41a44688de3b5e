"""Handles: the application's proxies for a provider and its models.

A `ProviderHandle` knows the manifest's facts the moment it exists. Its
environment and worker start in the background (`worker.lifecycle`), and
discovery runs there once the worker is up, unless the disk catalog is fresh.
Calls that need the worker wait for it; a crashed worker is replaced on the
next call. A model's `transform` and `stream` take `on_progress=` (a callback
given each `Progress` the provider reports) and `timeout=` (seconds, counted
from when the request is sent; `TransformTimeoutError` after it, and the
provider is told to cancel).
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, ParamSpec, TypeVar

from mediaconduit.cache import catalog
from mediaconduit.progress import ProgressCallback
from mediaconduit.sdk._protocol import asset_to_wire, result_from_wire
from mediaconduit.sdk.assets import Asset, Media, Text
from mediaconduit.sdk.errors import MediaConduitError, ModelNotFoundError
from mediaconduit.sdk.models import ModelInfo
from mediaconduit.worker.calls import Call, TextStream
from mediaconduit.worker.calls import ProgressCallback as CallProgress
from mediaconduit.worker.lifecycle import Lifecycle
from mediaconduit.worker.process import NotDelivered, Worker, worker_env

if TYPE_CHECKING:
    from mediaconduit import cache
    from mediaconduit.ledger.recording import Recording
    from mediaconduit.ledger.store import Ledger
    from mediaconduit.manifest.facts import ProviderFacts

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
    facts: ProviderFacts
    dependencies: list[str]
    config: Mapping[str, Any]
    revision: str | None = None  # what the disk catalog is keyed by; the commit by default
    locked: str | None = None  # the requirements of mediaconduit.lock, when it lists this one


class ProviderHandle:
    """One provider, running in a worker process of its own."""

    def __init__(self, source: Source, layout: cache.Layout, *, offline: bool = False,
                 progress: ProgressCallback | None = None,
                 ledger: Callable[[], Ledger | None] | None = None) -> None:
        self.source = source
        self._ledger = ledger  # the registry's ledger getter: every call is recorded there
        facts = source.facts
        self.id: str = facts.id
        self.name: str = facts.name
        self.version: str = facts.version
        self.type: str = facts.type
        self.capabilities: list[str] = list(facts.capabilities)
        self.commit = source.commit
        self._layout = layout
        self._offline = offline
        self._progress = progress
        declared = facts.env_names
        self._env = worker_env(declared)
        settings = {k: v for k, v in self._env.items() if k in declared}
        self._catalog_path = layout.catalog(
            catalog.catalog_key(source.dirname, source.revision or source.commit, source.config,
                                settings))
        self._lock = threading.RLock()
        self._workers = Lifecycle(source, layout, self._env, offline=offline, progress=progress,
                                  on_up=self._discover_if_stale,
                                  on_failed=lambda _: self._discovered.set())
        self._models: list[ModelInfo] | None = None
        self._discovered = threading.Event()
        self._discovery_error: MediaConduitError | None = None
        self._model_handles: dict[str, ModelHandle] = {}

    def __repr__(self) -> str:
        return f"<ProviderHandle {self.id} {self.version} {self.source.display}>"

    # --- the worker -------------------------------------------------------

    def start(self) -> None:
        """Start the environment, the worker and discovery in the background."""
        self._workers.start()

    def worker(self) -> Worker:
        """The live worker, started (again) if needed; start errors are raised here."""
        return self._workers.worker()

    def wait_ready(self, timeout: float | None = None) -> None:
        """Block until the worker runs (raises what stopped it)."""
        self._workers.wait_ready(timeout)

    def begin(self, op: str, *, timeout: float | None = None,
              on_progress: CallProgress | None = None, **payload: Any) -> Call:
        """Send one request; one the dead worker never got goes to a new worker.

        The upstream jobs a transform or stream reports are recorded in the cache."""
        on_job = self._job_recorder(payload) if op in ("transform", "stream") else None
        try:
            return self.worker().begin(op, timeout=timeout, on_progress=on_progress,
                                       on_job=on_job, **payload)
        except NotDelivered:
            return self.worker().begin(op, timeout=timeout, on_progress=on_progress,
                                       on_job=on_job, **payload)

    def _job_recorder(self, payload: Mapping[str, Any]) -> Callable[[dict[str, Any]], None]:
        """Writes the call's job reports to the cache; nothing is imported until one comes."""
        recorder: Callable[[dict[str, Any]], None] | None = None

        def on_job(event: dict[str, Any]) -> None:
            nonlocal recorder
            if recorder is None:
                from mediaconduit.jobs.recorder import JobRecorder

                recorder = JobRecorder(self._layout.root, self, payload)
            recorder(event)

        return on_job

    def call(self, op: str, *, timeout: float | None = None,
             on_progress: CallProgress | None = None, **payload: Any) -> Any:
        """One request to the worker, waited for; leaving early (Ctrl-C) cancels it."""
        call = self.begin(op, timeout=timeout, on_progress=on_progress, **payload)
        try:
            return call.result()
        finally:
            call.finish()

    def stream(self, *, timeout: float | None = None, on_progress: CallProgress | None = None,
               **payload: Any) -> TextStream:
        """A streaming request; its chunks arrive as the `TextStream` is read."""
        return TextStream(self.begin("stream", timeout=timeout, on_progress=on_progress,
                                     **payload))

    def recording(self, model: ModelHandle, op: str, input: str | Asset,
                  params: Mapping[str, Any]) -> Recording | None:
        """The ledger's record of one call, or None without a ledger.

        Under a budget the call's worst case is reserved here, before anything is
        sent; `BudgetExceededError` when it would go over.
        """
        ledger = None if self._ledger is None else self._ledger()
        return None if ledger is None else ledger.open(self, model.info, op, input, params)

    async def arecording(self, model: ModelHandle, op: str, input: str | Asset,
                         params: Mapping[str, Any]) -> Recording | None:
        """`recording` for async code: only a reservation (a ledger write) needs a thread."""
        ledger = None if self._ledger is None else self._ledger()
        if ledger is None or not ledger.reserves():
            return self.recording(model, op, input, params)
        return await _to_thread(self.recording, model, op, input, params)

    # --- models -----------------------------------------------------------

    @property
    def models(self) -> list[ModelInfo]:
        """The models known now: the disk catalog or the manifest's, filled in by discovery."""
        with self._lock:
            if self._models is None:
                self._models = catalog.load(self._catalog_path) or self._static_models()
            return list(self._models)

    @property
    def has_catalog(self) -> bool:
        """Whether a discovered model list is on disk (fresh or not)."""
        return catalog.age(self._catalog_path) is not None

    def _static_models(self) -> list[ModelInfo]:
        return list(self.source.facts.models)

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
        self._workers.close()

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

    def transform(self, input: str | Asset, *, on_progress: CallProgress | None = None,
                  timeout: float | None = None, **params: Any) -> Asset | list[Asset]:
        """Run the model once: `str` or `Text` for text, `Image`/`Audio`/`Video` for media.

        A model that makes several outputs (four images for `n=4`) gives a list.
        """
        recording = self.provider.recording(self, "transform", input, params)
        try:
            value = result_from_wire(self.provider.call(
                "transform", timeout=timeout, on_progress=on_progress, model=self.id,
                input=_to_wire(input), params=params))
        except BaseException as error:
            if recording is not None:
                recording.failed(error)
            raise
        if recording is not None:
            recording.done(value)
        return value

    def stream(self, input: str | Asset, *, on_progress: CallProgress | None = None,
               timeout: float | None = None, **params: Any) -> TextStream:
        """Yield the text as it is made; `.usage` and `.cost` are set once it ends."""
        recording = self.provider.recording(self, "stream", input, params)
        try:
            call = self.provider.begin("stream", timeout=timeout, on_progress=on_progress,
                                       model=self.id, input=_to_wire(input), params=params)
        except BaseException as error:
            if recording is not None:
                recording.failed(error)
            raise
        return TextStream(call) if recording is None else recording.stream(call)

    async def atransform(self, input: str | Asset, *, on_progress: CallProgress | None = None,
                         timeout: float | None = None, **params: Any) -> Asset | list[Asset]:
        """`transform` for async code; cancelling the task cancels the call in the worker."""
        recording = await self.provider.arecording(self, "transform", input, params)
        try:
            call = await self._abegin("transform", timeout, on_progress, input, params)
            try:
                value = result_from_wire(await _to_thread(call.result))
            finally:
                call.finish()
        except BaseException as error:
            if recording is not None:
                recording.failed(error)
            raise
        if recording is not None:
            recording.done(value)
        return value

    async def astream(self, input: str | Asset, *, on_progress: CallProgress | None = None,
                      timeout: float | None = None, **params: Any) -> AsyncIterator[str]:
        """`stream` for async code; leaving the loop or cancelling the task cancels it."""
        recording = await self.provider.arecording(self, "stream", input, params)
        try:
            call = await self._abegin("stream", timeout, on_progress, input, params)
        except BaseException as error:
            if recording is not None:
                recording.failed(error)
            raise
        stream = TextStream(call) if recording is None else recording.stream(call)
        done = object()
        try:
            while (chunk := await _to_thread(next, stream, done)) is not done:
                yield str(chunk)
        finally:
            stream.close()

    async def _abegin(self, op: str, timeout: float | None, on_progress: CallProgress | None,
                      input: str | Asset, params: dict[str, Any]) -> Call:
        """Send the request from a thread; a task cancelled meanwhile cancels the call too."""
        import asyncio

        callback = _on_loop(asyncio.get_running_loop(), on_progress)
        sending = asyncio.ensure_future(asyncio.to_thread(
            self.provider.begin, op, timeout=timeout, on_progress=callback, model=self.id,
            input=_to_wire(input), params=params))
        try:
            return await asyncio.shield(sending)
        except asyncio.CancelledError:
            sending.add_done_callback(_finish_sent)
            raise


def _on_loop(loop: Any, callback: CallProgress | None) -> CallProgress | None:
    """Deliver progress on the event loop's thread, as async code expects."""
    if callback is None:
        return None
    return lambda event: loop.call_soon_threadsafe(callback, event)


def _finish_sent(sending: Any) -> None:
    if not sending.cancelled() and sending.exception() is None:
        sending.result().finish()
