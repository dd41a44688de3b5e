"""`mediaconduit cache list | verify | gc | clean` and `mediaconduit update`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from mediaconduit.cli.common import cache_options, echo_json, progress_display

if TYPE_CHECKING:
    from mediaconduit.cache import Layout


def _layout(cache_dir: Path | None) -> Layout:
    from mediaconduit import cache

    return cache.Layout(cache_dir.absolute() if cache_dir else cache.default_root())


def _mib(size: int) -> str:
    return f"{size / 1048576:.1f} MiB"


@click.group("cache")
def cache_group() -> None:
    """Show, check and prune the cache."""


@cache_group.command("list")
@cache_options
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def list_(cache_dir: Path | None, offline: bool | None, as_json: bool) -> None:
    """Checkouts and environments, with their sizes."""
    from mediaconduit.cache import maintenance

    layout = _layout(cache_dir)
    checkouts, envs = maintenance.checkouts(layout), maintenance.environments(layout)
    if as_json:
        echo_json({"root": str(layout.root), "checkouts": [c._asdict() for c in checkouts],
                   "environments": [e._asdict() for e in envs]})
        return
    click.echo(f"cache: {layout.root}")
    for c in checkouts:
        refs = ", ".join(c.refs) or "unreferenced"
        click.echo(f"  provider {c.dirname} {c.commit[:12]}  {_mib(c.size)}  ({refs})")
    for e in envs:
        state = "ok" if e.complete else "INCOMPLETE"
        click.echo(f"  env {e.key}  {_mib(e.size)}  {state}  "
                   f"[{', '.join(e.dependencies) or 'no dependencies'}]")


@cache_group.command()
@cache_options
@click.option("--repair", is_flag=True, help="Remove damaged entries (the next load rebuilds).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def verify(cache_dir: Path | None, offline: bool | None, repair: bool, as_json: bool) -> int:
    """Check every checkout file and environment; exit 1 when something is damaged."""
    from mediaconduit.cache import maintenance

    problems = maintenance.verify(_layout(cache_dir), repair=repair)
    if as_json:
        echo_json({"ok": not problems, "repaired": repair,
                   "problems": [{"path": str(p.path), "message": p.message} for p in problems]})
    else:
        for p in problems:
            click.echo(f"{'removed' if repair else 'damaged'}: {p.path}: {p.message}")
        click.echo("cache ok" if not problems else f"{len(problems)} problem(s)"
                   + ("" if repair else "; run `mediaconduit cache verify --repair`"))
    return 1 if problems and not repair else 0


@cache_group.command()
@cache_options
@click.option("--dry-run", is_flag=True, help="Only say what would be removed.")
def gc(cache_dir: Path | None, offline: bool | None, dry_run: bool) -> None:
    """Remove checkouts no ref points at, unused environments, leftovers and old logs."""
    from mediaconduit.cache import maintenance

    removed = maintenance.gc(_layout(cache_dir), dry_run=dry_run)
    for path in removed:
        click.echo(f"{'would remove' if dry_run else 'removed'} {path}")
    click.echo(f"{len(removed)} entries {'to remove' if dry_run else 'removed'}")


@cache_group.command()
@cache_options
@click.option("--yes", is_flag=True, help="Do not ask.")
@click.option("--all", "everything", is_flag=True,
              help="Also remove the ledger (what was spent; budgets start again) and job records.")
def clean(cache_dir: Path | None, offline: bool | None, yes: bool, everything: bool) -> None:
    """Remove the cache: checkouts, environments, catalogs, outputs, logs.

    The ledger and the job records stay, unless --all.
    """
    from mediaconduit.cache import maintenance

    layout = _layout(cache_dir)
    what = "everything" if everything else "everything but the ledger and job records"
    if not yes:
        click.confirm(f"remove {what} in {layout.root}?", abort=True)
    click.echo(f"freed {_mib(maintenance.clean(layout, everything=everything))}")


@click.command()
@click.argument("specs", nargs=-1)
@cache_options
def update(specs: tuple[str, ...], cache_dir: Path | None, offline: bool | None) -> None:
    """Re-resolve branches and tags (all cached providers, or the SPECs given)."""
    from mediaconduit import git
    from mediaconduit.cache import refs
    from mediaconduit.specifier import parse_specifier

    layout = _layout(cache_dir)
    targets = [parse_specifier(s) for s in specs] or [
        parse_specifier(info["url"], None if ref == refs.HEAD else ref)
        for info in (refs.refs_file(layout, p.stem) for p in sorted(layout.refs_dir.glob("*.json")))
        for ref, commit in info.get("refs", {}).items() if ref != commit]
    display = progress_display()
    with display.shown():
        for spec in targets:
            before = refs.cached_commit(layout, spec)
            after = git.ensure_checkout(layout, spec, update=True, offline=bool(offline),
                                        progress=display).commit
            change = "unchanged" if before == after else f"{(before or 'new')[:12]} ->"
            click.echo(f"{spec.display}{'@' + spec.ref if spec.ref else ''}: {change} "
                       f"{after[:12]}")


COMMANDS: list[click.Command] = [cache_group, update]
