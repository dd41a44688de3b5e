"""The checks beyond one value, each giving `Issue`s with a key path and line.

The host version first (`mediaconduit:`), pydantic's errors as issues, the
rules between keys, and the warnings: unknown keys and unknown task names.
Each reads the manifest's data as loaded and the lines of its key paths.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from typing import Any

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import Version
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from mediaconduit._version import __version__
from mediaconduit.manifest.model import EnvVar, Issue, Manifest, StaticModel
from mediaconduit.manifest.rules import clip, describe, dotted
from mediaconduit.manifest.yamlnodes import NodePath, format_path
from mediaconduit.sdk.models import Capability, task_hint

TYPESCRIPT_KEYS = ("main", "exportName")


def _line(lines: Mapping[NodePath, int], path: NodePath) -> int | None:
    """The line of `path`, else of the nearest enclosing value (for a missing key)."""
    for end in range(len(path), -1, -1):
        if path[:end] in lines:
            return lines[path[:end]]
    return None


# --- the host version first -----------------------------------------------------------------

def _wants_newer(spec: SpecifierSet, host: Version) -> bool:
    floors = (s for s in spec if s.operator in (">", ">=", "~=", "=="))
    return any(Version(s.version.removesuffix(".*")) > host for s in floors)


def _host_range(data: dict[str, Any]) -> SpecifierSet | None:
    value = data.get("mediaconduit")
    if not isinstance(value, str):
        return None
    try:
        return SpecifierSet(value)
    except InvalidSpecifier:
        return None  # reported with the other errors


def host_version_issue(data: dict[str, Any], lines: Mapping[NodePath, int]) -> Issue | None:
    """The only error to report when this host is outside the manifest's `mediaconduit` range."""
    spec = _host_range(data)
    if spec is None or spec.contains(__version__, prereleases=True):
        return None
    needs = f"this provider needs mediaconduit {spec}, but this is mediaconduit {__version__}"
    if _wants_newer(spec, Version(__version__)):
        message = f"{needs}: upgrade mediaconduit (pip install --upgrade mediaconduit)"
    else:
        message = f"{needs}: install a matching mediaconduit, or ask the provider to support it"
    return Issue("mediaconduit", message, _line(lines, ("mediaconduit",)))


# --- pydantic errors as issues --------------------------------------------------------------

_EXPECTED = {
    "string_type": "text", "list_type": "a list", "tuple_type": "a list",
    "dict_type": "a mapping of keys to values", "model_type": "a mapping of keys to values",
    "model_attributes_type": "a mapping of keys to values", "bool_type": "true or false",
    "bool_parsing": "true or false", "int_type": "a whole number",
    "int_parsing": "a whole number", "int_from_float": "a whole number",
}

_EXAMPLES = {
    ("", "id"): "my-provider", ("", "name"): "My Provider", ("", "version"): "1.0.0",
    ("", "type"): "remote", ("", "capabilities"): "[text-to-text]",
    ("", "entry"): "my_provider:MyProvider", ("env", "name"): "MY_API_KEY",
    ("models", "id"): "my-model", ("models", "capabilities"): "[text-to-text]",
}


def validate(
    data: dict[str, Any], lines: Mapping[NodePath, int]
) -> tuple[Manifest | None, list[Issue]]:
    try:
        return Manifest.model_validate(data), []
    except ValidationError as error:
        details = error.errors(include_url=False)
        return None, [_issue(detail, data, lines) for detail in details]


def _issue(detail: ErrorDetails, data: dict[str, Any], lines: Mapping[NodePath, int]) -> Issue:
    loc = tuple(detail["loc"])
    return Issue(format_path(loc), _message(detail, loc, data), _line(lines, loc))


def _message(detail: ErrorDetails, loc: NodePath, data: dict[str, Any]) -> str:
    label, kind, ctx = format_path(loc), detail["type"], detail.get("ctx", {})
    if kind == "value_error":
        return str(ctx.get("error", detail["msg"]))
    if kind == "predicate":
        return f"{label} {detail['msg']}"
    if kind == "missing":
        return _missing(loc, data)
    if kind == "literal_error":
        return f"{label} must be {ctx.get('expected')}, not {describe(detail['input'])}"
    if kind in _EXPECTED and detail["input"] is None:
        return f"{label} has no value: write {_EXPECTED[kind]}"
    if kind in _EXPECTED:
        return f"{label} must be {_EXPECTED[kind]}, not {describe(detail['input'])}"
    return f"{label}: {detail['msg'][:1].lower()}{detail['msg'][1:]}"


def _missing(loc: NodePath, data: dict[str, Any]) -> str:
    if loc == ("entry",) and any(key in data for key in TYPESCRIPT_KEYS):
        return _typescript_entry(data)
    context = str(loc[0]) if len(loc) > 1 else ""
    example = _EXAMPLES.get((context, str(loc[-1])))
    required = f"{format_path(loc)} is required"
    return f"{required}: add `{loc[-1]}: {example}`" if example else required


def _typescript_entry(data: dict[str, Any]) -> str:
    module = re.sub(r"\W", "_", str(data.get("id", "")))
    module = module if dotted(module) else "my_provider"
    export = data.get("exportName")
    name = export if isinstance(export, str) and dotted(export) else "MyProvider"
    return (
        "entry is required: main/exportName belong to the TypeScript edition; the Python "
        f"edition loads `entry: {module}:{name}` (module.path:ClassName, the module "
        "importable from the repository root or src/)"
    )


# --- rules between keys ---------------------------------------------------------------------

def _items(data: dict[str, Any], section: str) -> list[tuple[int, dict[str, Any]]]:
    items = data.get(section)
    if not isinstance(items, list):
        return []
    return [(i, item) for i, item in enumerate(items) if isinstance(item, dict)]


def _duplicates(
    data: dict[str, Any], section: str, key: str, lines: Mapping[NodePath, int]
) -> list[Issue]:
    noun = {"models": "model id", "env": "variable"}[section]
    first: dict[str, int] = {}
    issues = []
    for i, item in _items(data, section):
        value = item.get(key)
        if isinstance(value, str) and value in first:
            message = (f"{noun} {clip(value)} is already listed at {section}[{first[value]}]; "
                       f"list each {noun} once: rename or remove one")
            issues.append(Issue(f"{section}[{i}].{key}", message, _line(lines, (section, i, key))))
        if isinstance(value, str):
            first.setdefault(value, i)
    return issues


def _parsed(value: object) -> Capability | None:
    try:
        return Capability(value)
    except (ValueError, TypeError):
        return None


def _declared(data: dict[str, Any]) -> set[Capability] | None:
    names = data.get("capabilities")
    if not isinstance(names, list):
        return None
    parsed = [_parsed(name) for name in names]
    return None if None in parsed else {c for c in parsed if c is not None}


def _undeclared_in(
    i: int, model: dict[str, Any], declared: set[Capability], lines: Mapping[NodePath, int]
) -> list[Issue]:
    names = model.get("capabilities")
    issues = []
    for j, name in enumerate(names if isinstance(names, list) else []):
        capability = _parsed(name)
        if capability is not None and capability not in declared:
            path = ("models", i, "capabilities", j)
            message = (f"{capability.value!r} is not among the provider's capabilities; "
                       "add it to the top-level capabilities or remove it from this model")
            issues.append(Issue(format_path(path), message, _line(lines, path)))
    return issues


def _undeclared(data: dict[str, Any], lines: Mapping[NodePath, int]) -> list[Issue]:
    declared = _declared(data)
    if declared is None:
        return []
    return [issue for i, model in _items(data, "models")
            for issue in _undeclared_in(i, model, declared, lines)]


def cross_checks(data: dict[str, Any], lines: Mapping[NodePath, int]) -> list[Issue]:
    return [
        *_duplicates(data, "models", "id", lines),
        *_duplicates(data, "env", "name", lines),
        *_undeclared(data, lines),
    ]


# --- unknown keys ---------------------------------------------------------------------------

def _unknown_message(key: str, known: list[str]) -> str:
    if key in TYPESCRIPT_KEYS:
        return (f"{key!r} belongs to the TypeScript edition's manifest and is ignored; "
                "the Python edition loads `entry: module.path:ClassName`")
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.75)
    hint = f"did you mean {close[0]!r}?" if close else "remove it, or see `mediaconduit schema`"
    return f"unknown key {clip(key)}: manifest v1 does not read it; {hint}"


def _unknown_in(
    mapping: dict[str, Any], path: NodePath, model: type[BaseModel],
    lines: Mapping[NodePath, int],
) -> list[Issue]:
    known = list(model.model_fields)
    return [
        Issue(format_path((*path, key)), _unknown_message(key, known), _line(lines, (*path, key)))
        for key in mapping
        if key not in known
    ]


def unknown_keys(data: dict[str, Any], lines: Mapping[NodePath, int]) -> list[Issue]:
    issues = _unknown_in(data, (), Manifest, lines)
    for section, model in (("env", EnvVar), ("models", StaticModel)):
        for i, item in _items(data, section):
            issues += _unknown_in(item, (section, i), model, lines)
    return issues


# --- unknown task names ---------------------------------------------------------------------

def unknown_tasks(data: dict[str, Any], lines: Mapping[NodePath, int]) -> list[Issue]:
    """A warning for each task name of a static model that is not in the vocabulary."""
    issues = []
    for i, model in _items(data, "models"):
        tasks = model.get("tasks")
        for j, name in enumerate(tasks if isinstance(tasks, list) else []):
            hint = task_hint(name) if isinstance(name, str) else None
            if hint is not None:
                path = ("models", i, "tasks", j)
                issues.append(Issue(format_path(path), hint, _line(lines, path)))
    return issues
