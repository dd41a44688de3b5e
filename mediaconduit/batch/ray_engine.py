"""The ray engine: an actor pool on a Ray cluster, each actor a host holding a provider.

Each actor is a MediaConduit host process on some node: its own `ProviderRegistry` on
that node's cache, one provider handle and so one provider worker, loaded at the
commit the caller resolved (so every node runs the same code). Items go to the
actors two at a time each (one running, one waiting, so Ray's dispatch overlaps the
work), and come back as records.

Inputs and outputs travel as files when every node sees the same paths (`shared`,
the default on a local cluster: one machine), else as bytes through Ray's object
store: the caller reads each input file and the actor sends its outputs back,
which the caller writes under `DIR/outputs/`.

An actor that dies (its process killed, its node lost) has its items queued again
for the others, and a new actor takes its place; an item that has seen more than
`retries` actors die under it fails as `ActorDiedError`.

Lock sync: when the project (`mediaconduit.yaml`, at the same path on every node) has
a `mediaconduit.lock`, each actor runs `mediaconduit sync --locked` on its node's cache
before it loads anything, so every node runs the locked commits with the locked
wheels. `node_setup`, if given, runs in each actor before that (a hook for anything
else a node needs first).
"""

from __future__ import annotations

import collections
import contextlib
import logging
import os
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from mediaconduit.batch.work import Batch, Job, Outcome, Runner, Task, make_record, open_runner
from mediaconduit.sdk.errors import MediaConduitError

try:
    import ray
    import ray.exceptions
except ImportError as missing:  # pragma: no cover - the dev extra has ray
    raise MediaConduitError("the ray engine needs Ray: pip install 'mediaconduit[ray]'"
                            ) from missing

Emit = Callable[[Outcome], None]
#: Items an actor holds at once: one running, one queued behind it.
DEPTH = 2
#: Ray's word for an actor that is gone (killed, crashed, its node lost).
LOST = (ray.exceptions.RayActorError,)


class BatchActor:
    """One host process on a Ray node: a registry, a provider handle, its worker."""

    def __init__(self, job: Job, commit: str | None, slot: int,
                 node_setup: Callable[[], None] | None) -> None:
        self.job, self.commit, self.slot, self.node_setup = job, commit, slot, node_setup
        self.registry: Any = None
        self.runner: Runner | None = None

    def start(self) -> dict[str, Any]:
        """Load the provider; an error comes back as data, raised by the caller."""
        from mediaconduit.registry import ProviderRegistry

        try:
            if self.node_setup is not None:
                self.node_setup()
            self.registry = ProviderRegistry(self.job.cache_dir, offline=self.job.offline,
                                             project=self.job.project)
            sync_lock(self.registry)
            worker = {"engine": "ray", "slot": self.slot, "pid": os.getpid(),
                      "node": ray.get_runtime_context().get_node_id()}
            self.runner = open_runner(self.registry, self.job, self.commit, worker)
        except Exception as error:  # sent back, raised over there
            return {"error": {"type": type(error).__name__, "message": str(error)}}
        return {"error": None, **(self.runner.worker)}

    def run(self, task: Task, data: bytes | None, keep_bytes: bool) -> Outcome:
        """One item; `data` is its input file's bytes when no shared path is given."""
        assert self.runner is not None, "start() first"
        if data is None:
            return self.runner.run(task, keep_bytes=keep_bytes)
        with tempfile.TemporaryDirectory(prefix="batch-input-") as folder:
            staged = Path(folder) / Path(task.item.input).name
            staged.write_bytes(data)
            return self.runner.run(task, staged, keep_bytes=keep_bytes)

    def stop(self) -> None:
        if self.registry is not None:
            self.registry.close()


def sync_lock(registry: Any) -> None:
    """`mediaconduit sync --locked` on this node when the project has a lock: its cache
    gets the locked commits and wheels before anything loads (a stale lock fails here)."""
    lock = registry.lock
    if lock is not None:
        from mediaconduit.lock.sync import sync

        sync(registry, lock, check=True, catalogs=False)


class RayEngine:
    """Runs a batch's tasks on an actor pool (see the module's docstring)."""

    name = "ray"

    def __init__(self, address: str | None, concurrency: int | None, shared: bool | None,
                 node_setup: Callable[[], None] | None, actor_cpus: float = 1.0) -> None:
        self.address, self.concurrency = address, concurrency
        self.shared = (address is None) if shared is None else shared
        self.node_setup, self.actor_cpus = node_setup, actor_cpus

    def run(self, batch: Batch, emit: Emit, stop: threading.Event) -> None:
        """Every task, each emitted once finished."""
        if batch.registry is not None:
            batch.registry.close()  # the caller's provider worker: the actors have their own
        with self.cluster():
            pool = _Pool(self, batch.job, batch.commit, self._size(len(batch.tasks)))
            try:
                pool.start()
                pool.drive(collections.deque(batch.tasks), emit, stop)
            finally:
                pool.stop()

    @contextlib.contextmanager
    def cluster(self) -> Iterator[None]:
        """The caller's Ray session if it has one; else join `address` or start a local one."""
        if ray.is_initialized():
            yield
            return
        if self.address is not None:
            try:
                ray.init(address=self.address, logging_level=logging.WARNING)
            except ConnectionError as e:
                raise MediaConduitError(f"cannot join the Ray cluster at {self.address}: {e} "
                                        "(is it running? `ray status` there says)") from None
        else:
            cpus = max(os.cpu_count() or 1, self.concurrency or 0)
            ray.init(num_cpus=cpus, include_dashboard=False, logging_level=logging.WARNING)
        try:
            yield
        finally:
            ray.shutdown()

    def _size(self, tasks: int) -> int:
        if self.concurrency is not None:
            return max(1, min(self.concurrency, tasks))
        resources: dict[str, float] = ray.cluster_resources()  # type: ignore[no-untyped-call]
        cpus = float(resources.get("CPU", 1))
        return max(1, min(int(cpus // self.actor_cpus) or 1, tasks))


class _Pool:
    """The actors, the items in flight on each, and the queue of those still to run."""

    def __init__(self, engine: RayEngine, job: Job, commit: str | None, size: int) -> None:
        self.engine, self.job, self.commit, self.size = engine, job, commit, size
        self.remote: Any = ray.remote(BatchActor).options(
            num_cpus=engine.actor_cpus, max_restarts=0)
        self.actors: dict[int, Any] = {}
        self.inflight: dict[Any, tuple[int, Task]] = {}
        self.busy: collections.Counter[int] = collections.Counter()
        self.lost: collections.Counter[str] = collections.Counter()
        self.next_slot = 0
        self.replacements = size * (job.retries + 1)

    def start(self) -> None:
        """Start every actor; fails with the provider's load error if none comes up."""
        for _ in range(self.size):
            self.spawn()
        starting = [(slot, a.start.remote()) for slot, a in self.actors.items()]
        reports = [(slot, _report(ref)) for slot, ref in starting]
        broken = [(slot, r["error"]) for slot, r in reports if r["error"] is not None]
        for slot, _ in broken:
            self.actors.pop(slot)
        if not self.actors:
            raise _load_error(broken[0][1])

    def spawn(self) -> Any:
        slot, self.next_slot = self.next_slot, self.next_slot + 1
        actor = self.remote.remote(self.job, self.commit, slot, self.engine.node_setup)
        self.actors[slot] = actor
        return actor

    def replace(self, slot: int) -> None:
        """An actor is gone: a new one takes its place while the budget lasts."""
        actor = self.actors.pop(slot, None)
        if actor is not None:
            ray.kill(actor, no_restart=True)
        if self.replacements <= 0:
            return
        self.replacements -= 1
        new = self.spawn()
        if _report(new.start.remote())["error"] is None:
            return
        self.actors = {s: a for s, a in self.actors.items() if a is not new}

    def submit(self, queue: collections.deque[Task]) -> None:
        for slot, actor in list(self.actors.items()):
            while queue and self.busy[slot] < DEPTH:
                task = queue.popleft()
                ref = actor.run.remote(task, self.payload(task), not self.engine.shared)
                self.inflight[ref] = (slot, task)
                self.busy[slot] += 1

    def payload(self, task: Task) -> bytes | None:
        path = task.item.path
        return None if self.engine.shared or path is None else path.read_bytes()

    def drive(self, queue: collections.deque[Task], emit: Emit, stop: threading.Event) -> None:
        while (queue or self.inflight) and not stop.is_set():
            self.submit(queue)
            if not self.inflight:
                for task in queue:  # no actor left to run them
                    emit(_died(self, task, "no actor is left to run it"))
                return
            ready, _ = ray.wait(list(self.inflight), num_returns=1)
            for ref in ready:
                self.finish(ref, queue, emit)

    def finish(self, ref: Any, queue: collections.deque[Task], emit: Emit) -> None:
        slot, task = self.inflight.pop(ref)
        self.busy[slot] -= 1
        try:
            emit(Outcome(*ray.get(ref)))
        except LOST:
            self.lost[task.key] += 1
            if slot in self.actors:
                self.replace(slot)
            if self.lost[task.key] > self.job.retries:
                emit(_died(self, task, f"its actor died {self.lost[task.key]} times"))
            else:
                queue.appendleft(task)  # to another actor

    def stop(self) -> None:
        stopping = [a.stop.remote() for a in self.actors.values()]
        with contextlib.suppress(ray.exceptions.GetTimeoutError, *LOST):
            ray.get(stopping, timeout=30)  # each closes its provider worker
        for actor in self.actors.values():
            ray.kill(actor, no_restart=True)
        self.actors.clear()


def _report(starting: Any) -> dict[str, Any]:
    """An actor's start report; one that died starting is reported like a failed load."""
    try:
        report: dict[str, Any] = ray.get(starting)
    except LOST as error:
        return {"error": {"type": "ActorDiedError", "message": str(error)}}
    return report


def _died(pool: _Pool, task: Task, why: str) -> Outcome:
    """The record of an item that never ran to the end: its actors kept dying."""
    error = {"type": "ActorDiedError", "message": f"{task.item.input}: {why}"}
    return Outcome(make_record(pool.job, pool.commit, {"engine": "ray"}, task, duration=0.0,
                               attempts=pool.lost[task.key], error=error), [])


def _load_error(error: dict[str, str]) -> Exception:
    from mediaconduit.sdk.errors import MediaConduitError, error_from_dict

    rebuilt = error_from_dict(error)
    if type(rebuilt).__name__ != error["type"]:
        return MediaConduitError(f"the batch's Ray actors could not load the provider: "
                                 f"{error['type']}: {error['message']}")
    return rebuilt
