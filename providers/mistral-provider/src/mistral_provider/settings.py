"""The provider's settings: `config` keys first, then the declared environment."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from mediaconduit.sdk import AuthenticationError
from mediaconduit.sdk.settings import number_setting, text_setting, url_setting

DEFAULT_BASE_URL = "https://api.mistral.ai"
KEY_HINT = (
    "MISTRAL_API_KEY is not set: export MISTRAL_API_KEY=... (create a key at "
    "https://console.mistral.ai/api-keys) or pass config={'api_key': ...} to get_provider"
)


@dataclasses.dataclass(frozen=True)
class Settings:
    """Everything the provider reads from its config and environment."""

    api_key: str | None = dataclasses.field(default=None, repr=False)
    base_url: str = DEFAULT_BASE_URL
    timeout: float = 300.0
    max_retry_seconds: float = 30.0
    retry_backoff: float = 0.5

    def key(self) -> str:
        """The API key, or an `AuthenticationError` saying how to set it."""
        if not self.api_key:
            raise AuthenticationError(KEY_HINT)
        return self.api_key


def load_settings(config: Mapping[str, Any], env: Mapping[str, str]) -> Settings:
    """Read the settings; a wrong value is an `InvalidInputError` naming its key."""
    return Settings(
        api_key=text_setting(config, env, "api_key", "MISTRAL_API_KEY"),
        base_url=origin(text_setting(config, env, "base_url", "MISTRAL_BASE_URL")
                        or DEFAULT_BASE_URL),
        timeout=_number(config, "timeout", 300.0, minimum=0.001),
        max_retry_seconds=_number(config, "max_retry_seconds", 30.0, minimum=0),
        retry_backoff=_number(config, "retry_backoff", 0.5, minimum=0.001),
    )


def origin(url: str) -> str:
    """The URL as `server_url` takes it: scheme, host and port (a trailing `/v1` dropped)."""
    return url_setting(url, "base_url", "MISTRAL_BASE_URL", example=DEFAULT_BASE_URL, origin=True)


def _number(config: Mapping[str, Any], key: str, default: float, minimum: float) -> float:
    return float(number_setting(key, config.get(key, default), minimum))
