"""A provider's worker over its life: started in the background, replaced when it dies.

`Lifecycle.start()` builds the environment and starts the worker on a thread of
its own, so the handle's manifest facts are there at once. On a cold load the
worker's interpreter starts as soon as uv has made the environment and boots
while uv installs; its hello is the environment's health check. `worker()`
waits for the worker and starts a new one when the last one died (a start
failure is raised once, then retried on the next call).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from mediaconduit.environment import ensure_environment, ensure_sdk
from mediaconduit.progress import Progress, ProgressCallback
from mediaconduit.worker.process import Worker, WorkerSpec

if TYPE_CHECKING:
    from mediaconduit import cache
    from mediaconduit.handles import Source


class Starting:
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


class Lifecycle:
    """Starts, hands out and stops the workers of one provider.

    `on_up(worker)` runs on the starting thread once a worker is up (the handle
    discovers models there); `on_failed(error)` when a start fails.
    """

    def __init__(self, source: Source, layout: cache.Layout, env: Mapping[str, str], *,
                 offline: bool, progress: ProgressCallback | None,
                 on_up: Callable[[Worker], None], on_failed: Callable[[BaseException], None],
                 ) -> None:
        self.source, self.layout, self.env = source, layout, env
        self.offline, self.progress = offline, progress
        self.on_up, self.on_failed = on_up, on_failed
        self.lock = threading.RLock()
        self.starting: Starting | None = None
        self._error_reported = False

    def start(self) -> None:
        """Start the environment and the worker in the background, unless started."""
        with self.lock:
            if self.starting is None:
                self.starting = self._start()

    def _start(self) -> Starting:
        future = Starting()
        self._error_reported = False
        threading.Thread(target=self._boot, args=(future,), daemon=True,
                         name=f"mc-start-{self.source.facts.id}").start()
        return future

    def _boot(self, future: Starting) -> None:
        try:
            future.finish(worker=self._spawn())
        except BaseException as e:
            future.finish(error=e)
            self.on_failed(e)
            return
        with self.lock:
            abandoned = self.starting is not future
        if abandoned:  # closed while it was starting: nobody will stop it but us
            future.result().close()
            return
        self.on_up(future.result())

    def _spawn(self) -> Worker:
        early: list[Worker] = []

        def start_early(python: Path) -> Callable[[], None]:
            early.append(Worker(self._spec(python)))
            return early[0].await_hello

        try:
            env = ensure_environment(
                self.layout, self.source.dependencies, python=self.source.facts.python,
                offline=self.offline, label=self.source.display,
                progress=self.progress or (lambda _: None), check=start_early,
                locked=self.source.locked)
        except BaseException:
            for worker in early:
                worker.kill()
            raise
        self._report(Progress("start", self.source.display))
        worker = (early[0] if early else Worker(self._spec(env.python))).start()
        self._report(Progress("start", self.source.display, 1, 1, finished=True))
        return worker

    def _spec(self, python: Path) -> WorkerSpec:
        layout, source = self.layout, self.source
        return WorkerSpec(
            label=source.display, python=python, sdk_path=ensure_sdk(layout), repo=source.repo,
            entry=source.facts.entry, manifest=source.facts.to_dict(), config=source.config,
            env=self.env, log_dir=layout.logs(source.dirname), output_root=layout.root / "outputs",
        )

    def _report(self, event: Progress) -> None:
        if self.progress is not None:
            self.progress(event)

    def worker(self) -> Worker:
        """The live worker, started (again) if needed; start errors are raised here."""
        with self.lock:
            future = self.starting
            if future is None or self._needs_restart(future):
                future = self.starting = self._start()
        return future.result()

    def _needs_restart(self, future: Starting) -> bool:
        if not future.done():
            return False
        if future.error is not None:
            reported, self._error_reported = self._error_reported, True
            return reported
        return not future.result().alive

    def wait_ready(self, timeout: float | None = None) -> None:
        """Block until the worker runs (raises what stopped it)."""
        self.start()
        assert self.starting is not None
        self.starting.result(timeout=timeout)

    def close(self) -> None:
        """Stop the worker (a later call starts a new one)."""
        with self.lock:
            future, self.starting = self.starting, None
        if future is not None and future.done() and future.error is None:
            future.result().close()
