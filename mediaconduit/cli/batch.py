"""`mediaconduit batch`: one transform over many inputs, resumably (see `mediaconduit.batch`)."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from mediaconduit.cli.common import cache_options, echo_json, load_options, parse_pairs

if TYPE_CHECKING:
    from mediaconduit.batch import BatchSummary
    from mediaconduit.progress import Progress

_SHOWN_FAILURES = 20


class BatchBar:
    """A rich bar on a terminal: items done of those to run, rate, ETA, failures so far."""

    def __init__(self, enabled: bool, label: str) -> None:
        self.enabled, self.label = enabled, label
        self.failed = 0
        self._progress: Any = None
        self._task: Any = None
        self._steps: dict[tuple[str, str], Any] = {}

    @contextlib.contextmanager
    def shown(self) -> Iterator[BatchBar]:
        if not self.enabled:
            yield self
            return
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                   _rate_column(), TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn())
        with Progress(*columns, console=Console(stderr=True)) as progress:
            self._progress = progress
            yield self
        self._progress = None

    def start(self, to_run: int, skipped: int) -> None:
        if self._progress is not None:
            note = f" ({skipped} already done)" if skipped else ""
            self._task = self._progress.add_task(f"{self.label}{note}", total=to_run)

    def __call__(self, event: Progress) -> None:
        """The provider's load steps (clone, install, start), as lines of their own."""
        if self._progress is None:
            return
        key = (event.step, event.label)
        task = self._steps.get(key)
        if task is None:
            task = self._steps[key] = self._progress.add_task(f"{event.step} {event.label}",
                                                              total=None)
        if event.finished:
            self._progress.update(task, visible=False)

    def record(self, record: Mapping[str, Any]) -> None:
        if record["status"] != "done":
            self.failed += 1
        if self._progress is not None and self._task is not None:
            description = None
            if self.failed:
                description = f"{self.label} [red]{self.failed} failed[/red]"
            self._progress.update(self._task, advance=1, description=description)


def _rate_column() -> Any:
    from rich.progress import ProgressColumn
    from rich.text import Text

    class Rate(ProgressColumn):
        """Items per second."""

        def render(self, task: Any) -> Text:
            speed = task.finished_speed or task.speed
            return Text("-/s" if speed is None else f"{speed:.1f}/s", style="progress.data.speed")

    return Rate()


def _print_summary(summary: BatchSummary) -> None:
    for failure in summary.failures[:_SHOWN_FAILURES]:
        error = failure["error"] or {}
        params = f" {failure['params']}" if failure["params"] else ""
        click.echo(f"failed: {failure['input']}{params}: {error.get('type')}: "
                   f"{error.get('message')}", err=True)
    if len(summary.failures) > _SHOWN_FAILURES:
        click.echo(f"... and {len(summary.failures) - _SHOWN_FAILURES} more failures "
                   f"(see {summary.results})", err=True)
    if summary.nothing_to_do:
        click.echo(f"nothing to do: all {summary.skipped} items are already done "
                   f"({summary.results})")
        return
    click.echo(f"{summary.done} done, {summary.failed} failed, {summary.skipped} skipped "
               f"(already done) in {summary.seconds:.1f} s with the {summary.engine} engine: "
               f"{summary.results}")


def _target(provider: str | None, model: str | None, to: str | None, task: str | None) -> str:
    """Check the choice of what to run; the bar's label."""
    if to is not None and (provider or model):
        raise click.UsageError("give either --provider and --model, or --to, not both")
    if to is None and not (provider and model):
        raise click.UsageError("give --provider SPEC and --model ID (or --to KIND)")
    if task is not None and to is None:
        raise click.UsageError("--task goes with --to")
    return f"batch {model}" if to is None else f"batch to {to}" + (f" ({task})" if task else "")


@click.command()
@click.argument("inputs", nargs=-1, required=True, metavar="INPUT...")
@click.option("--provider", "provider", metavar="SPEC", help="The provider to run.")
@click.option("--model", "model", metavar="ID", help="The provider's model to run.")
@click.option("--to", "to", type=click.Choice(["text", "image", "audio", "video"]),
              help="Route each input to whichever configured model makes this kind.")
@click.option("--task", "task", metavar="T", help="With --to: the task (e.g. extract-frame).")
@click.option("--project", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="The mediaconduit.yaml whose providers --to routes over and whose lock "
                   "pins what loads (default: the working directory's or the nearest above).")
@click.option("-p", "--param", "params", multiple=True, metavar="KEY=VALUE",
              help="A model parameter for every item (repeatable; VALUE read as JSON if it "
                   "parses). A JSONL row's own params win.")
@click.option("--out", "out", required=True, type=click.Path(path_type=Path),
              help="Output folder: outputs/ and results.jsonl go here.")
@click.option("--engine", type=click.Choice(["local", "ray"]), default="local",
              show_default=True, help="local worker processes, or a Ray actor pool.")
@click.option("--address", default=None, help="With --engine ray: join this Ray cluster "
              "(default: start a local one for the batch).")
@click.option("--concurrency", type=click.IntRange(min=1), default=None,
              help="Workers (local: provider processes; ray: actors). Default: the CPUs.")
@click.option("--retries", type=click.IntRange(min=0), default=3, show_default=True,
              help="Tries again after a transient error (rate limit, unavailable, crash, "
                   "timeout), with backoff.")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=None,
              help="Seconds one transform may take.")
@click.option("--shared/--no-shared", default=None,
              help="With --engine ray: the inputs and --out are on storage every node sees "
                   "(default: shared without --address; else files travel through Ray).")
@load_options
@cache_options
@click.option("--json", "as_json", is_flag=True,
              help="Print a JSON summary (done, failed, skipped, results).")
def batch(inputs: tuple[str, ...], provider: str | None, model: str | None, to: str | None,
          task: str | None, project: Path | None, params: tuple[str, ...], out: Path, engine: str,
          address: str | None, concurrency: int | None, retries: int, timeout: float | None,
          shared: bool | None, ref: str | None, update: bool, config: tuple[str, ...],
          cache_dir: Path | None, offline: bool | None, as_json: bool) -> int:
    """Run one transform over many INPUTs: files, folders, globs, or .jsonl files of
    {"input": ..., "params": {...}} rows. A rerun skips items already done.

    Exits 1 when an item failed (each failure is in results.jsonl with its reason).
    """
    from mediaconduit.batch import run

    label = _target(provider, model, to, task)
    bar = BatchBar(sys.stderr.isatty() and not as_json, label)
    with bar.shown():
        summary = run(inputs, out=out, provider=provider, model=model, to=to, task=task,
                      params=parse_pairs(params, "--param"), engine=engine, address=address,
                      concurrency=concurrency, retries=retries, timeout=timeout, ref=ref,
                      update=update, config=parse_pairs(config, "--config"),
                      cache_dir=cache_dir, offline=offline, shared=shared, project=project,
                      on_start=bar.start, on_record=bar.record, progress=bar)
    if as_json:
        echo_json(summary.to_dict())
    else:
        _print_summary(summary)
    return 1 if summary.failed else 0


COMMANDS: list[click.Command] = [batch]
