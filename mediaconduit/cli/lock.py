"""`mediaconduit lock | sync`: reproducible installs from `mediaconduit.lock`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from mediaconduit.cli.common import cache_options

if TYPE_CHECKING:
    from mediaconduit.lock.lockfile import Lock
    from mediaconduit.registry import ProviderRegistry


def _registry(project: Path | None, cache_dir: Path | None,
              offline: bool | None) -> tuple[ProviderRegistry, Path]:
    from mediaconduit.errors import ProjectError
    from mediaconduit.project import find_project
    from mediaconduit.registry import ProviderRegistry

    path = project or find_project()
    if path is None:
        raise ProjectError("no mediaconduit.yaml here or above: write one (see `mediaconduit "
                           "schema --project`) or pass --project PATH")
    return ProviderRegistry(cache_dir, offline=offline, project=path), Path(path)


def _say(message: str) -> None:
    click.echo(message, err=True)


def _diff(old: str, new: str, path: Path) -> str:
    import difflib

    return "".join(difflib.unified_diff(old.splitlines(True), new.splitlines(True),
                                        f"{path} (on disk)", f"{path} (now)"))


def _commits(lock: Lock | None) -> dict[str, str]:
    return {p.spec: p.commit for p in lock.providers} if lock else {}


@click.command("lock")
@click.argument("specs", nargs=-1)
@click.option("--upgrade", is_flag=True,
              help="Resolve the refs again (all providers, or only the SPECs given).")
@click.option("--python", "pythons", multiple=True, metavar="X.Y",
              help="Pin requirements for this Python version too (repeatable).")
@click.option("--check", is_flag=True, help="Exit 1, with the diff, when the lock is stale.")
@click.option("--project", type=click.Path(path_type=Path), default=None,
              help="The project file (default: mediaconduit.yaml here or above).")
@cache_options
def lock(specs: tuple[str, ...], upgrade: bool, pythons: tuple[str, ...], check: bool,
         project: Path | None, cache_dir: Path | None, offline: bool | None) -> int:
    """Write mediaconduit.lock: exact commits and hashed requirements of every provider."""
    from mediaconduit.lock.lockfile import lock_path, read_lock, render, write_lock
    from mediaconduit.lock.resolve import lock_project

    registry, path = _registry(project, cache_dir, offline)
    target = lock_path(path)
    old = read_lock(target) if target.is_file() else None
    wanted = (set(specs) or True) if upgrade else False
    new = lock_project(registry.layout, registry.project, old, target, upgrade=wanted,
                       pythons=pythons, report=_say)
    before = target.read_text() if target.is_file() else ""
    if check:
        changes = _diff(before, render(new), target)
        click.echo(changes or f"{target} is up to date")
        return 1 if changes else 0
    write_lock(new)
    for spec, commit in _commits(new).items():
        was = _commits(old).get(spec)
        if was and was != commit:
            _say(f"{spec}: {was[:12]} -> {commit[:12]}")
    _say(f"wrote {target} ({len(new.providers)} providers)")
    return 0


@click.command("sync")
@click.option("--locked", "mode", flag_value="locked",
              help="Fail, naming the provider, when the lock no longer matches the project.")
@click.option("--frozen", "mode", flag_value="frozen", help="Use the lock without checking it.")
@click.option("--no-catalogs", is_flag=True, help="Do not prefetch the model lists.")
@click.option("--project", type=click.Path(path_type=Path), default=None,
              help="The project file (default: mediaconduit.yaml here or above).")
@cache_options
def sync(mode: str | None, no_catalogs: bool, project: Path | None, cache_dir: Path | None,
         offline: bool | None) -> int:
    """Make the cache match mediaconduit.lock (checkouts, environments, catalogs)."""
    from mediaconduit.errors import LockError
    from mediaconduit.lock.sync import stale
    from mediaconduit.lock.sync import sync as run_sync

    registry, path = _registry(project, cache_dir, offline)
    lock = registry.lock
    if mode is None and (lock is None or stale(registry.project, lock)):
        _say("no lock yet, or a stale one: locking first (--locked fails instead)")
        return lock_main(path, cache_dir, offline)
    if lock is None:
        raise LockError(f"no mediaconduit.lock beside {path}: run `mediaconduit lock` first")
    with registry:
        run_sync(registry, lock, check=mode != "frozen", catalogs=not no_catalogs, report=_say)
    return 0


def lock_main(path: Path, cache_dir: Path | None, offline: bool | None) -> int:
    """`lock` then `sync --locked`, for a plain `sync` that found the lock stale."""
    from mediaconduit.cli import main

    args = ["--project", str(path), *(["--cache-dir", str(cache_dir)] if cache_dir else []),
            *(["--offline"] if offline else [])]
    return main(["lock", *args]) or main(["sync", "--locked", *args])


COMMANDS: list[click.Command] = [lock, sync]
