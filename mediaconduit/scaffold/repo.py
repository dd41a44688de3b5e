"""The new repository: rendered beside its target, moved into place, committed once.

The folder is rendered in a staging folder next to the target and moved into
place with one rename, so a failure leaves nothing half-written; a target
that exists must be an empty folder. Then `git init`, `git add -A` and one
commit, with a stand-in identity (and a note) when git has none configured.
"""

from __future__ import annotations

import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

from mediaconduit.process import CommandError, cmd_output
from mediaconduit.scaffold.blueprint import Blueprint, placeholders
from mediaconduit.scaffold.names import ScaffoldError
from mediaconduit.scaffold.render import render_tree, template_dir

STAND_IN_EMAIL = "provider-author@users.noreply.example"


@dataclass(frozen=True)
class Scaffolded:
    """A provider repository made by `scaffold`."""

    path: Path
    blueprint: Blueprint
    files: tuple[Path, ...]
    commit: str | None
    notes: tuple[str, ...] = ()


def check_target(target: Path) -> None:
    """Refuse a target that is a file or a folder with anything in it."""
    if target.is_dir() and any(target.iterdir()):
        raise ScaffoldError(f"{target} is not empty: mediaconduit new never writes over files; "
                            "choose another folder with --dir, or remove it")
    if target.exists() and not target.is_dir():
        raise ScaffoldError(f"{target} exists and is not a folder: choose another with --dir")


def scaffold(target: Path, blueprint: Blueprint, *, git: bool = True) -> Scaffolded:
    """Render the template into `target` (absent or empty) and make it a git repository."""
    target = target.expanduser().absolute()
    check_target(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.parent / f".{target.name}-{uuid.uuid4().hex[:8]}"
    staging.mkdir()  # not mkdtemp: the folder gets the usual permissions (umask)
    try:
        files = render_tree(template_dir(), staging, placeholders(blueprint))
        if target.is_dir():
            target.rmdir()
        staging.rename(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    commit, notes = initial_commit(target, blueprint.author) if git else (None, ())
    return Scaffolded(target, blueprint, tuple(files), commit, notes)


def git_config(repo: Path, key: str) -> str:
    """A git setting as git sees it in `repo`, or "" when unset."""
    try:
        return cmd_output("git", "config", "--get", key, cwd=repo).strip()
    except CommandError:
        return ""


def _identity(repo: Path, author: str) -> tuple[list[str], tuple[str, ...]]:
    """`-c user.name=... -c user.email=...` for what git lacks, and a note saying so."""
    flags: list[str] = []
    if not git_config(repo, "user.name"):
        flags += ["-c", f"user.name={author or 'Provider Author'}"]
    if not git_config(repo, "user.email"):
        flags += ["-c", f"user.email={STAND_IN_EMAIL}"]
    if not flags:
        return [], ()
    note = ("git has no user.name/user.email here, so the first commit uses a stand-in; set "
            "yours (git config --global user.name ...) and run git commit --amend --reset-author")
    return flags, (note,)


def initial_commit(repo: Path, author: str) -> tuple[str | None, tuple[str, ...]]:
    """`git init`, add everything, commit once; the commit, or None and why not."""
    try:
        cmd_output("git", "init", "-q", cwd=repo)
        flags, notes = _identity(repo, author)
        cmd_output("git", "add", "-A", cwd=repo)
        cmd_output("git", *flags, "commit", "-q", "-m", "New MediaConduit provider",
                   cwd=repo)
        return cmd_output("git", "rev-parse", "HEAD", cwd=repo).strip(), notes
    except CommandError as error:
        return None, (f"the files are written, but git failed, so {repo} has no commit yet: "
                      f"{error}",)


def default_author(cwd: Path | None = None) -> str:
    """git's user.name, for the manifest's `author` (empty when unset or git is missing)."""
    return git_config(cwd or Path.cwd(), "user.name")
