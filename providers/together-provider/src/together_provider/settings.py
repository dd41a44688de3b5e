"""The provider's settings: `config` keys first, then the declared environment."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from mediaconduit.sdk import AuthenticationError, InvalidInputError
from mediaconduit.sdk.settings import number_setting, text_setting, url_setting

DEFAULT_BASE_URL = "https://api.together.xyz"
KEY_HINT = (
    "TOGETHER_API_KEY is not set: export TOGETHER_API_KEY=... (create a key at "
    "https://api.together.ai/settings/api-keys) or pass config={'api_key': ...} to get_provider"
)


@dataclasses.dataclass(frozen=True)
class Settings:
    """Everything the provider reads from its config and environment."""

    api_key: str | None = dataclasses.field(default=None, repr=False)
    base_url: str = DEFAULT_BASE_URL
    timeout: float = 300.0
    max_retries: int = 2
    vision_models: frozenset[str] = frozenset()

    def key(self) -> str:
        """The API key, or an `AuthenticationError` saying how to set it."""
        if not self.api_key:
            raise AuthenticationError(KEY_HINT)
        return self.api_key


def load_settings(config: Mapping[str, Any], env: Mapping[str, str]) -> Settings:
    """Read the settings; a wrong value is an `InvalidInputError` naming its key."""
    return Settings(
        api_key=text_setting(config, env, "api_key", "TOGETHER_API_KEY"),
        base_url=origin(text_setting(config, env, "base_url", "TOGETHER_BASE_URL")
                        or DEFAULT_BASE_URL),
        timeout=number_setting("timeout", config.get("timeout", 300.0), minimum=0.001),
        max_retries=int(number_setting("max_retries", config.get("max_retries", 2), integer=True)),
        vision_models=frozenset(_strings(config, "vision_models")),
    )


def origin(url: str) -> str:
    """The URL as the client takes it: scheme, host and port (a trailing `/v1` dropped)."""
    return url_setting(url, "base_url", "TOGETHER_BASE_URL", example=DEFAULT_BASE_URL, origin=True)


def _strings(config: Mapping[str, Any], key: str) -> list[str]:
    value = config.get(key) or []
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        raise InvalidInputError(f"config {key} must be a list of model ids, not {value!r}")
    return list(value)
