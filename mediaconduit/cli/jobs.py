"""`mediaconduit jobs list | cancel | fetch`: upstream jobs recorded in the cache."""

from __future__ import annotations

import contextlib
import datetime
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import click

from mediaconduit.cli.common import cache_options, echo_json

if TYPE_CHECKING:
    from mediaconduit.handles import ProviderHandle
    from mediaconduit.jobs import JobRecord, JobStore


def _store(cache_dir: Path | None) -> JobStore:
    from mediaconduit import cache
    from mediaconduit.jobs import JobStore

    root = Path(cache_dir).expanduser().absolute() if cache_dir else cache.default_root()
    return JobStore(root)


@contextlib.contextmanager
def _provider(record: JobRecord, cache_dir: Path | None,
              offline: bool | None) -> Iterator[ProviderHandle]:
    """The provider that ran the job, at the commit it ran."""
    from mediaconduit.registry import ProviderRegistry

    is_path = record.source.startswith(("/", "."))
    with ProviderRegistry(cache_dir, offline=offline) as registry:
        yield registry.get_provider(record.source, None if is_path else record.commit)


@click.group("jobs")
def jobs() -> None:
    """Upstream jobs (predictions, queue requests) that calls submitted."""


@jobs.command("list")
@cache_options
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def list_jobs(cache_dir: Path | None, offline: bool | None, as_json: bool) -> None:
    """Every recorded job, oldest first."""
    records = _store(cache_dir).list()
    if as_json:
        echo_json([r.to_dict() for r in records])
        return
    for r in records:
        when = datetime.datetime.fromtimestamp(r.created).strftime("%Y-%m-%d %H:%M:%S")
        click.echo(f"{r.id:<44} {r.status:<12} {r.provider}/{r.model}  {when}")
    click.echo(f"{len(records)} jobs", err=True)


@jobs.command("cancel")
@click.argument("job")
@cache_options
def cancel(job: str, cache_dir: Path | None, offline: bool | None) -> None:
    """Cancel JOB upstream (by our id or the upstream's)."""
    store = _store(cache_dir)
    record = store.get(job)
    assert record is not None
    with _provider(record, cache_dir, offline) as handle:
        handle.call("cancel_job", job=record.job_id, details=dict(record.details))
    store.update(record, "canceled", {})
    click.echo(f"canceled {record.id}", err=True)


@jobs.command("fetch")
@click.argument("job")
@click.option("-o", "--output", "out", type=click.Path(path_type=Path), default=None,
              help="Where to write the outputs (a folder when there are several).")
@click.option("--force", is_flag=True, help="Overwrite existing output files.")
@cache_options
def fetch(job: str, out: Path | None, force: bool, cache_dir: Path | None,
          offline: bool | None) -> None:
    """Download a finished JOB's outputs again, without running (and paying for) it again."""
    from mediaconduit.cli.providers import write_result
    from mediaconduit.sdk._protocol import result_from_wire

    store = _store(cache_dir)
    record = store.get(job)
    assert record is not None
    with _provider(record, cache_dir, offline) as handle:
        result = handle.call("fetch_job", job=record.job_id, details=dict(record.details))
    write_result(result_from_wire(result), out, force=force)


COMMANDS: list[click.Command] = [jobs]
