"""A provider repository: its checks beyond the manifest, and what the host reads from it.

A repository passes when its manifest does, its `entry` module is a file under
the repository root or `src/`, and its dependencies are listed in one place:
`[project].dependencies` of `pyproject.toml` when the repository has a
`[project]` table, else the manifest's `dependencies`.

`read_repo_manifest` is what a load reads: the manifest's facts and the
dependencies to install, or the error that stops the load.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple

from packaging.requirements import InvalidRequirement, Requirement

from mediaconduit.errors import ManifestError
from mediaconduit.manifest.facts import ProviderFacts
from mediaconduit.manifest.model import Issue, Manifest, ManifestReport, make_report
from mediaconduit.manifest.read import MANIFEST_NAME, check_manifest_file, load_manifest
from mediaconduit.sdk.errors import MediaConduitError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]

PYPROJECT = "pyproject.toml"


# --- the entry module -----------------------------------------------------------------------

def find_module(repo: Path, module: str) -> Path | None:
    """The file of `module` (`a.b` -> `a/b.py` or `a/b/__init__.py`) under `repo` or `repo/src`."""
    relative = Path(*module.split("."))
    for base in (repo, repo / "src"):
        for candidate in (base / relative.with_suffix(".py"), base / relative / "__init__.py"):
            if candidate.is_file():
                return candidate
    return None


def outside(repo: Path, path: Path) -> bool:
    """Does `path` (links followed) lie outside the repository `repo`?"""
    try:
        return not path.resolve().is_relative_to(repo.resolve())
    except (OSError, RuntimeError):  # a loop of links
        return True


def escapes(repo: Path, entry: str | None = None) -> str | None:
    """The first of the manifest, `src/` and the entry module that is a link out of `repo`."""
    module = find_module(repo, entry.partition(":")[0]) if entry else None
    for path in (repo / MANIFEST_NAME, repo / "src", module):
        if path is not None and (path.exists() or path.is_symlink()) and outside(repo, path):
            name = path.relative_to(repo).as_posix()
            return (f"{name} is a link to a place outside the repository; a provider "
                    "repository must hold its own files (refused)")
    return None


def stdlib_shadows(repo: Path) -> list[str]:
    """Modules at the repository root or in src/ named like the standard library's."""
    found = []
    for base in (repo, repo / "src"):
        for path in sorted(base.glob("*")):
            name = path.stem if path.suffix == ".py" else path.name
            is_module = path.suffix == ".py" or (path / "__init__.py").is_file()
            if is_module and name in sys.stdlib_module_names and name != "__init__":
                found.append(path.relative_to(repo).as_posix())
    return found


def _shadow_issues(repo: Path) -> list[Issue]:
    return [Issue("", f"{name} has the name of a standard-library module: the worker imports "
                      f"Python's own {Path(name).stem}, never this file, and an import of it "
                      "gets the wrong module; rename it")
            for name in stdlib_shadows(repo)]


def _entry_issues(repo: Path, manifest: Manifest, lines: Mapping[str, int]) -> list[Issue]:
    module = manifest.entry.partition(":")[0]
    if find_module(repo, module) is not None:
        return []
    relative = module.replace(".", "/")
    message = (f"module {module!r} is not in the repository: create {relative}.py or "
               f"{relative}/__init__.py at the repository root or under src/")
    return [Issue("entry", message, lines.get("entry"))]


# --- dependencies ---------------------------------------------------------------------------

def _project_table(repo: Path) -> dict[str, Any] | None:
    """`[project]` of the repo's pyproject.toml, or None when there is none."""
    path = repo / PYPROJECT
    if not path.is_file():
        return None
    try:
        data: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise ManifestError(f"{PYPROJECT} cannot be read: {error}") from None
    project = data.get("project")
    return project if isinstance(project, dict) else None


def _pyproject_problems(project: dict[str, Any]) -> list[str]:
    if "dependencies" in (project.get("dynamic") or []):
        return [f"{PYPROJECT} declares its dependencies dynamic, but MediaConduit does not "
                "build provider repositories: list them in [project].dependencies"]
    requirements = project.get("dependencies", [])
    if not isinstance(requirements, list):
        return [f"{PYPROJECT}: [project].dependencies must be a list of requirements"]
    problems = (_bad_requirement(i, item) for i, item in enumerate(requirements))
    return [problem for problem in problems if problem]


def _bad_requirement(index: int, item: object) -> str:
    where = f"{PYPROJECT}: [project].dependencies[{index}]"
    if not isinstance(item, str):
        return f"{where} must be a requirement string such as 'httpx>=0.27'"
    try:
        Requirement(item)
    except InvalidRequirement:
        return f"{where} {item!r} is not a valid requirement (PEP 508), such as 'httpx>=0.27'"
    return ""


def _both_places(manifest: Manifest) -> str:
    if not manifest.dependencies:
        return ""
    return (f"dependencies are listed both here and in {PYPROJECT}: keep them in "
            f"{PYPROJECT} ([project].dependencies) and remove `dependencies` from the manifest")


def _dependency_issues(repo: Path, manifest: Manifest, lines: Mapping[str, int]) -> list[Issue]:
    try:
        project = _project_table(repo)
    except ManifestError as error:
        return [Issue("", str(error))]
    if project is None:
        return []
    both = _both_places(manifest)
    issues = [Issue("dependencies", both, lines.get("dependencies"))] if both else []
    return issues + [Issue("", problem) for problem in _pyproject_problems(project)]


def repo_dependencies(repo: Path, manifest: Manifest) -> list[str]:
    """The requirements to install: pyproject's `[project].dependencies`, else the manifest's.

    Raises `ManifestError` when they are listed in both places or cannot be read.
    """
    project = _project_table(repo)
    if project is None:
        return list(manifest.dependencies)
    problems = [*filter(None, [_both_places(manifest)]), *_pyproject_problems(project)]
    if problems:
        raise ManifestError(f"{repo}: " + "; ".join(problems))
    return list(project.get("dependencies", []))


# --- checking paths -------------------------------------------------------------------------

def check_repo(repo: Path, *, strict: bool = False) -> ManifestReport:
    """Check a provider repository: its manifest, entry module and dependency list."""
    path = repo / MANIFEST_NAME
    if not path.exists():
        message = (f"no {MANIFEST_NAME} in this folder: a provider repository needs one at its "
                   "root (`mediaconduit schema` describes it)")
        return make_report(path, None, [Issue("", message)], [])
    escape = escapes(repo)
    if escape is not None:
        return make_report(path, None, [Issue("", escape)], [])
    report = check_manifest_file(path)
    errors = list(report.errors) + _shadow_issues(repo)
    if report.manifest is not None:
        escape = escapes(repo, report.manifest.entry)
        errors += [Issue("entry", escape, report.lines.get("entry"))] if escape else []
        errors += _entry_issues(repo, report.manifest, report.lines)
        errors += _dependency_issues(repo, report.manifest, report.lines)
    return make_report(path, report.manifest, errors, list(report.warnings),
                       strict=strict, lines=report.lines)


def check_path(path: Path, *, strict: bool = False) -> ManifestReport:
    """A folder is a repository; a file named `MediaConduit.provider.yml` is its repository's
    manifest (the repository is checked too); any other file is checked as a manifest alone."""
    if path.is_dir():
        return check_repo(path, strict=strict)
    if path.name == MANIFEST_NAME and path.is_file():
        return check_repo(path.parent, strict=strict)
    return check_manifest_file(path, strict=strict)


def check_paths(paths: list[Path], *, strict: bool) -> list[ManifestReport]:
    return [check_path(path, strict=strict) for path in paths]


# --- what a load reads ----------------------------------------------------------------------

class RepoManifest(NamedTuple):
    """What a load reads from a repository: `facts` is None exactly when `error` is set."""

    facts: ProviderFacts | None
    dependencies: list[str]
    error: str | None


def read_repo_manifest(repo: Path) -> RepoManifest:
    """The manifest's facts and the dependency list of a repo, or the error that stops it."""
    try:
        escape = escapes(repo)
        if escape is not None:
            raise ManifestError(f"{repo}: {escape}")
        manifest = load_manifest(repo)
        escape = escapes(repo, manifest.entry)
        if escape is not None:
            raise ManifestError(f"{repo}: {escape}")
        return RepoManifest(manifest.facts(), repo_dependencies(repo, manifest), None)
    except MediaConduitError as e:
        return RepoManifest(None, [], str(e))
