"""The reports of `mediaconduit validate`: text for people, JSON for scripts, GitHub
Actions annotations for CI. Each formats a list of `ManifestReport`s.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from mediaconduit.manifest.model import Issue, ManifestReport


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
