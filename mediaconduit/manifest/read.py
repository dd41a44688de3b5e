"""Reading a manifest v1 (`MediaConduit.provider.yml`) and checking it.

`check_manifest_text` / `check_manifest_file` never raise for a bad file:
they return a `ManifestReport` whose issues each carry a key path (`loc`,
`models[1].pricing.request`; `""` is the whole document), the line where
known, and a message that says how to fix it. `load_manifest` raises a
`ManifestError` instead, for the loader.

Order of the checks: safe YAML loading (see `yamlnodes`), then the host
version range (`mediaconduit:`) on its own, so a manifest written for a newer
host says "upgrade mediaconduit" rather than listing keys it cannot know,
then the pydantic model, then the rules between keys.

Decisions where the design is silent:

- Keys that hold text (`id`, `name`, `version`, `entry`, `python`, prices, ...)
  take a YAML number or boolean as written: `version: 1.0` is "1.0", not 1.
- A static model's `name` is optional (it defaults to the id, as in
  `ModelInfo`); `id` and `capabilities` are required. Prices are 0 or more.
- Two env entries with the same name are an error, like two model ids.
- Unknown keys (top level, `models[i]`, `env[i]`) are warnings; `strict` turns
  every warning into an error. Issues are listed in line order.
- Unknown task names (`models[i].tasks[j]`) are warnings too, naming the
  closest known task; names starting `x-` are the author's own.
- A report with errors carries no manifest.

This module reads the file and runs the checks, in that order; what one value
must look like and the field types are in `rules`, the model and the report in
`model`, the checks between keys and the warnings in `checks`.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mediaconduit.errors import ManifestError
from mediaconduit.manifest import yamlnodes
from mediaconduit.manifest.checks import (
    cross_checks,
    host_version_issue,
    unknown_keys,
    unknown_tasks,
    validate,
)
from mediaconduit.manifest.model import Issue, Manifest, ManifestReport, format_issue, make_report
from mediaconduit.manifest.rules import describe
from mediaconduit.manifest.yamlnodes import NodePath, format_path

MANIFEST_NAME = "MediaConduit.provider.yml"


# --- reading and checking -------------------------------------------------------------------

def manifest_path(repo_or_file: Path) -> Path:
    return repo_or_file / MANIFEST_NAME if repo_or_file.is_dir() else repo_or_file


def load_manifest(repo_or_file: Path) -> Manifest:
    """The manifest of a repo (or a manifest file); a `ManifestError` lists every error."""
    path = manifest_path(repo_or_file)
    report = check_manifest_file(path)
    if report.manifest is None:
        problems = "\n".join(format_issue(path, issue) for issue in report.errors)
        raise ManifestError(f"{path} is not a valid provider manifest:\n{problems}")
    return report.manifest


def _read(path: Path) -> bytes:
    """At most one byte more than a manifest may have; never opens a folder, FIFO or device."""
    if path.is_dir():
        raise OSError(f"{path} is a folder, not a manifest file")
    if path.exists() and not path.is_file():
        raise OSError(f"{path} is not a regular file")
    with path.open("rb") as file:
        return file.read(yamlnodes.MAX_BYTES + 1)


def check_manifest_file(path: Path, *, strict: bool = False) -> ManifestReport:
    """Check a manifest file; unreadable, oversized or non-UTF-8 files are errors too."""
    try:
        text = yamlnodes.decode(_read(path))
    except OSError as error:
        message = f"cannot read the manifest: {error.strerror or error}"
        return make_report(path, None, [Issue("", message)], [])
    except yamlnodes.YamlError as error:
        return make_report(path, None, [Issue("", error.message, error.line)], [])
    return check_manifest_text(text, path, strict=strict)


def check_manifest_text(text: str, path: Path, *, strict: bool = False) -> ManifestReport:
    """Check manifest text; `path` is only used to name the file in the report."""
    try:
        document = yamlnodes.load(text)
    except yamlnodes.YamlError as error:
        issue = Issue(format_path(error.path), error.message, error.line)
        return make_report(path, None, [issue], [])
    return _check_document(document, path, strict=strict)


def _check_document(
    document: yamlnodes.Document, path: Path, *, strict: bool
) -> ManifestReport:
    lines = {format_path(key): line for key, line in document.lines.items()}
    data = document.data
    if not isinstance(data, dict):
        return make_report(path, None, [_not_a_mapping(data, lines)], [], lines=lines)
    data = _prefer_source_text(data, document.texts)
    host = host_version_issue(data, document.lines)
    if host is not None:
        return make_report(path, None, [host], [], lines=lines)
    manifest, errors = validate(data, document.lines)
    errors += [Issue(format_path(i.path), i.message, i.line) for i in document.issues]
    errors += cross_checks(data, document.lines)
    warnings = unknown_keys(data, document.lines) + unknown_tasks(data, document.lines)
    return make_report(path, manifest, errors, warnings, strict=strict, lines=lines)


def _not_a_mapping(data: object, lines: Mapping[str, int]) -> Issue:
    if data is None:
        message = ("the manifest is empty: write at least id, name, version, type, "
                   "capabilities and entry (`mediaconduit schema` describes every key)")
        return Issue("", message)
    # A file that is no mapping is likely not a manifest at all (a link to /etc/passwd, a
    # key file): name what it holds, never echo it.
    kind = "text" if isinstance(data, str) else describe(data)
    message = (f"the manifest must be a mapping of keys to values (id: ..., name: ...), "
               f"not {kind}")
    return Issue("", message, lines.get(""))


_TEXT_PATHS: tuple[tuple[str, ...], ...] = (
    ("id",), ("name",), ("version",), ("entry",), ("description",), ("author",),
    ("homepage",), ("license",), ("mediaconduit",), ("python",), ("dependencies", "*"),
    ("env", "*", "description"), ("models", "*", "id"), ("models", "*", "name"),
    ("models", "*", "description"), ("models", "*", "pricing", "*"),
    ("models", "*", "tasks", "*"),
)


def _matches(path: NodePath, pattern: tuple[str, ...]) -> bool:
    if len(path) != len(pattern):
        return False
    return all(wanted in ("*", key) for wanted, key in zip(pattern, path, strict=True))


def _is_text_path(path: NodePath) -> bool:
    return any(_matches(path, pattern) for pattern in _TEXT_PATHS)


def _replace(data: Any, path: NodePath, value: Any) -> Any:
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(data, list) and isinstance(head, int) and head < len(data):
        return [_replace(item, rest, value) if i == head else item for i, item in enumerate(data)]
    if isinstance(data, dict) and head in data:
        return {**data, head: _replace(data[head], rest, value)}
    return data


def _prefer_source_text(data: dict[str, Any], texts: Mapping[NodePath, str]) -> dict[str, Any]:
    """Text keys take numbers and booleans as written: `version: 1.0` is "1.0"."""
    for path, text in texts.items():
        if _is_text_path(path):
            data = _replace(data, path, text)
    return data
