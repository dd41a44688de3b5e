"""The local engine: N provider workers on this machine, items spread across them.

N workers means N handles from N registries on the same cache: the checkout and
the environment are shared (built once, under the cache's locks), and each handle
runs its own worker process, so a provider that holds the GIL, or a single-threaded
native engine, still uses N cores. One thread per handle feeds its worker one item
at a time from a shared queue; the calls themselves run in the worker processes.
"""

from __future__ import annotations

import collections
import threading
from collections.abc import Callable
from typing import Any

from mediaconduit.batch.work import Batch, Outcome, Task, open_runner

Emit = Callable[[Outcome], None]


class LocalEngine:
    """Runs a batch's tasks on `concurrency` workers of the provider."""

    name = "local"

    def __init__(self, concurrency: int) -> None:
        self.concurrency = max(1, concurrency)

    def run(self, batch: Batch, emit: Emit, stop: threading.Event) -> None:
        """Every task, each emitted once finished; the caller's registry is the first slot."""
        from mediaconduit.registry import ProviderRegistry

        job = batch.job
        slots = min(self.concurrency, len(batch.tasks))
        registries = [batch.registry] + [
            ProviderRegistry(job.cache_dir, offline=job.offline, project=job.project)
            for _ in range(slots - 1)]
        shared = _Shared(batch, emit, stop)
        threads = [threading.Thread(target=shared.slot, args=(i, reg), daemon=True,
                                    name=f"batch-slot-{i}") for i, reg in enumerate(registries)]
        try:
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        finally:
            stop.set()  # leaving early (Ctrl-C): the slots take no more items
            for registry in registries[1:]:
                registry.close()
        if shared.queue and shared.errors:
            raise shared.errors[0]  # no worker could be started: the reason


class _Shared:
    """What the slots share: the queue of tasks, where results go, the stop signal."""

    def __init__(self, batch: Batch, emit: Emit, stop: threading.Event) -> None:
        self.batch, self.emit, self.stop = batch, emit, stop
        self.queue: collections.deque[Task] = collections.deque(batch.tasks)
        self.errors: list[BaseException] = []

    def slot(self, index: int, registry: Any) -> None:
        """One worker's loop: take the next task until none is left."""
        try:
            runner = open_runner(registry, self.batch.job, self.batch.commit,
                                 {"engine": "local", "slot": index})
        except BaseException as error:  # raised by run() if no slot starts
            self.errors.append(error)
            return
        while not self.stop.is_set():
            try:
                task = self.queue.popleft()
            except IndexError:
                return
            self.emit(runner.run(task))
