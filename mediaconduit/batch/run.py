"""`mediaconduit.batch.run(...)`: one transform over many inputs, resumably.

    from mediaconduit.batch import run

    summary = run(["frames.jsonl"], provider="./providers/ffmpeg-provider",
                  model="extract-frame", out="out/")
    print(summary.done, summary.failed, summary.skipped, summary.results)

The caller's process loads the provider once (its commit makes the resume keys,
and its model list checks the model id), reads which items `DIR/results.jsonl`
already has done, and hands the rest to an engine: `local` (worker processes on
this machine) or `ray` (an actor pool on a Ray cluster). Every finished item is
one line appended to `results.jsonl` by this process alone.
"""

from __future__ import annotations

import dataclasses
import os
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

from mediaconduit.batch.inputs import BatchInputError, Item, expand
from mediaconduit.batch.results import ResultsFile, item_key
from mediaconduit.batch.work import Batch, Job, Outcome, Task
from mediaconduit.progress import ProgressCallback
from mediaconduit.sdk.errors import MediaConduitError

RecordCallback = Callable[[Mapping[str, Any]], None]
StartCallback = Callable[[int, int], None]  # (items to run, items skipped)


class BatchError(MediaConduitError):
    """A batch cannot run as asked (its inputs, its output folder, its engine)."""


@dataclasses.dataclass(frozen=True)
class BatchSummary:
    """What a batch did. `skipped` items were done by an earlier run and not run again."""

    done: int
    failed: int
    skipped: int
    duplicates: int
    total: int
    results: Path
    engine: str
    commit: str | None
    seconds: float
    failures: tuple[Mapping[str, Any], ...] = ()
    batch_id: str = ""

    @property
    def nothing_to_do(self) -> bool:
        return self.done == 0 and self.failed == 0

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data.update(results=str(self.results), failures=[dict(f) for f in self.failures],
                    nothing_to_do=self.nothing_to_do)
        return data


class Engine(Protocol):
    name: str

    def run(self, batch: Batch, emit: Callable[[Outcome], None],
            stop: threading.Event) -> None: ...


@dataclasses.dataclass
class _Tally:
    results: ResultsFile
    on_record: RecordCallback | None
    done: int = 0
    failed: int = 0
    failures: list[Mapping[str, Any]] = dataclasses.field(default_factory=list)
    lock: threading.Lock = dataclasses.field(default_factory=threading.Lock)

    def emit(self, outcome: Outcome) -> None:
        """Write an item's returned bytes, then its line: a done line means its files exist."""
        out = self.results.path.parent
        for name, data in outcome.blobs:
            _write_atomic(out / name, data)
        record = outcome.record
        self.results.append(record)
        with self.lock:
            if record["status"] == "done":
                self.done += 1
            else:
                self.failed += 1
                self.failures.append({"input": record["input"], "params": record["params"],
                                      "error": record["error"]})
        if self.on_record is not None:
            self.on_record(record)


def run(inputs: Sequence[str | Path], *, out: str | Path, provider: str | None = None,
        model: str | None = None, to: str | None = None, task: str | None = None,
        params: Mapping[str, Any] | None = None, engine: str = "local",
        address: str | None = None, concurrency: int | None = None, retries: int = 3,
        timeout: float | None = None, ref: str | None = None, update: bool = False,
        config: Mapping[str, Any] | None = None, cache_dir: str | Path | None = None,
        offline: bool | None = None, shared: bool | None = None, backoff: float = 0.5,
        backoff_cap: float = 30.0, project: str | Path | None = None,
        on_start: StartCallback | None = None,
        on_record: RecordCallback | None = None, progress: ProgressCallback | None = None,
        node_setup: Callable[[], None] | None = None) -> BatchSummary:
    """Run `model` of `provider` (or, with `to`/`task`, whatever the project's routing
    picks) over every input; returns the counts and the results path.

    `inputs`: files, folders, globs, or `.jsonl` files of `{"input": ..., "params": {...}}`
    rows. `params` apply to every item (a row's win). A transient error (rate limit,
    unavailable, crash, timeout) is retried `retries` times with exponential backoff
    from `backoff` seconds (at most `backoff_cap`, at least a rate limit's `retry_after`).
    `engine="ray"` runs on a Ray cluster: `address` joins one, else a local one runs for
    the batch; `shared` says the inputs and `out` are on storage every node sees
    (default: yes without `address`), else bytes travel through Ray's object store.
    `node_setup` runs in every Ray actor before it loads the provider (the hook for
    syncing a lock file on each node). `on_start(to_run, skipped)` and `on_record(record)`
    are called in this process (a progress bar); `progress` gets the provider's load
    progress (clone, install). `project` is a `mediaconduit.yaml` (default: the working
    directory's or the nearest above): its providers are what `to` routes over, and its
    lock, if any, pins what loads (and is synced on every Ray node first).
    """
    _check_target(provider, model, to, task)
    started = time.perf_counter()
    folder = Path(out).expanduser().absolute()
    items = expand(inputs, params, exclude=folder)
    if not items:
        raise BatchInputError("the inputs name no item")
    chosen = _engine(engine, address, concurrency, shared, node_setup)
    project_file = _project_file(project, to)
    with _exclusive(folder), _driver(cache_dir, offline, progress, project_file) as registry:
        target = _Target.load(registry, provider=provider, model=model, to=to, task=task,
                              ref=ref, update=update, config=config, project=project_file)
        job = Job(spec=provider, model=model, out_dir=str(folder), to=to, task=task,
                  project=None if project_file is None else str(project_file),
                  batch_id=uuid.uuid4().hex[:12], ref=_pinned(provider, ref, target.pin),
                  config=dict(config or {}), cache_dir=_cache_dir(cache_dir, registry, address),
                  offline=offline, timeout=timeout, retries=retries, backoff=backoff,
                  backoff_cap=backoff_cap)
        results = ResultsFile(folder)
        tasks, skipped, duplicates = _plan(items, target.commit, target.label,
                                           results.done_keys())
        if on_start is not None:
            on_start(len(tasks), skipped)
        tally = _Tally(results, on_record)
        try:
            if tasks:
                chosen.run(Batch(job, target.commit, tasks, registry), tally.emit,
                           threading.Event())
        finally:
            results.close()
    return BatchSummary(tally.done, tally.failed, skipped, duplicates, len(items),
                        results.path, chosen.name, target.commit,
                        time.perf_counter() - started, tuple(tally.failures), job.batch_id)


def _check_target(provider: str | None, model: str | None, to: str | None,
                  task: str | None) -> None:
    if to is not None and (provider is not None or model is not None):
        raise BatchError("give either a provider and a model, or `to` (routing), not both")
    if to is None and (provider is None or model is None):
        raise BatchError("a batch needs a provider and a model (--provider SPEC --model ID), "
                         "or a kind to route to (--to KIND)")
    if task is not None and to is None:
        raise BatchError("--task goes with --to")


@dataclasses.dataclass(frozen=True)
class _Target:
    """What the items run: its commit and label make the resume keys."""

    commit: str | None
    label: str
    pin: str | None = None  # the commit the workers load (a git provider)

    @classmethod
    def load(cls, registry: Any, *, provider: str | None, model: str | None, to: str | None,
             task: str | None, ref: str | None, update: bool,
             config: Mapping[str, Any] | None, project: Path | None) -> _Target:
        """Load the provider (an unknown model fails here, before any item); or, routed,
        the project's fingerprint: its file and lock, so an edit runs the items again."""
        if to is not None:
            assert project is not None
            return cls(_fingerprint(project), f"to:{to}/{task or ''}")
        assert provider is not None and model is not None
        handle = registry.get_provider(provider, ref, update=update, config=config)
        handle.get_model(model)
        return cls(handle.commit or handle.source.revision, model, handle.commit)


def _fingerprint(project: Path) -> str:
    import hashlib

    from mediaconduit.lock.lockfile import lock_path

    digest = hashlib.sha256()
    for file in (project, lock_path(project)):
        digest.update(file.read_bytes() if file.is_file() else b"-")
    return "project-" + digest.hexdigest()[:16]


def _project_file(project: str | Path | None, to: str | None) -> Path | None:
    """The project file: the one given, else the working directory's (or above)."""
    from mediaconduit.project.load import find_project

    path = Path(project).expanduser().absolute() if project is not None else find_project()
    if path is not None and not path.is_file():
        raise BatchError(f"{path}: no such project file")
    if to is not None and path is None:
        raise BatchError("routing (--to) goes over the providers of a mediaconduit.yaml: "
                         "none here or above; give --project PATH")
    return path


def _plan(items: list[Item], commit: str | None, model: str,
          done: set[str]) -> tuple[list[Task], int, int]:
    """The tasks still to run, how many items an earlier run did, how many repeat."""
    tasks: list[Task] = []
    seen: set[str] = set()
    skipped = duplicates = 0
    for item in items:
        digest = item.digest()
        key = item_key(digest, item.params, commit, model)
        if key in seen:
            duplicates += 1
        elif key in done:
            skipped += 1
        else:
            tasks.append(Task(key, item, digest))
        seen.add(key)
    return tasks, skipped, duplicates


def _engine(name: str, address: str | None, concurrency: int | None, shared: bool | None,
            node_setup: Callable[[], None] | None) -> Engine:
    if concurrency is not None and concurrency < 1:
        raise BatchError(f"concurrency must be at least 1, not {concurrency}")
    if name == "local":
        if address is not None:
            raise BatchError("--address is for the ray engine (add --engine ray)")
        from mediaconduit.batch.local import LocalEngine

        return LocalEngine(concurrency or os.cpu_count() or 1)
    if name == "ray":
        from mediaconduit.batch.ray_engine import RayEngine

        return RayEngine(address, concurrency, shared, node_setup)
    raise BatchError(f"unknown engine {name!r}: use local or ray")


def _pinned(spec: str | None, ref: str | None, commit: str | None) -> str | None:
    """Workers load the commit this process resolved (a local folder: as it is)."""
    from mediaconduit.specifier import parse_specifier

    if spec is None or commit is None or parse_specifier(spec, ref).kind == "local":
        return ref
    return commit


def _cache_dir(given: str | Path | None, registry: Any, address: str | None) -> str | None:
    """The cache workers use: the one given, else this machine's (a remote node: its own)."""
    if given is not None:
        return str(Path(given).expanduser().absolute())
    return None if address is not None else str(registry.layout.root)


@contextmanager
def _driver(cache_dir: str | Path | None, offline: bool | None,
            progress: ProgressCallback | None, project: Path | None) -> Iterator[Any]:
    from mediaconduit.registry import ProviderRegistry

    with ProviderRegistry(cache_dir, offline=offline, progress=progress,
                          project=project) as registry:
        yield registry


@contextmanager
def _exclusive(folder: Path) -> Iterator[None]:
    """One batch at a time writes a folder's results."""
    import filelock

    folder.mkdir(parents=True, exist_ok=True)
    lock = filelock.FileLock(str(folder / ".batch.lock"), thread_local=False)
    try:
        lock.acquire(timeout=0)
    except filelock.Timeout:
        raise BatchError(f"another batch is writing to {folder}; wait for it or pick "
                         "another --out") from None
    try:
        yield
    finally:
        lock.release()


def _write_atomic(target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    temp.write_bytes(data)
    os.replace(temp, target)
