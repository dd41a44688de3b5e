"""What a valid manifest says, as a plain value: `ProviderFacts`.

The checkout marker keeps it on disk (`to_dict` / `from_dict`), the handle
reads it, and the worker receives `to_dict()` as the provider's `manifest`.
Standard library and `mediaconduit.sdk.models` only: a warm load reads facts
from the marker without pydantic, YAML or the manifest checks.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mediaconduit.sdk.models import ModelInfo


def _text(data: Mapping[str, Any], key: str) -> str:
    value = data[key]
    if not isinstance(value, str):
        raise ValueError(f"{key} must be text, not {type(value).__name__}")
    return value


def _optional_text(data: Mapping[str, Any], key: str) -> str | None:
    value = data.get(key)
    return None if value is None else str(value)


@dataclass(frozen=True)
class EnvFacts:
    """An environment variable the provider may read (`env[i]` of the manifest)."""

    name: str
    required: bool = False
    secret: bool = False
    description: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "required": self.required, "secret": self.secret,
                "description": self.description}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> EnvFacts:
        return cls(_text(data, "name"), bool(data.get("required", False)),
                   bool(data.get("secret", False)), str(data.get("description") or ""))


@dataclass(frozen=True)
class ProviderFacts:
    """The facts of a provider's manifest; `models` are its static models."""

    id: str
    name: str
    version: str
    type: str
    capabilities: tuple[str, ...]
    entry: str
    description: str | None = None
    author: str | None = None
    homepage: str | None = None
    license: str | None = None
    mediaconduit: str | None = None
    python: str | None = None
    dependencies: tuple[str, ...] = ()
    env: tuple[EnvFacts, ...] = ()
    models: tuple[ModelInfo, ...] = ()
    config: Mapping[str, Any] | None = None

    @property
    def env_names(self) -> list[str]:
        """The names of the declared environment variables, in manifest order."""
        return [variable.name for variable in self.env]

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able data (a fresh copy): for the checkout marker and the wire."""
        return {
            "id": self.id, "name": self.name, "version": self.version, "type": self.type,
            "capabilities": list(self.capabilities), "entry": self.entry,
            "description": self.description, "author": self.author,
            "homepage": self.homepage, "license": self.license,
            "mediaconduit": self.mediaconduit, "python": self.python,
            "dependencies": list(self.dependencies),
            "env": [variable.to_dict() for variable in self.env],
            "models": [model.to_dict() for model in self.models],
            "config": copy.deepcopy(dict(self.config)) if self.config is not None else None,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ProviderFacts:
        """Read what `to_dict` wrote; raises KeyError, TypeError or ValueError when damaged."""
        config = data.get("config")
        if config is not None and not isinstance(config, Mapping):
            raise ValueError(f"config must be a mapping, not {type(config).__name__}")
        return cls(
            id=_text(data, "id"), name=_text(data, "name"), version=_text(data, "version"),
            type=_text(data, "type"), capabilities=tuple(map(str, data["capabilities"])),
            entry=_text(data, "entry"), description=_optional_text(data, "description"),
            author=_optional_text(data, "author"), homepage=_optional_text(data, "homepage"),
            license=_optional_text(data, "license"),
            mediaconduit=_optional_text(data, "mediaconduit"),
            python=_optional_text(data, "python"),
            dependencies=tuple(map(str, data.get("dependencies") or ())),
            env=tuple(EnvFacts.from_dict(variable) for variable in data.get("env") or ()),
            models=tuple(ModelInfo.from_dict(model) for model in data.get("models") or ()),
            config=copy.deepcopy(dict(config)) if config is not None else None,
        )
