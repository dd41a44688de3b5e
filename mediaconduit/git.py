"""Resolve and checkout: a ref becomes a full commit, the commit a cached checkout.

Git runs as `git` itself, through the one subprocess helper, with the user's
own configuration (`url.<base>.insteadOf`, credential helpers, proxies), and
never prompts. (GitPython was the first plan; importing it alone took 60 ms,
a tenth of a cold load, for commands that are one line each here.)
The network is touched only when the cache cannot answer: a cached full
commit, or a branch/tag/default branch resolved before, loads offline;
`update=True` re-resolves. What the cache remembers of each repository (the
refs resolved, the checkout marker) is kept by `mediaconduit.cache.refs`.

A server that stalls, or a repository that is too big, stops a load with a clear
error instead of hanging it or filling the disk: git gets low-speed limits
(`http.lowSpeedLimit`/`lowSpeedTime`, unless the user's git config sets them; the
time is `MEDIACONDUIT_GIT_STALL_SECONDS`), every network command an overall deadline
(`MEDIACONDUIT_GIT_TIMEOUT`), and what is fetched and checked out a size limit
(`MEDIACONDUIT_MAX_CHECKOUT_MB`): the fetch is watched as it grows, and the tree is
measured before anything is checked out.
"""

from __future__ import annotations

import hashlib
import importlib
import os
import re
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

from mediaconduit import cache
from mediaconduit._version import __version__
from mediaconduit.cache import refs
from mediaconduit.errors import GitError, OfflineError
from mediaconduit.manifest.facts import ProviderFacts
from mediaconduit.process import CommandError, cmd_output, cmd_progress, redact
from mediaconduit.progress import Progress, ProgressCallback, ignore
from mediaconduit.specifier import Specifier


class Checkout(NamedTuple):
    """A published checkout and what its manifest said: `facts`, or `error` when it was
    invalid (then `facts` is None)."""

    path: Path
    commit: str
    facts: ProviderFacts | None
    dependencies: list[str]
    error: str | None


STALL_SECONDS = 30.0
GIT_TIMEOUT = 900.0
MAX_CHECKOUT_MB = 256.0
LOW_SPEED_BYTES = 1000


def _number(name: str, default: float) -> float:
    """A positive number from the environment variable `name`, else `default`."""
    try:
        value = float(os.environ[name])
    except (KeyError, ValueError):
        return default
    return value if value > 0 else default


def max_checkout_bytes() -> int:
    """The size limit of one checkout (its fetch included): `MEDIACONDUIT_MAX_CHECKOUT_MB`."""
    return int(_number("MEDIACONDUIT_MAX_CHECKOUT_MB", MAX_CHECKOUT_MB) * 1024 * 1024)


def ensure_checkout(
    layout: cache.Layout, spec: Specifier, *, update: bool = False, offline: bool = False,
    progress: ProgressCallback = ignore,
) -> Checkout:
    """The checkout for `spec`, from the cache when it can be, else fetched and published."""
    found = None if update and not spec.is_full_commit else _cached(layout, spec)
    if found is not None:
        return found
    if offline:
        raise OfflineError(
            f"{spec.display}{_at(spec)} is not in the cache and MEDIACONDUIT_OFFLINE=1 forbids "
            "the network: load it once online (mediaconduit add SPEC) or unset the variable"
        )
    with cache.locked(layout.lock(f"repo-{spec.dirname}")):
        found = None if update else _cached(layout, spec)
        return found or _fetch_and_publish(layout, spec, progress)


def _at(spec: Specifier) -> str:
    return f"@{spec.ref}" if spec.ref else ""


def _cached(layout: cache.Layout, spec: Specifier) -> Checkout | None:
    commit = refs.cached_commit(layout, spec)
    return read_checkout(layout, spec.dirname, commit) if commit else None


def read_checkout(layout: cache.Layout, dirname: str, commit: str) -> Checkout | None:
    """The published checkout, or None when it is missing or damaged."""
    path = layout.checkout(dirname, commit)
    marker = refs.read_marker(path)
    if marker is None:
        return None
    if marker.get("host_version") != __version__:
        marker = _write_marker(path, commit, marker["files"], marker.get("tree"),
                               marker.get("stamps"))
    error = marker.get("error")
    try:
        facts = None if error else ProviderFacts.from_dict(marker["facts"])
    except (KeyError, TypeError, ValueError):
        return None
    return Checkout(path, commit, facts, marker["dependencies"], error)


def _write_marker(path: Path, commit: str, files: dict[str, str], tree: str | None = None,
                  stamps: dict[str, list[int]] | None = None) -> dict[str, Any]:
    """Record what the manifest says, as this host reads it (again after an upgrade), the
    commit's tree id, and each file's size and mtime as published (a locked load compares
    them, so an edit in the cache is caught without hashing every file)."""
    from mediaconduit.manifest.repo import read_repo_manifest

    facts, dependencies, error = read_repo_manifest(path)
    marker = {"commit": commit, "host_version": __version__, "files": files, "tree": tree,
              "stamps": stamps if stamps is not None else refs.file_stamps(path, files),
              "facts": facts.to_dict() if facts is not None else {},
              "dependencies": dependencies, "error": error}
    refs.write_marker(path, marker)
    return marker


def _fetch_and_publish(
    layout: cache.Layout, spec: Specifier, progress: ProgressCallback
) -> Checkout:
    with cache.staging_dir(layout, spec.dirname) as stage:
        work = stage / "repo"
        _preload_manifest_reader()
        commit = _clone(work, spec, progress)
        final = layout.checkout(spec.dirname, commit)
        if read_checkout(layout, spec.dirname, commit) is None:
            listing = _sized_listing(work, spec, commit)
            _git("checkout", "--quiet", "--detach", commit, cwd=work)
            _materialize(work, commit, listing)
            cache.remove(final)
            cache.publish(work, final)
    refs.remember(layout, spec, commit)
    found = read_checkout(layout, spec.dirname, commit)
    if found is None:  # unreadable once published: take it back, so no load trusts it
        cache.remove(layout.checkout(spec.dirname, commit))
        raise GitError(f"the checkout of {spec.display} at {commit} vanished while loading")
    return found


def _preload_manifest_reader() -> None:
    """Import what reading the manifest needs (pydantic, YAML, packaging) while git fetches.

    Those imports take about as long as the fetch; in a thread they overlap
    with it, since the fetch is another process. A cached load never comes here.
    """
    threading.Thread(target=importlib.import_module, args=("mediaconduit.manifest.repo",),
                     name="mc-preload", daemon=True).start()


# --- git itself -------------------------------------------------------------


_GIT_ENV = {"GIT_TERMINAL_PROMPT": "0", "GCM_INTERACTIVE": "never"}
_PERCENT = re.compile(r"^(?P<what>[A-Za-z ]+):\s+(?P<pct>\d+)% \((?P<done>\d+)/(?P<total>\d+)\)")


def _git(*args: str | Path, cwd: Path | None = None) -> str:
    """git, through the one subprocess helper, never prompting."""
    return cmd_output("git", *args, cwd=cwd, env={**os.environ, **_GIT_ENV})


def _git_network(spec: Specifier, progress: ProgressCallback, *args: str | Path,
                 cwd: Path | None = None, work: Path | None = None) -> None:
    """A git command that talks to the remote: progress reported, failures explained; it
    stops when the server stalls, at the deadline, or when `work` outgrows the limit."""
    def on_line(line: str) -> None:
        match = _PERCENT.match(line.strip())
        if match:
            progress(Progress("clone", spec.display, float(match["done"]),
                              float(match["total"]), message=match["what"]))

    try:
        cmd_progress("git", *_stall_options(), *args, on_line=on_line, cwd=cwd,
                     env={**os.environ, **_GIT_ENV},
                     timeout=_number("MEDIACONDUIT_GIT_TIMEOUT", GIT_TIMEOUT),
                     watch=_size_watch(work or cwd))
    except CommandError as e:
        raise GitError(_explain(spec, e.output)) from None


def _stall_options() -> list[str]:
    """`-c http.lowSpeedLimit=… -c http.lowSpeedTime=…` for the keys the user's git config
    leaves unset (theirs win, as every other git setting does)."""
    try:
        found = _git("config", "--get-regexp", r"^http\.lowspeed(limit|time)$")
    except CommandError:  # none set (exit 1)
        found = ""
    keys = {line.split()[0].lower() for line in found.splitlines() if line.strip()}
    stall = _number("MEDIACONDUIT_GIT_STALL_SECONDS", STALL_SECONDS)
    wanted = {"http.lowspeedlimit": f"http.lowSpeedLimit={LOW_SPEED_BYTES}",
              "http.lowspeedtime": f"http.lowSpeedTime={max(1, round(stall))}"}
    return [part for key, value in wanted.items() if key not in keys for part in ("-c", value)]


def _size_watch(work: Path | None) -> Callable[[], str | None] | None:
    """A watch that stops a fetch once `work` holds more than the checkout size limit."""
    if work is None:
        return None
    limit = max_checkout_bytes()

    def watch() -> str | None:
        size = cache.dir_size(work)
        return _too_big(size, limit) if size > limit else None

    return watch


def _too_big(size: int, limit: int) -> str:
    return (f"stopped: the repository is too big ({size / 1048576:.0f} MiB, more than "
            f"MEDIACONDUIT_MAX_CHECKOUT_MB={limit / 1048576:g}); raise the limit to load it")


def _clone(work: Path, spec: Specifier, progress: ProgressCallback) -> str:
    """Check out the one commit `spec` names into `work`; returns the commit.

    A branch, a tag or the default branch is one shallow `git clone`; a commit is
    fetched by id (shallow where the server allows, else everything).
    """
    progress(Progress("clone", spec.display))
    if spec.is_full_commit or spec.is_short_commit:
        commit = _fetch_commit(work, spec, progress)
    else:
        branch = ["--branch", spec.ref] if spec.ref else []
        _git_network(spec, progress, "clone", "--progress", "--depth", "1", "--no-checkout",
                     "--no-tags", *branch, "--", spec.url, work, work=work)
        commit = _rev_parse(work, "HEAD")
    progress(Progress("clone", spec.display, 1, 1, finished=True, message=commit[:12]))
    return commit


def _fetch_commit(work: Path, spec: Specifier, progress: ProgressCallback) -> str:
    _git("init", "--quiet", work)
    fetch = ("fetch", "--progress", "--no-tags", spec.url)
    try:
        _git_network(spec, progress, *fetch[:-1], "--depth", "1", spec.url, str(spec.ref),
                     cwd=work)
        commit = _rev_parse(work, "FETCH_HEAD")
    except GitError as e:
        if "stopped:" in str(e):  # too big or too slow: asking for more will not help
            raise
        _git_network(spec, progress, *fetch, "+refs/heads/*:refs/remotes/origin/*",
                     "+refs/tags/*:refs/tags/*", cwd=work)
        commit = _rev_parse(work, str(spec.ref))
    return commit


def _rev_parse(work: Path, name: str) -> str:
    try:
        return _git("rev-parse", "--verify", "--end-of-options", f"{name}^{{commit}}",
                    cwd=work).strip()
    except CommandError:
        raise GitError(f"{name!r} does not name a commit of this repository") from None


def _explain(spec: Specifier, stderr: str) -> str:
    text = redact(stderr).replace("stderr: ", "").strip().strip("'").strip()
    where = f"{spec.display}{_at(spec)}"
    if re.search(r"Remote branch .* not found|couldn't find remote ref|not our ref|"
                 r"unadvertised object", text):
        return f"could not fetch {where}: no branch, tag or commit {spec.ref!r} in the repository"
    stopped = re.search(r"^stopped: (.*)$", text, re.MULTILINE)
    if stopped:
        return f"could not fetch {where} from {redact(spec.url)}: {stopped[1]}"
    if re.search(r"Operation too slow|Operation timed out|low speed", text, re.IGNORECASE):
        stall = _number("MEDIACONDUIT_GIT_STALL_SECONDS", STALL_SECONDS)
        return (f"could not fetch {where}: the server at {redact(spec.url)} stalled (no data "
                f"for {stall:g} s; MEDIACONDUIT_GIT_STALL_SECONDS sets how long to wait)")
    if re.search(r"not found|could not read Username|Authentication failed|403", text):
        return (f"could not fetch {where}: the repository was not found (if it is private, "
                f"set up git credentials for it)\n  git said: {_last_line(text)}")
    if re.search(r"Could not resolve host|Failed to connect|timed out|Connection refused", text):
        return (f"could not fetch {where}: the network did not answer ({_last_line(text)}); "
                "what is cached loads without it, with MEDIACONDUIT_OFFLINE=1")
    return f"could not fetch {where}: {_last_line(text)}"


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else "git failed without saying why"


def _sized_listing(work: Path, spec: Specifier, commit: str) -> list[tuple[str, str]]:
    """The files of `commit` (name, blob id), refused before any is checked out when
    together they pass the size limit."""
    try:
        listing = _parse_ls_tree(_git("ls-tree", "-r", "-l", "-z", "--full-tree", commit,
                                      cwd=work))
    except UnicodeDecodeError:
        raise GitError(f"could not load {spec.display}{_at(spec)}: a file name in it is not "
                       "UTF-8") from None
    size, limit = sum(entry[2] for entry in listing), max_checkout_bytes()
    if size > limit:
        raise GitError(f"could not load {spec.display}{_at(spec)}: "
                       f"{_too_big(size, limit).removeprefix('stopped: ')}")
    return [(name, sha) for name, sha, _size in listing]


def _materialize(work: Path, commit: str, listing: list[tuple[str, str]]) -> None:
    """Record the files of the checked-out `commit`, drop `.git`, write the marker last.

    Each file is recorded by the blob id of what git wrote, which differs from the
    commit's blob where git converts line ends (`.gitattributes eol=crlf`, autocrlf)."""
    files = {name: checked_out_sha(work / name) or sha for name, sha in listing}
    tree = _git("rev-parse", "--verify", f"{commit}^{{tree}}", cwd=work).strip()
    cache.remove(work / ".git")
    _write_marker(work, commit, files, tree)


def checked_out_sha(path: Path) -> str | None:
    """The git blob id of a file as it is on disk (of a link: its target text)."""
    try:
        data = os.readlink(path).encode() if path.is_symlink() else path.read_bytes()
    except OSError:
        return None
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


def _parse_ls_tree(listing: str) -> list[tuple[str, str, int]]:
    """`ls-tree -r -l -z` output as (name, blob id, size); names are never quoted with -z."""
    entries = []
    for record in listing.split("\0"):
        meta, _, name = record.partition("\t")
        parts = meta.split()
        if len(parts) == 4 and parts[1] == "blob":
            entries.append((name, parts[2], int(parts[3]) if parts[3].isdigit() else 0))
    return entries

