"""What the cache holds, whether it is sound, and pruning it: `mediaconduit cache ...`.

- `list_entries`: checkouts and environments, with sizes and the refs that point at them.
- `verify`: every checkout file against the blob id of what git checked out, every
  environment's marker, interpreter and installed files (each package's RECORD:
  every file there, of its recorded size); `repair=True` removes what is damaged
  (the next load rebuilds it).
- `gc`: removes checkouts no remembered ref points at, environments no kept checkout
  needs, leftovers in staging, old logs, and the oldest logs beyond `LOG_BUDGET`.
- `clean`: removes everything.

Removal takes each entry's lock first, so a load in another process is never cut short.
"""

from __future__ import annotations

import contextlib
import csv
import time
from pathlib import Path
from typing import NamedTuple

from mediaconduit import cache, environment, git
from mediaconduit.cache import refs
from mediaconduit.process import CommandError, cmd_output

STAGING_MAX_AGE = 3600.0
LOG_MAX_AGE = 7 * 24 * 3600.0
LOG_BUDGET = 64 * 1024 * 1024  # bytes of worker logs `gc` keeps, newest first


class CheckoutEntry(NamedTuple):
    dirname: str
    commit: str
    path: Path
    size: int
    url: str
    refs: list[str]
    env_key: str | None


class EnvEntry(NamedTuple):
    key: str
    path: Path
    size: int
    complete: bool
    dependencies: list[str]


class Problem(NamedTuple):
    path: Path
    message: str


def checkouts(layout: cache.Layout) -> list[CheckoutEntry]:
    entries = []
    for repo_dir in sorted(_children(layout.root / "providers")):
        info = refs.refs_file(layout, repo_dir.name)
        known = info.get("refs", {})
        for path in sorted(_children(repo_dir)):
            found = git.read_checkout(layout, repo_dir.name, path.name)
            entries.append(CheckoutEntry(
                repo_dir.name, path.name, path, cache.dir_size(path), info.get("display", ""),
                sorted(ref for ref, commit in known.items() if commit == path.name),
                environment.environment_key(found.dependencies) if found else None))
    return entries


def environments(layout: cache.Layout) -> list[EnvEntry]:
    entries = []
    for path in sorted(_children(layout.root / "envs")):
        marker = cache.read_json(path / environment.MARKER) or {}
        entries.append(EnvEntry(path.name, path, cache.dir_size(path),
                                environment.is_complete(path), marker.get("dependencies", [])))
    return entries


def _children(folder: Path) -> list[Path]:
    try:
        return [p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")]
    except OSError:
        return []


# --- verify ---------------------------------------------------------------


def verify(layout: cache.Layout, *, repair: bool = False) -> list[Problem]:
    """Every problem found; with `repair`, damaged entries are removed as well."""
    problems = [*_verify_checkouts(layout), *_verify_envs(layout)]
    if repair:
        for problem in problems:
            _remove_locked(layout, problem.path)
    return problems


def _verify_checkouts(layout: cache.Layout) -> list[Problem]:
    problems = []
    for repo_dir in _children(layout.root / "providers"):
        for path in _children(repo_dir):
            message = _checkout_problem(path)
            if message:
                problems.append(Problem(path, message))
    return problems


def _checkout_problem(path: Path) -> str | None:
    marker = cache.read_json(path / refs.MARKER)
    if not isinstance(marker, dict):
        return "no completion marker (an interrupted load?)"
    for name, sha in marker.get("files", {}).items():
        if git.checked_out_sha(path / name) != sha:
            return f"{name} is missing or changed since checkout"
    return None


def _verify_envs(layout: cache.Layout) -> list[Problem]:
    problems = []
    for entry in environments(layout):
        if not entry.complete:
            problems.append(Problem(entry.path, "incomplete, or its base interpreter changed"))
        elif not _runs(entry.path):
            problems.append(Problem(entry.path, "its interpreter does not run"))
        elif (damage := installed_files_problem(entry.path)) is not None:
            problems.append(Problem(entry.path, damage))
    return problems


def installed_files_problem(env: Path) -> str | None:
    """The first file an installed package's RECORD lists that is missing or of another
    size (a size, not a hash: verifying must not read every byte of a large environment)."""
    records = [*env.glob("lib*/python*/site-packages/*.dist-info/RECORD"),
               *env.glob("Lib/site-packages/*.dist-info/RECORD")]
    for record in sorted(records):
        site = record.parent.parent
        try:
            rows = list(csv.reader(record.read_text(encoding="utf-8").splitlines()))
        except (OSError, UnicodeDecodeError, csv.Error):
            return f"{record.relative_to(env)} cannot be read"
        for row in rows:
            problem = _record_row_problem(site, row)
            if problem is not None:
                return f"{problem} (listed in {record.parent.name}/RECORD)"
    return None


def _record_row_problem(site: Path, row: list[str]) -> str | None:
    if len(row) < 3 or not row[1] or not row[2].isdigit():
        return None  # the RECORD itself, bytecode: listed without a hash or size
    try:
        size = (site / row[0]).stat().st_size
    except OSError:
        return f"{row[0]} is missing"
    return None if size == int(row[2]) else f"{row[0]} has changed"


def _runs(path: Path) -> bool:
    try:
        cmd_output(environment.venv_python(path), "-I", "-c", "pass", timeout=60)
    except CommandError:
        return False
    return True


# --- gc and clean -----------------------------------------------------------


def gc(layout: cache.Layout, *, dry_run: bool = False) -> list[Path]:
    """Remove what nothing points at; returns what was (or would be) removed."""
    entries = checkouts(layout)
    doomed = [e.path for e in entries if not e.refs]
    needed = {e.env_key for e in entries if e.refs}
    doomed += [e.path for e in environments(layout) if e.key not in needed]
    doomed += _old(layout.staging, STAGING_MAX_AGE)
    logs = [p for d in _children(layout.root / "logs") for p in _old(d, LOG_MAX_AGE)]
    doomed += logs + _over_budget(layout.root / "logs", set(logs), LOG_BUDGET)
    if not dry_run:
        for path in doomed:
            _remove_locked(layout, path)
    return doomed


def _over_budget(folder: Path, doomed: set[Path], budget: int) -> list[Path]:
    """The oldest log files once the newest have used up `budget` bytes."""
    stats = []
    for path in folder.glob("*/*"):
        with contextlib.suppress(OSError):
            if path not in doomed and path.is_file():
                st = path.stat()
                stats.append((st.st_mtime, st.st_size, path))
    stats.sort(reverse=True)
    kept, over = 0, []
    for _mtime, size, path in stats:
        kept += size
        if kept > budget:
            over.append(path)
    return over


def _old(folder: Path, max_age: float) -> list[Path]:
    try:
        return [p for p in folder.iterdir() if time.time() - p.stat().st_mtime > max_age]
    except OSError:
        return []


def _remove_locked(layout: cache.Layout, path: Path) -> None:
    lock = _lock_for(layout, path)
    if lock is None:
        _unlink_or_remove(path)
        return
    with cache.locked(lock):
        _unlink_or_remove(path)


def _lock_for(layout: cache.Layout, path: Path) -> Path | None:
    if path.parent.parent == layout.root / "providers":
        return layout.lock(f"repo-{path.parent.name}")
    if path.parent == layout.root / "envs":
        return layout.lock(f"env-{path.name}")
    return None


def _unlink_or_remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        cache.remove(path)
    else:
        path.unlink(missing_ok=True)


#: What `clean` keeps unless told `everything`: the records of what was spent and what
#: runs upstream (removing the ledger would also reset every budget's spending).
RECORDS = ("ledger.sqlite3", "ledger.sqlite3-wal", "ledger.sqlite3-shm", "jobs")


def clean(layout: cache.Layout, *, everything: bool = False) -> int:
    """Remove the cache (but the ledger and job records, unless `everything`); the bytes
    freed."""
    kept = {"locks", *(() if everything else RECORDS)}
    try:
        entries = list(layout.root.iterdir())
    except OSError:
        entries = []
    doomed = [child for child in entries if child.name not in kept]
    size = sum(cache.dir_size(c) if c.is_dir() else c.stat().st_size for c in doomed)
    for child in doomed:
        _unlink_or_remove(child)
    return size
