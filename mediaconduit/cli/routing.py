"""`mediaconduit do | plan`: ask for a job, not a vendor, over the project's providers."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from mediaconduit.cli.common import cache_options, echo_json, parse_pairs, progress_display
from mediaconduit.cli.providers import read_input, write_result

if TYPE_CHECKING:
    from mediaconduit.registry import ProviderRegistry
    from mediaconduit.routing import Plan


def job_options(command: Any) -> Any:
    for option in reversed([
        click.argument("input_value", metavar="INPUT"),
        click.option("--to", "to", required=True, metavar="KIND",
                     help="The kind wanted: text, image, audio or video."),
        click.option("--task", default=None, metavar="T",
                     help="What to do, e.g. automatic-speech-recognition."),
        click.option("--model", default=None, metavar="M", help="Only MODEL or PROVIDER:MODEL."),
        click.option("--project", "project", type=click.Path(path_type=Path), default=None,
                     help="The project file (default: mediaconduit.yaml here or above)."),
    ]):
        command = option(command)
    return cache_options(command)


def _registry(project: Path | None, cache_dir: Path | None, offline: bool | None,
              display: Any) -> ProviderRegistry:
    from mediaconduit.registry import ProviderRegistry

    return ProviderRegistry(cache_dir, offline=offline, progress=display,
                            project=project or "auto")


def _table(plan: Plan) -> None:
    """The chosen route and what was passed over, as a table on stderr."""
    from rich.console import Console
    from rich.table import Table

    table = Table(title="route")
    for column in ("step", "from → to", "task", "candidate", "why"):
        table.add_column(column, overflow="fold")  # a narrow screen wraps, never cuts
    for index, step in enumerate(plan.steps, 1):
        for rank, candidate in enumerate(step.candidates):
            why = "chosen" if rank == 0 else f"fallback {rank}"
            table.add_row(str(index), f"{step.source} → {step.target}", candidate.task,
                          candidate.label, why)
    for rejected in plan.rejected:
        table.add_row("", "", "", f"{rejected.provider}:{rejected.model}", rejected.reason)
    console = Console(stderr=True)
    if not console.is_terminal:  # piped or logged: no screen to fit, keep rows whole
        console = Console(stderr=True, width=200)
    console.print(table)


@click.command("do")
@job_options
@click.option("-o", "--output", "out", type=click.Path(path_type=Path), default=None,
              help="Write the result here (text goes to stdout otherwise).")
@click.option("-p", "--param", "params", multiple=True, metavar="KEY=VALUE",
              help="A parameter for the last step's model (repeatable).")
@click.option("--explain", is_flag=True, help="Show the route and the candidates passed over.")
@click.option("--dry-run", is_flag=True, help="Plan only; run nothing.")
@click.option("--force", is_flag=True, help="Overwrite an existing output file.")
def do(input_value: str, to: str, task: str | None, model: str | None, project: Path | None,
       cache_dir: Path | None, offline: bool | None, out: Path | None, params: tuple[str, ...],
       explain: bool, dry_run: bool, force: bool) -> None:
    """Turn INPUT into KIND with whichever configured provider fits (chains included)."""
    display = progress_display()
    arguments = parse_pairs(params, "--param")
    with display.shown(), _registry(project, cache_dir, offline, display) as registry:
        asset = read_input(input_value, set())
        plan = registry.plan(asset, to=to, task=task, model=model)
        if explain or dry_run:
            _table(plan)
        if dry_run:
            return
        result = registry.transform(asset, to=to, task=task, model=model,
                                    on_progress=display.for_call(f"{to}"), **arguments)
    write_result(result, out, force=force)


@click.command("plan")
@job_options
@click.option("--json", "as_json", is_flag=True, help="Print the plan as JSON.")
def plan(input_value: str, to: str, task: str | None, model: str | None, project: Path | None,
         cache_dir: Path | None, offline: bool | None, as_json: bool) -> None:
    """Show how INPUT would become KIND, and what would be passed over, running nothing."""
    with _registry(project, cache_dir, offline, None) as registry:
        found = registry.plan(read_input(input_value, set()), to=to, task=task, model=model)
    echo_json(found.describe()) if as_json else _table(found)


COMMANDS: list[click.Command] = [do, plan]
