"""The provider's settings: `config` keys first, then the declared environment."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from mediaconduit.sdk import AuthenticationError, InvalidInputError
from mediaconduit.sdk.http import RetryPolicy, Timeouts
from mediaconduit.sdk.settings import number_settings, text_setting, url_setting

DEFAULT_BASE_URL = "https://openrouter.ai/api/v1"
KEY_HINT = (
    "OPENROUTER_API_KEY is not set: export OPENROUTER_API_KEY=sk-or-v1-... "
    "(create a key at https://openrouter.ai/keys) or pass config={'api_key': ...} "
    "to get_provider; listing the models works without a key, using them does not"
)

#: config key -> environment variable it overrides
ENV_NAMES = {
    "api_key": "OPENROUTER_API_KEY",
    "base_url": "OPENROUTER_BASE_URL",
    "http_referer": "OPENROUTER_HTTP_REFERER",
    "app_title": "OPENROUTER_APP_TITLE",
}
TIMEOUT_KEYS = {"connect_timeout": "connect", "timeout": "read", "idle_timeout": "idle"}
RETRY_KEYS = {
    "max_attempts": "attempts", "backoff": "backoff", "max_backoff": "max_backoff",
    "max_retry_wait": "max_retry_wait",
}


@dataclasses.dataclass(frozen=True)
class Settings:
    """Everything the provider reads from its config and environment."""

    api_key: str | None = dataclasses.field(default=None, repr=False)
    base_url: str = DEFAULT_BASE_URL
    http_referer: str | None = None
    app_title: str | None = None
    output_modalities: str | None = None
    timeouts: Timeouts = dataclasses.field(default_factory=Timeouts)
    retry: RetryPolicy = dataclasses.field(default_factory=RetryPolicy)

    def headers(self) -> dict[str, str]:
        """The attribution headers, sent with every request."""
        headers = {}
        if self.http_referer:
            headers["HTTP-Referer"] = self.http_referer
        if self.app_title:
            headers["X-OpenRouter-Title"] = self.app_title
            headers["X-Title"] = self.app_title
        return headers

    def auth_headers(self) -> dict[str, str]:
        """`Authorization: Bearer ...`, or an `AuthenticationError` saying how to set the key."""
        if not self.api_key:
            raise AuthenticationError(KEY_HINT)
        return {"Authorization": f"Bearer {self.api_key}"}


def load_settings(config: Mapping[str, Any], env: Mapping[str, str]) -> Settings:
    """Read the settings; a wrong value is an `InvalidInputError` naming its key."""
    text = {key: _text(config, env, key) for key in ENV_NAMES}
    return Settings(
        api_key=text["api_key"],
        base_url=_base_url(text["base_url"] or DEFAULT_BASE_URL),
        http_referer=text["http_referer"],
        app_title=text["app_title"],
        output_modalities=_modalities(config.get("output_modalities")),
        timeouts=Timeouts(**number_settings(config, TIMEOUT_KEYS)),
        retry=RetryPolicy(**number_settings(config, RETRY_KEYS)),
    )


def _text(config: Mapping[str, Any], env: Mapping[str, str], key: str) -> str | None:
    return text_setting(config, env, key, ENV_NAMES[key])


def _base_url(url: str) -> str:
    return url_setting(url, "base_url", ENV_NAMES["base_url"])


def _modalities(value: Any) -> str | None:
    if not value:
        return None
    if isinstance(value, str):
        return value.replace(" ", "")
    if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        return ",".join(value)
    raise InvalidInputError(
        f"config output_modalities must be a string or a list of strings, not {value!r}"
    )
