"""The manifest model (`Manifest`, `EnvVar`, `StaticModel`) and the report of a check.

The model's field types and their value rules are in `rules`; `facts()` turns a
valid manifest into the plain `ProviderFacts` of `facts`.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from mediaconduit.manifest.facts import EnvFacts, ProviderFacts
from mediaconduit.manifest.rules import (
    Capabilities,
    ContextLength,
    EntryPoint,
    EnvName,
    JsonSchemaObject,
    Parameters,
    Price,
    ProviderId,
    RequirementText,
    Specifier,
    TaskName,
    Text,
    VersionText,
)
from mediaconduit.sdk.models import ModelInfo, Pricing

# --- the model ------------------------------------------------------------------------------

class EnvVar(BaseModel):
    """An environment variable the provider may read; no other variable reaches it."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    name: EnvName = Field(description="The variable's name, such as OPENROUTER_API_KEY.")
    required: bool = Field(False, description="The provider cannot work without it.")
    secret: bool = Field(False, description="Never print or log its value.")
    description: str | None = Field(None, description="What it is and where to get it.")

    def facts(self) -> EnvFacts:
        return EnvFacts(self.name, self.required, self.secret, self.description or "")


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
    tasks: tuple[TaskName, ...] = Field(
        (), description="What the model does: task names from the vocabulary, or your own "
                        "starting 'x-'; none means one derived from each capability.",
    )

    def facts(self) -> ModelInfo:
        """The model as the host and the SDK see it."""
        return ModelInfo(
            id=self.id, name=self.name or self.id,
            capabilities=tuple(c.value for c in self.capabilities),
            pricing=Pricing.from_mapping(self.pricing) if self.pricing is not None else None,
            context_length=self.context_length, description=self.description or "",
            parameters=copy.deepcopy(self.parameters), tasks=self.tasks,
        )


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

    def facts(self) -> ProviderFacts:
        """The manifest as a plain value, for caches and handles that must not import pydantic."""
        return ProviderFacts(
            id=self.id, name=self.name, version=self.version, type=self.type,
            capabilities=tuple(c.value for c in self.capabilities), entry=self.entry,
            description=self.description, author=self.author,
            homepage=self.homepage, license=self.license,
            mediaconduit=self.mediaconduit, python=self.python,
            dependencies=tuple(self.dependencies),
            env=tuple(variable.facts() for variable in self.env),
            models=tuple(model.facts() for model in self.models),
            config=copy.deepcopy(self.config),
        )


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
