"""Manifest v1: `MediaConduit.provider.yml`, the model and its checks.

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
- A report with errors carries no manifest.
"""

from __future__ import annotations

import copy
import difflib
import keyword
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated, Any, Literal

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    WithJsonSchema,
)
from pydantic_core import ErrorDetails, PydanticCustomError

from mediaconduit import yamlnodes
from mediaconduit._version import __version__
from mediaconduit.errors import ManifestError
from mediaconduit.sdk.models import Capability, capability_hint
from mediaconduit.yamlnodes import NodePath, format_path

MANIFEST_NAME = "MediaConduit.provider.yml"
ID_PATTERN = r"^[a-z0-9][a-z0-9-]*[a-z0-9]$"
ENV_PATTERN = r"^[A-Za-z_][A-Za-z0-9_]*$"
ENTRY_PATTERN = r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*:[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$"
PRICE_PATTERN = r"^\s*[0-9]*\.?[0-9]+([eE][-+]?[0-9]+)?\s*$"
TYPESCRIPT_KEYS = ("main", "exportName")


# --- value rules ----------------------------------------------------------------------------

def _clip(value: object, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 4] + "...'"


def _fix(message: str) -> PydanticCustomError:
    """An error whose message follows the key path: "<loc> must be ..."."""
    return PydanticCustomError("predicate", "{message}", {"message": message})


def _slug(value: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", value.lower()).strip("-")[:64].strip("-")
    return slug if re.fullmatch(ID_PATTERN, slug) else "my-provider"


def _provider_id(value: str) -> str:
    if len(value) <= 64 and re.fullmatch(ID_PATTERN, value):
        return value
    raise _fix(
        "must be lowercase letters, digits and '-', start and end with a letter or digit and "
        f"have 2 to 64 characters, not {_clip(value)}; for example {_slug(value)!r}"
    )


def _non_empty(value: str) -> str:
    if value.strip():
        return value
    raise _fix("must not be empty")


def _version(value: str) -> str:
    try:
        Version(value)
    except InvalidVersion:
        raise _fix(f"must be a version such as 1.0.0 (PEP 440), not {_clip(value)}") from None
    return value


def _dotted(name: str) -> bool:
    return all(part.isidentifier() and not keyword.iskeyword(part) for part in name.split("."))


def _entry_example(value: str) -> str:
    module = re.sub(r"\.py$", "", value.partition(":")[0].strip()).removeprefix("src/")
    module = module.replace("/", ".").removesuffix(".__init__")
    if not _dotted(module):
        return "my_provider:MyProvider"
    words = module.rsplit(".", 1)[-1].split("_")
    return f"{module}:{''.join(word.capitalize() for word in words)}"


def _entry(value: str) -> str:
    module, colon, attribute = value.partition(":")
    if colon and _dotted(module) and _dotted(attribute):
        return value
    raise _fix(
        "must be 'module.path:ClassName', the module importable from the repository root or "
        f"src/ (for example {_entry_example(value)!r}), not {_clip(value)}"
    )


def _specifier(value: str) -> str:
    try:
        SpecifierSet(value)
    except InvalidSpecifier:
        hint = f"'>={value}'" if _is_version(value) else "'>=3.10' or '>=0.1,<1'"
        raise _fix(f"must be a version range such as {hint}, not {_clip(value)}") from None
    return value


def _is_version(value: str) -> bool:
    try:
        Version(value)
    except InvalidVersion:
        return False
    return True


def _requirement(value: str) -> str:
    try:
        Requirement(value)
    except InvalidRequirement as error:
        reason = str(error).splitlines()[0] if str(error) else "cannot parse it"
        raise ValueError(
            f"{_clip(value)} is not a valid requirement: {reason[:1].lower()}{reason[1:]}; "
            "write it as PEP 508 says, such as 'httpx>=0.27'"
        ) from None
    return value


def _env_example(value: str) -> str:
    name = re.sub(r"[^A-Za-z0-9_]+", "_", value).strip("_").upper()
    return name if re.fullmatch(ENV_PATTERN, name) else "MY_API_KEY"


def _env_name(value: str) -> str:
    if re.fullmatch(ENV_PATTERN, value):
        return value
    raise _fix(
        "must be an environment variable name (letters, digits and '_', not starting with a "
        f"digit), not {_clip(value)}; for example {_env_example(value)!r}"
    )


def _capability(value: object) -> Capability:
    if isinstance(value, Capability):
        return value
    if not isinstance(value, str):
        raise _fix(f"must be a capability such as 'text-to-text', not {_kind(value)}")
    try:
        return Capability(value)
    except ValueError:
        shown = value if len(value) <= 60 else value[:56] + "..."
        raise ValueError(capability_hint(shown)) from None


def _some(value: tuple[Capability, ...]) -> tuple[Capability, ...]:
    if value:
        return value
    raise _fix("must list at least one capability, such as [text-to-text]")


def _decimal(value: object) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _price(value: object) -> str:
    number = _decimal(value)
    if number is None or number < 0:
        raise _fix(
            f'must be a price in USD of 0 or more, such as "0.002", not {_kind(value)}'
        )
    return str(value).strip()


def _positive(value: int) -> int:
    if value >= 1:
        return value
    raise _fix(f"must be a whole number of 1 or more, not {value}")


def _mapping(what: str) -> BeforeValidator:
    def check(value: object) -> object:
        if isinstance(value, Mapping):
            return value
        raise _fix(f"must be {what}, not {_kind(value)}")

    return BeforeValidator(check)


ProviderId = Annotated[
    str,
    AfterValidator(_provider_id),
    Field(json_schema_extra={"pattern": ID_PATTERN, "minLength": 2, "maxLength": 64}),
]
Text = Annotated[str, AfterValidator(_non_empty), Field(json_schema_extra={"minLength": 1})]
VersionText = Annotated[str, AfterValidator(_version)]
EntryPoint = Annotated[
    str, AfterValidator(_entry), Field(json_schema_extra={"pattern": ENTRY_PATTERN})
]
Specifier = Annotated[str, AfterValidator(_specifier)]
RequirementText = Annotated[str, AfterValidator(_requirement)]
EnvName = Annotated[
    str, AfterValidator(_env_name), Field(json_schema_extra={"pattern": ENV_PATTERN})
]
CapabilityName = Annotated[Capability, BeforeValidator(_capability)]
Capabilities = Annotated[
    tuple[CapabilityName, ...], AfterValidator(_some), Field(json_schema_extra={"minItems": 1})
]
Price = Annotated[
    str,
    BeforeValidator(_price),
    WithJsonSchema({"anyOf": [
        {"type": "string", "pattern": PRICE_PATTERN}, {"type": "number", "minimum": 0},
    ]}),
]
ContextLength = Annotated[int, Field(strict=True), AfterValidator(_positive)]
JsonSchemaObject = Annotated[
    dict[str, Any], _mapping("a JSON Schema object (a mapping such as {type: object, ...})")
]
Parameters = Annotated[dict[str, Any], _mapping("a mapping of parameter names to their schemas")]


# --- the model ------------------------------------------------------------------------------

class EnvVar(BaseModel):
    """An environment variable the provider may read; no other variable reaches it."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    name: EnvName = Field(description="The variable's name, such as OPENROUTER_API_KEY.")
    required: bool = Field(False, description="The provider cannot work without it.")
    secret: bool = Field(False, description="Never print or log its value.")
    description: str | None = Field(None, description="What it is and where to get it.")

    def facts(self) -> dict[str, Any]:
        return {"name": self.name, "required": self.required, "secret": self.secret,
                "description": self.description or ""}


class StaticModel(BaseModel):
    """A model listed in the manifest (remote APIs should prefer discovery)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    id: Text = Field(description="The model's id, unique within the provider.")
    name: str | None = Field(None, description="Display name; defaults to the id.")
    capabilities: Capabilities = Field(description="A subset of the provider's capabilities.")
    pricing: dict[str, Price] | None = Field(
        None, description="USD prices: prompt/completion per token, request, image, others.",
    )
    parameters: Parameters = Field(default_factory=dict, description="Parameter schemas.")
    description: str | None = None
    context_length: ContextLength | None = Field(None, description="Context window in tokens.")

    def facts(self) -> dict[str, Any]:
        """The model as `ModelInfo.from_dict` reads it."""
        return {
            "id": self.id, "name": self.name or self.id,
            "capabilities": [c.value for c in self.capabilities],
            "pricing": dict(self.pricing) if self.pricing is not None else None,
            "context_length": self.context_length, "description": self.description or "",
            "parameters": copy.deepcopy(self.parameters),
        }


class Manifest(BaseModel):
    """MediaConduit provider manifest v1 (`MediaConduit.provider.yml`)."""

    model_config = ConfigDict(
        frozen=True, extra="ignore", title="MediaConduit provider manifest v1",
    )

    id: ProviderId = Field(description="Lowercase letters, digits and '-'; at most 64.")
    name: Text = Field(description="Display name.")
    version: VersionText = Field(description="The provider's version (PEP 440), such as 1.0.0.")
    type: Literal["remote", "local"] = Field(description="remote (an API) or local (runs here).")
    capabilities: Capabilities = Field(description="What the provider's models do.")
    entry: EntryPoint = Field(description="module.path:ClassName, from the repo root or src/.")
    description: str | None = None
    author: str | None = None
    homepage: str | None = None
    license: str | None = None
    mediaconduit: Specifier | None = Field(None, description="Host versions it needs: >=0.1,<1")
    python: Specifier | None = Field(None, description="Python versions it needs: >=3.10")
    dependencies: tuple[RequirementText, ...] = Field(
        (), description="PEP 508 requirements, only for a repo without pyproject.toml.",
    )
    env: tuple[EnvVar, ...] = Field((), description="Environment variables it may read.")
    models: tuple[StaticModel, ...] = Field((), description="Static models.")
    config: JsonSchemaObject | None = Field(None, description="JSON Schema of its settings.")

    def facts(self) -> dict[str, Any]:
        """The manifest as plain JSON-able data, for caches that must not import pydantic."""
        return {
            "id": self.id, "name": self.name, "version": self.version, "type": self.type,
            "capabilities": [c.value for c in self.capabilities], "entry": self.entry,
            "description": self.description, "author": self.author,
            "homepage": self.homepage, "license": self.license,
            "mediaconduit": self.mediaconduit, "python": self.python,
            "dependencies": list(self.dependencies),
            "env": [variable.facts() for variable in self.env],
            "models": [model.facts() for model in self.models],
            "config": copy.deepcopy(self.config),
        }


def json_schema() -> dict[str, Any]:
    """The manifest's JSON Schema (draft 2020-12), for editors."""
    schema = Manifest.model_json_schema()
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}


# --- reports --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Issue:
    """One problem: where (`loc`, `line`) and how to fix it (`message`)."""

    loc: str
    message: str
    line: int | None = None


@dataclass(frozen=True)
class ManifestReport:
    """The result of checking one manifest; `manifest` is set only when there are no errors.

    `lines` maps key paths to lines, so later checks can point into the file.
    """

    path: Path
    manifest: Manifest | None
    errors: tuple[Issue, ...]
    warnings: tuple[Issue, ...] = ()
    lines: Mapping[str, int] = field(default_factory=dict, compare=False, hash=False, repr=False)

    @property
    def ok(self) -> bool:
        return not self.errors


def _by_line(issues: list[Issue]) -> tuple[Issue, ...]:
    return tuple(sorted(issues, key=lambda issue: issue.line or 0))


def make_report(
    path: Path, manifest: Manifest | None, errors: list[Issue], warnings: list[Issue], *,
    strict: bool = False, lines: Mapping[str, int] | None = None,
) -> ManifestReport:
    """A report; with `strict`, every warning counts as an error."""
    if strict:
        errors, warnings = [*errors, *warnings], []
    return ManifestReport(path, None if errors else manifest, _by_line(errors),
                          _by_line(warnings), dict(lines or {}))


def format_issue(path: Path | str, issue: Issue) -> str:
    """`path:line: loc: message`, leaving out what is not known."""
    where = f"{path}:{issue.line}" if issue.line is not None else f"{path}"
    return f"{where}: {issue.loc}: {issue.message}" if issue.loc else f"{where}: {issue.message}"


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
    host = _host_version_issue(data, document.lines)
    if host is not None:
        return make_report(path, None, [host], [], lines=lines)
    manifest, errors = _validate(data, document.lines)
    errors += [Issue(format_path(i.path), i.message, i.line) for i in document.issues]
    errors += _cross_checks(data, document.lines)
    warnings = _unknown_keys(data, document.lines)
    return make_report(path, manifest, errors, warnings, strict=strict, lines=lines)


def _line(lines: Mapping[NodePath, int], path: NodePath) -> int | None:
    """The line of `path`, else of the nearest enclosing value (for a missing key)."""
    for end in range(len(path), -1, -1):
        if path[:end] in lines:
            return lines[path[:end]]
    return None


def _kind(value: object) -> str:
    if value is None:
        return "an empty value"
    if isinstance(value, bool):
        return f"{str(value).lower()} (a boolean)"
    if isinstance(value, (int, float)):
        return f"the number {value!r}"
    if isinstance(value, str):
        return _clip(value)
    return "a list" if isinstance(value, list) else "a mapping"


def _not_a_mapping(data: object, lines: Mapping[str, int]) -> Issue:
    if data is None:
        message = ("the manifest is empty: write at least id, name, version, type, "
                   "capabilities and entry (`mediaconduit schema` describes every key)")
        return Issue("", message)
    message = (f"the manifest must be a mapping of keys to values (id: ..., name: ...), "
               f"not {_kind(data)}")
    return Issue("", message, lines.get(""))


_TEXT_PATHS: tuple[tuple[str, ...], ...] = (
    ("id",), ("name",), ("version",), ("entry",), ("description",), ("author",),
    ("homepage",), ("license",), ("mediaconduit",), ("python",), ("dependencies", "*"),
    ("env", "*", "description"), ("models", "*", "id"), ("models", "*", "name"),
    ("models", "*", "description"), ("models", "*", "pricing", "*"),
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


def _host_version_issue(data: dict[str, Any], lines: Mapping[NodePath, int]) -> Issue | None:
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


def _validate(
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
        return f"{label} must be {ctx.get('expected')}, not {_kind(detail['input'])}"
    if kind in _EXPECTED and detail["input"] is None:
        return f"{label} has no value: write {_EXPECTED[kind]}"
    if kind in _EXPECTED:
        return f"{label} must be {_EXPECTED[kind]}, not {_kind(detail['input'])}"
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
    module = module if _dotted(module) else "my_provider"
    export = data.get("exportName")
    name = export if isinstance(export, str) and _dotted(export) else "MyProvider"
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
            message = (f"{noun} {_clip(value)} is already listed at {section}[{first[value]}]; "
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


def _cross_checks(data: dict[str, Any], lines: Mapping[NodePath, int]) -> list[Issue]:
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
    return f"unknown key {_clip(key)}: manifest v1 does not read it; {hint}"


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


def _unknown_keys(data: dict[str, Any], lines: Mapping[NodePath, int]) -> list[Issue]:
    issues = _unknown_in(data, (), Manifest, lines)
    for section, model in (("env", EnvVar), ("models", StaticModel)):
        for i, item in _items(data, section):
            issues += _unknown_in(item, (section, i), model, lines)
    return issues
