"""One item, start to end: read its input, transform (retrying what is transient), save
its outputs, and make its `results.jsonl` record. Both engines run items through this.

An item's failure is its record's `error`, never an exception: the batch goes on.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import shutil
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

from mediaconduit.batch.inputs import Item
from mediaconduit.sdk.assets import Media, Text, extension_for
from mediaconduit.sdk.errors import (
    InvalidInputError,
    ProviderCrashedError,
    ProviderUnavailableError,
    RateLimitError,
    TransformTimeoutError,
)
from mediaconduit.sdk.usage import Cost, Usage

if TYPE_CHECKING:
    from mediaconduit.handles import ModelHandle
    from mediaconduit.registry import ProviderRegistry
    from mediaconduit.sdk.assets import Asset

#: Errors worth another try: the same call may well work a moment later.
TRANSIENT = (RateLimitError, ProviderUnavailableError, ProviderCrashedError,
             TransformTimeoutError)
_T = TypeVar("_T")


@dataclasses.dataclass(frozen=True)
class Job:
    """What every worker of a batch needs; plain data, so a Ray actor gets a copy.

    Either `spec` and `model` (one provider's model), or `to` and `task` (routed over
    the providers of the `project` file).
    """

    spec: str | None
    model: str | None
    out_dir: str
    to: str | None = None
    task: str | None = None
    project: str | None = None
    batch_id: str = ""
    ref: str | None = None
    config: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    cache_dir: str | None = None
    offline: bool | None = None
    timeout: float | None = None
    retries: int = 3
    backoff: float = 0.5
    backoff_cap: float = 30.0

    @property
    def outputs(self) -> Path:
        return Path(self.out_dir) / "outputs"


@dataclasses.dataclass(frozen=True)
class Task:
    """An item with its resume key and input digest."""

    key: str
    item: Item
    digest: str


@dataclasses.dataclass(frozen=True)
class Batch:
    """What an engine runs: the job, the provider's commit, the tasks still to do."""

    job: Job
    commit: str | None
    tasks: list[Task]
    registry: Any = None  # the caller's ProviderRegistry (the local engine's first slot)


class Outcome(NamedTuple):
    """A finished item: its record, and its output files' bytes when they travel back."""

    record: dict[str, Any]
    blobs: list[tuple[str, bytes]]


def delay(error: Exception, attempt: int, base: float, cap: float) -> float:
    """Exponential backoff, at least the `retry_after` a rate limit asks for, at most `cap`."""
    wait = base * 2.0 ** attempt
    retry_after: object = getattr(error, "retry_after", None)
    if isinstance(retry_after, (int, float)):
        wait = max(wait, float(retry_after))
    return min(wait, cap)


def with_retries(call: Callable[[], _T], job: Job, attempts: list[int],
                 sleep: Callable[[float], None] = time.sleep) -> _T:
    """`call()`, tried again after a transient error up to `job.retries` times."""
    for attempt in range(job.retries + 1):
        attempts[0] = attempt + 1
        try:
            return call()
        except TRANSIENT as error:
            if attempt == job.retries:
                raise
            sleep(delay(error, attempt, job.backoff, job.backoff_cap))
    raise AssertionError("unreachable")  # pragma: no cover


def read_input(value: str, kinds: set[str]) -> Asset:
    """The input as the CLI's `run` reads it: a file as media of its MIME type, else text."""
    import click

    from mediaconduit.cli.providers import read_input as read_cli_input

    try:
        return read_cli_input(value, kinds)
    except click.BadParameter as e:
        raise InvalidInputError(e.message) from None


def input_kinds(model: ModelHandle) -> set[str]:
    """The kinds of input a model takes, from its capabilities (`video-to-image` -> video)."""
    caps = model.info.capabilities or model.provider.capabilities
    return {c.split("-to-")[0] for c in caps}


Call = Callable[["Asset", Mapping[str, Any]], "Asset | list[Asset]"]


def open_runner(registry: ProviderRegistry, job: Job, commit: str | None,
                worker: Mapping[str, Any]) -> Runner:
    """A runner on `registry`: the job's model (its worker started), or its router."""
    outputs = registry.layout.root / "outputs"
    if job.to is not None:
        to, task = job.to, job.task

        def route(asset: Asset, params: Mapping[str, Any]) -> Asset | list[Asset]:
            return registry.transform(asset, to=to, task=task, timeout=job.timeout, **params)

        return Runner(route, set(), job=job, commit=commit, worker=worker,
                      cache_outputs=outputs)
    assert job.spec is not None and job.model is not None
    model = registry.get_provider(job.spec, job.ref, config=job.config).get_model(job.model)

    def call(asset: Asset, params: Mapping[str, Any]) -> Asset | list[Asset]:
        return model.transform(asset, timeout=job.timeout, **params)

    return Runner(call, input_kinds(model), job=job, commit=commit, worker=worker,
                  cache_outputs=outputs)


class Runner:
    """Runs items through one call: a model handle (one provider worker) or a router."""

    def __init__(self, call: Call, kinds: set[str], *, job: Job, commit: str | None,
                 worker: Mapping[str, Any], cache_outputs: Path) -> None:
        self.call, self.kinds = call, kinds
        self.job, self.commit = job, commit
        self.worker = dict(worker)
        self.cache_outputs = cache_outputs

    def attempt(self, asset: Asset, params: Mapping[str, Any], attempt: int) -> Any:
        """One try, its ledger row tagged with the batch and the attempt number."""
        from mediaconduit.ledger.tags import tagged

        with tagged(batch_id=self.job.batch_id or None, attempt=attempt):
            return self.call(asset, params)

    def run(self, task: Task, staged: Path | None = None, keep_bytes: bool = False) -> Outcome:
        """Run one item; `staged` is a local copy of its input file (sent as bytes)."""
        started, attempts = time.perf_counter(), [0]
        try:
            asset = read_input(str(staged or task.item.input), self.kinds)
            result = with_retries(lambda: self.attempt(asset, task.item.params, attempts[0]),
                                  self.job, attempts)
            outputs = result if isinstance(result, list) else [result]
            names, blobs = self.save(task, outputs, keep_bytes)
        except Exception as error:  # one item's failure is its record
            failure = _failure(error, staged, task.item.input)
            return Outcome(self.record(task, started, attempts[0], error=failure), [])
        return Outcome(self.record(task, started, attempts[0], outputs=outputs, names=names),
                       blobs)

    def save(self, task: Task, outputs: list[Asset],
             keep_bytes: bool) -> tuple[list[str], list[tuple[str, bytes]]]:
        """Each output to `outputs/<input stem>-<key>[-i]<ext>` (or its bytes, to send back)."""
        names = [output_name(task, asset, i, len(outputs)) for i, asset in enumerate(outputs)]
        pairs = list(zip(names, outputs, strict=True))
        if keep_bytes:
            return names, [(name, self.take_bytes(asset)) for name, asset in pairs]
        self.job.outputs.mkdir(parents=True, exist_ok=True)
        for name, asset in pairs:
            self.place(asset, Path(self.job.out_dir) / name)
        return names, []

    def place(self, asset: Asset, target: Path) -> None:
        """Move a file the worker made in the cache; copy anything else (never move yours)."""
        path = asset.path if isinstance(asset, Media) else None
        if path is not None and path.is_relative_to(self.cache_outputs):
            shutil.move(str(path), str(target))
            _remove_empty(path.parent)
        else:
            asset.save(target)

    def take_bytes(self, asset: Asset) -> bytes:
        if isinstance(asset, Text):
            return asset.text.encode("utf-8")
        data = asset.data
        if asset.path is not None and asset.path.is_relative_to(self.cache_outputs):
            asset.path.unlink(missing_ok=True)
            _remove_empty(asset.path.parent)
        return data

    def record(self, task: Task, started: float, attempts: int, *,
               outputs: list[Asset] | None = None, names: list[str] | None = None,
               error: dict[str, str] | None = None) -> dict[str, Any]:
        return make_record(self.job, self.commit, self.worker, task,
                           duration=time.perf_counter() - started, attempts=attempts,
                           outputs=outputs, names=names, error=error)


def make_record(job: Job, commit: str | None, worker: Mapping[str, Any], task: Task, *,
                duration: float, attempts: int, outputs: list[Asset] | None = None,
                names: list[str] | None = None,
                error: dict[str, str] | None = None) -> dict[str, Any]:
    """An item's line in `results.jsonl`."""
    usage, cost = _totals(outputs or [])
    route = outputs[0].metadata.get("route") if outputs else None
    return {
        "key": task.key, "input": task.item.input, "input_digest": task.digest,
        "params": dict(task.item.params), "provider": job.spec, "model": job.model,
        "to": job.to, "task": job.task, "route": route, "commit": commit,
        "status": "failed" if error else "done", "outputs": names or [], "error": error,
        "usage": usage.to_dict(), "cost": cost.to_dict(), "duration": round(duration, 6),
        "attempts": attempts, "worker": dict(worker), "batch": job.batch_id,
        "finished": time.time(),
    }


def output_name(task: Task, asset: Asset, index: int, count: int) -> str:
    """`outputs/clip-3f2a9c1b7d4e.png`: the input's stem, the key, the output's suffix."""
    path = task.item.path
    stem = path.stem if path is not None else "text"
    if isinstance(asset, Text):
        suffix = ".txt"
    else:
        suffix = asset.path.suffix if asset.path is not None else extension_for(asset.mime_type)
    number = f"-{index}" if count > 1 else ""
    return f"outputs/{stem}-{task.key[:12]}{number}{suffix}"


def _totals(outputs: list[Asset]) -> tuple[Usage, Cost]:
    usage, cost = Usage(), Cost()
    for asset in outputs:
        usage, cost = usage + asset.usage, cost + asset.cost
    return usage, cost


def _failure(error: Exception, staged: Path | None, original: str) -> dict[str, str]:
    message = str(error)
    if staged is not None:  # speak of the user's file, not the copy made for the worker
        message = message.replace(str(staged), original)
    return {"type": type(error).__name__, "message": message}


def _remove_empty(folder: Path) -> None:
    with contextlib.suppress(OSError):
        os.rmdir(folder)
