"""`mediaconduit lock`: resolve each provider of the project and pin what it installs.

For each provider: the ref resolves to a commit (kept from the old lock unless it
is upgraded), the commit must be reachable from a branch or tag of the repository
(a commit that exists only in a fork, served through the parent's pull refs, is
refused: the "impostor commit"), and its dependencies are compiled with hashes by
`uv pip compile --generate-hashes` for each Python version asked for.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Collection
from pathlib import Path

from mediaconduit import cache
from mediaconduit.errors import LockError
from mediaconduit.lock.lockfile import Lock, LockedProvider, running_python
from mediaconduit.lock.verify import manifest_sha256
from mediaconduit.process import CommandError
from mediaconduit.project.settings import Project, ProjectProvider
from mediaconduit.specifier import Specifier, parse_specifier

Report = Callable[[str], None]


def lock_project(layout: cache.Layout, project: Project, old: Lock | None, lock_file: Path, *,
                 upgrade: bool | Collection[str] = False, pythons: Collection[str] = (),
                 report: Report = lambda _: None) -> Lock:
    """The new lock for `project`; `upgrade` True (all) or the specs to re-resolve."""
    versions = sorted({running_python(), *pythons})
    entries = []
    for entry in project.providers:
        spec = _specifier(project, entry)
        if spec.kind == "local" and not Path(spec.url, ".git").exists():
            raise LockError(f"{entry.spec} is a plain folder (dev mode): a lock needs a git "
                            "repository or URL")
        previous = old.find(spec.key) if old else None
        fresh = upgrade is True or (upgrade and entry.spec in upgrade)
        kept = previous if previous and not fresh and _same_request(previous, entry, spec) else None
        entries.append(_locked(layout, entry, spec, kept, (versions, report)))
    return Lock(lock_file, tuple(entries))


def _specifier(project: Project, entry: ProjectProvider) -> Specifier:
    from mediaconduit.routing.router import _relative_to

    return parse_specifier(_relative_to(entry.spec, project.root), entry.ref)


def _same_request(previous: LockedProvider, entry: ProjectProvider, spec: Specifier) -> bool:
    return previous.spec == entry.spec and previous.ref == spec.ref


def _locked(layout: cache.Layout, entry: ProjectProvider, spec: Specifier,
            kept: LockedProvider | None, how: tuple[list[str], Report]) -> LockedProvider:
    from mediaconduit import git

    versions, report = how
    target = spec._replace(ref=kept.commit) if kept else spec
    checkout = git.ensure_checkout(layout, target, update=kept is None)
    if checkout.facts is None:
        raise LockError(f"{entry.spec} at {checkout.commit[:12]}: {checkout.error}")
    if kept is None and (spec.is_full_commit or spec.is_short_commit):
        ensure_reachable(spec, checkout.commit)
    marker = cache.refs.read_marker(checkout.path) or {}
    requirements = {v: compile_requirements(checkout.dependencies, v, entry.spec)
                    for v in versions}
    report(f"{entry.spec}: {checkout.commit[:12]}" + ("" if kept else " (resolved)"))
    return LockedProvider(entry.spec, spec.url, spec.key, spec.ref, checkout.commit,
                          str(marker.get("tree")), manifest_sha256(checkout.path), requirements)


def ensure_reachable(spec: Specifier, commit: str) -> None:
    """`commit` must be in the history of a branch or tag of `spec`'s repository."""
    from mediaconduit.git import _git

    with tempfile.TemporaryDirectory(prefix="mc-reach-") as work:
        _git("init", "--quiet", "--bare", work)
        try:
            _git("fetch", "--quiet", "--no-tags", "--filter=blob:none", spec.url,
                 "+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*", cwd=Path(work))
            found = _git("for-each-ref", "--contains", commit, "refs/heads", "refs/tags",
                         cwd=Path(work)).strip()
        except CommandError:
            found = ""
    if not found:
        raise LockError(
            f"{spec.display}@{spec.ref}: commit {commit[:12]} is on no branch or tag of the "
            "repository (a commit from a fork, served through the parent's pull refs?). "
            "It is refused: lock a branch or tag, or a commit that one of them contains")


def compile_requirements(dependencies: list[str], python: str, label: str) -> str:
    """Every package the environment installs, pinned, with hashes (`uv pip compile`)."""
    from mediaconduit.environment import _uv, host_checked

    installable = host_checked(dependencies, None, label)
    if not installable:
        return ""
    with tempfile.TemporaryDirectory(prefix="mc-lock-") as work:
        source, out = Path(work, "requirements.in"), Path(work, "requirements.txt")
        source.write_text("\n".join(installable) + "\n")
        try:
            _uv("pip", "compile", "--no-config", "--quiet", "--generate-hashes", "--no-header",
                "--no-annotate", "--python-version", python, str(source), "-o", str(out))
        except CommandError as e:
            raise LockError(f"could not pin the requirements of {label} for Python {python}:"
                            f"\n{e.output}") from None
        return out.read_text()
