"""Repository checks beyond the manifest, and the reports of `mediaconduit validate`.

A repository passes when its manifest does, its `entry` module is a file under
the repository root or `src/`, and its dependencies are listed in one place:
`[project].dependencies` of `pyproject.toml` when the repository has a
`[project]` table, else the manifest's `dependencies`.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement

from mediaconduit.errors import ManifestError
from mediaconduit.manifest import (
    MANIFEST_NAME,
    Issue,
    Manifest,
    ManifestReport,
    check_manifest_file,
    make_report,
)

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
    report = check_manifest_file(path)
    errors = list(report.errors)
    if report.manifest is not None:
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


# --- formats --------------------------------------------------------------------------------

def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _located(issue: Issue) -> str:
    """`loc: message`, unless the message already begins with its key path."""
    if not issue.loc or issue.message.startswith(f"{issue.loc} "):
        return issue.message
    return f"{issue.loc}: {issue.message}"


def _text_line(path: Path, severity: str, issue: Issue) -> str:
    where = f"{path}:{issue.line}" if issue.line is not None else str(path)
    return f"{where}: {severity}: {_located(issue)}"


def summary(reports: Sequence[ManifestReport]) -> str:
    valid = sum(report.ok for report in reports)
    errors = sum(len(report.errors) for report in reports)
    warnings = sum(len(report.warnings) for report in reports)
    return (f"checked {_plural(len(reports), 'manifest')}: {valid} valid, "
            f"{len(reports) - valid} invalid ({_plural(errors, 'error')}, "
            f"{_plural(warnings, 'warning')})")


def format_text(reports: Sequence[ManifestReport]) -> str:
    """`path:line: error: loc: message` lines for people, then a summary."""
    lines = [
        _text_line(report.path, severity, issue)
        for report in reports
        for severity, issues in (("error", report.errors), ("warning", report.warnings))
        for issue in issues
    ]
    return "\n".join([*lines, summary(reports)])


def _issue_data(issue: Issue) -> dict[str, Any]:
    return {"loc": issue.loc, "line": issue.line, "message": issue.message}


def format_json(reports: Sequence[ManifestReport]) -> str:
    """`{"files": [{"path", "valid", "errors": [...], "warnings": [...]}]}`."""
    files = [
        {"path": str(report.path), "valid": report.ok,
         "errors": [_issue_data(issue) for issue in report.errors],
         "warnings": [_issue_data(issue) for issue in report.warnings]}
        for report in reports
    ]
    return json.dumps({"files": files}, indent=2)


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _annotation(path: Path, severity: str, issue: Issue) -> str:
    properties = f"file={_escape_property(str(path))}"
    if issue.line is not None:
        properties += f",line={issue.line}"
    return f"::{severity} {properties}::{_escape_data(_located(issue))}"


def format_github(reports: Sequence[ManifestReport]) -> str:
    """GitHub Actions workflow commands: `::error file=PATH,line=N::MESSAGE`."""
    return "\n".join(
        _annotation(report.path, severity, issue)
        for report in reports
        for severity, issues in (("error", report.errors), ("warning", report.warnings))
        for issue in issues
    )


FORMATTERS = {"text": format_text, "json": format_json, "github": format_github}
