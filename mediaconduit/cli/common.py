"""What the CLI commands share: cache options, the progress display, JSON output."""

from __future__ import annotations

import contextlib
import json
import os
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from mediaconduit.progress import Progress

if TYPE_CHECKING:
    from mediaconduit.sdk.calls import Progress as CallProgress

F = TypeVar("F", bound=Callable[..., Any])


def cache_options(command: F) -> F:
    """`--cache-dir` and `--offline`, for every command that touches the cache."""
    command = click.option("--offline", is_flag=True, default=None,
                           help="Never touch the network (as MEDIACONDUIT_OFFLINE=1).")(command)
    return click.option("--cache-dir", type=click.Path(path_type=Path), default=None,
                        callback=_cache_dir_checked,
                        help="Cache root (default: MEDIACONDUIT_CACHE_DIR or the user cache).",
                        )(command)


def _cache_dir_checked(ctx: click.Context, param: click.Parameter,
                       value: Path | None) -> Path | None:
    """A cache root must be a folder we can write, or a place one can be made."""
    configured = os.environ.get("MEDIACONDUIT_CACHE_DIR")
    if value is None and configured:
        problem = cache_dir_problem(Path(configured).expanduser())
        if problem is not None:
            raise click.UsageError(f"MEDIACONDUIT_CACHE_DIR: {problem}", ctx=ctx)
    if value is None:
        return None
    problem = cache_dir_problem(value)
    if problem is not None:
        raise click.BadParameter(problem, ctx=ctx, param=param)
    return value


def cache_dir_problem(path: Path) -> str | None:
    """Why `path` cannot be a cache root (a file, under a file, not writable), or None.

    The folder is made if missing and written to once: permissions alone do not say
    (root passes every check, a read-only mount none)."""
    existing = path.absolute()
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        return f"{existing} is a file, not a folder: give a folder for the cache"
    probe = path.absolute() / f".mediaconduit-probe-{os.getpid()}"
    try:
        path.absolute().mkdir(parents=True, exist_ok=True)
        os.close(os.open(probe, os.O_CREAT | os.O_WRONLY, 0o600))
        os.unlink(probe)
    except OSError as error:
        return f"cannot write to {path}: {error.strerror or error}; give a folder you can write to"
    return None


def load_options(command: F) -> F:
    """`--ref`, `--update` and `--config KEY=VALUE`, for commands that load a provider."""
    command = click.option("--config", "config", multiple=True, metavar="KEY=VALUE",
                           help="A provider setting (repeatable; VALUE read as JSON if it "
                                "parses).")(command)
    command = click.option("--update", is_flag=True, help="Re-resolve the ref first.")(command)
    return click.option("--ref", default=None, help="Branch, tag or commit.")(command)


def parse_pairs(pairs: tuple[str, ...], what: str) -> dict[str, Any]:
    """`("a=1", "b=x")` -> `{"a": 1, "b": "x"}`."""
    result: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise click.BadParameter(f"{pair!r} is not KEY=VALUE", param_hint=what)
        try:
            result[key] = json.loads(value)
        except ValueError:
            result[key] = value
        except RecursionError:
            raise click.BadParameter(f"the value of {key!r} is nested too deeply",
                                     param_hint=what) from None
    return result


def echo_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, sort_keys=True, default=str))


class ProgressDisplay:
    """Shows clone and install progress on a terminal (nothing elsewhere)."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self._tasks: dict[tuple[str, str], Any] = {}
        self._lock = threading.Lock()
        self._progress: Any = None

    @contextlib.contextmanager
    def shown(self) -> Iterator[ProgressDisplay]:
        if not self.enabled:
            yield self
            return
        from rich.console import Console
        from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                   TimeElapsedColumn())
        with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
            self._progress = progress
            yield self
        self._progress = None

    def __call__(self, event: Progress) -> None:
        if self._progress is None:
            return
        with self._lock:
            key = (event.step, event.label)
            task = self._tasks.get(key)
            if task is None:
                verb = {"clone": "cloning", "install": "installing", "start": "starting"}
                description = f"{verb.get(event.step, event.step)} {event.label}"
                task = self._tasks[key] = self._progress.add_task(description, total=None)
            total = event.total if event.total else None
            completed = event.completed if total else 0
            self._progress.update(task, completed=completed, total=total)
            if event.finished:
                self._progress.update(task, completed=1, total=1, visible=False)

    def for_call(self, label: str) -> Callable[[CallProgress], None]:
        """A callback drawing one call's progress reports (fraction, message) as a bar."""
        def update(event: CallProgress) -> None:
            if self._progress is None:
                return
            with self._lock:
                task = self._tasks.get(("call", label))
                if task is None:
                    task = self._tasks[("call", label)] = self._progress.add_task(label, total=None)
                text = f"{label}: {event.message}" if event.message else label
                done = None if event.fraction is None else event.fraction * 100
                self._progress.update(task, description=text, completed=done or 0,
                                      total=None if done is None else 100)

        return update


def progress_display() -> ProgressDisplay:
    return ProgressDisplay(enabled=sys.stderr.isatty())
