"""`Provider` and `Model`: the two classes a provider author subclasses."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from typing import Any

from mediaconduit.sdk.assets import Asset, Text
from mediaconduit.sdk.errors import (
    AuthenticationError,
    InvalidInputError,
    ModelNotFoundError,
)
from mediaconduit.sdk.models import ModelInfo


class Provider:
    """A source of models. Subclass it; construct it without network I/O.

    `config` holds the settings the application passed to `get_provider`;
    `env` holds the environment variables the manifest declares (inside the
    worker nothing else is there).
    """

    #: The manifest as a plain dict, set by the host before construction.
    manifest: Mapping[str, Any] = {}

    def __init__(
        self, config: Mapping[str, Any] | None = None, env: Mapping[str, str] | None = None
    ) -> None:
        self.config: dict[str, Any] = dict(config or {})
        self.env: dict[str, str] = dict(os.environ if env is None else env)

    def setting(self, name: str, default: str | None = None) -> str | None:
        """`config[name]`, else the environment variable `NAME`, else `default`."""
        if self.config.get(name) is not None:
            return str(self.config[name])
        return self.env.get(name.upper()) or default

    def require_env(self, name: str, hint: str = "") -> str:
        """The value of a required secret, or an `AuthenticationError` saying how to set it."""
        value = self.env.get(name)
        if not value:
            raise AuthenticationError(f"{name} is not set; export {name}=... {hint}".rstrip())
        return value

    def discover_models(self) -> list[ModelInfo]:
        """All the models this provider offers now (may be slow; runs in the background)."""
        return [ModelInfo.from_dict(m) for m in self.manifest.get("models") or []]

    def get_model(self, model_id: str) -> Model:
        """The model with this id, or `ModelNotFoundError`."""
        raise ModelNotFoundError(model_id)

    def cancel_job(self, job_id: str, details: Mapping[str, Any]) -> None:
        """Cancel an upstream job a call reported with `report_job` (`jobs cancel`)."""
        raise InvalidInputError(f"{type(self).__name__} cannot cancel jobs by id")

    def fetch_job(self, job_id: str, details: Mapping[str, Any]) -> Asset | list[Asset]:
        """The outputs of a finished upstream job, downloaded again (`jobs fetch`)."""
        raise InvalidInputError(f"{type(self).__name__} cannot fetch jobs by id")

    def health(self) -> dict[str, Any]:
        """A small report: is the provider able to work? Override to check more."""
        return {"ok": True}

    def close(self) -> None:
        """Release what the provider holds (connections, engines)."""


class Model:
    """One model. Subclass it and implement `transform` (and `stream` for text)."""

    def __init__(self, info: ModelInfo, provider: Provider | None = None) -> None:
        self.info = info
        self.provider = provider

    @property
    def id(self) -> str:
        return self.info.id

    def transform(self, input: Asset, **params: Any) -> Asset:
        """Turn `input` into an output asset."""
        raise NotImplementedError(f"{type(self).__name__}.transform")

    def stream(self, input: Asset, **params: Any) -> Iterator[str]:
        """Yield text chunks. By default the whole `transform` result, once."""
        result = self.transform(input, **params)
        if not isinstance(result, Text):
            raise TypeError(f"{self.id} does not produce text, so it cannot stream")
        yield result.text
