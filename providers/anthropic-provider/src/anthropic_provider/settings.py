"""The provider's settings: `config` keys first, then the declared environment."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from mediaconduit.sdk import AuthenticationError, InvalidInputError, Pricing
from mediaconduit.sdk.settings import number_setting, text_setting, url_setting

DEFAULT_BASE_URL = "https://api.anthropic.com"
KEY_HINT = (
    "ANTHROPIC_API_KEY is not set: export ANTHROPIC_API_KEY=sk-ant-... (create a key at "
    "https://console.anthropic.com/settings/keys) or pass config={'api_key': ...} to "
    "get_provider"
)
#: config key -> environment variable it overrides
ENV_NAMES = {"api_key": "ANTHROPIC_API_KEY", "base_url": "ANTHROPIC_BASE_URL"}
#: numeric config keys: (default, smallest allowed, whole number)
NUMBERS: dict[str, tuple[float, float, bool]] = {
    "max_tokens": (4096, 1, True), "page_size": (1000, 1, True),
    "connect_timeout": (10.0, 0.001, False), "timeout": (600.0, 0.001, False),
    "max_attempts": (3, 1, True), "backoff": (0.5, 0, False), "max_backoff": (8.0, 0, False),
    "max_retry_wait": (60.0, 0, False),
}


@dataclasses.dataclass(frozen=True)
class Retry:
    """Tries per request (the first included) and the waits between them, in seconds."""

    attempts: int = 3
    backoff: float = 0.5
    max_backoff: float = 8.0
    max_retry_wait: float = 60.0

    def delay(self, attempt: int) -> float:
        """The wait after failed attempt `attempt` (0-based): doubled each time, capped."""
        return float(min(self.max_backoff, self.backoff * 2.0**attempt))


@dataclasses.dataclass(frozen=True)
class Settings:
    """Everything the provider reads from its config and environment."""

    api_key: str | None = dataclasses.field(default=None, repr=False)
    base_url: str = DEFAULT_BASE_URL
    max_tokens: int = 4096
    page_size: int = 1000
    connect_timeout: float = 10.0
    timeout: float = 600.0
    retry: Retry = dataclasses.field(default_factory=Retry)
    prices: Mapping[str, Pricing] = dataclasses.field(default_factory=dict)

    def key(self) -> str:
        """The API key, or an `AuthenticationError` saying how to set it."""
        if not self.api_key:
            raise AuthenticationError(KEY_HINT)
        return self.api_key


def load_settings(config: Mapping[str, Any], env: Mapping[str, str]) -> Settings:
    """Read the settings; a wrong value is an `InvalidInputError` naming its key."""
    numbers = {key: _number(config, key) for key in NUMBERS}
    retry = Retry(attempts=int(numbers.pop("max_attempts")), backoff=numbers.pop("backoff"),
                  max_backoff=numbers.pop("max_backoff"),
                  max_retry_wait=numbers.pop("max_retry_wait"))
    return Settings(
        api_key=_text(config, env, "api_key"),
        base_url=_base_url(_text(config, env, "base_url") or DEFAULT_BASE_URL),
        retry=retry, prices=_prices(config.get("prices")), **numbers,  # type: ignore[arg-type]
    )


def _text(config: Mapping[str, Any], env: Mapping[str, str], key: str) -> str | None:
    return text_setting(config, env, key, ENV_NAMES[key])


def _base_url(url: str) -> str:
    return url_setting(url, "base_url", ENV_NAMES["base_url"], example=DEFAULT_BASE_URL,
                       origin=True)


def _number(config: Mapping[str, Any], key: str) -> Any:
    default, least, whole = NUMBERS[key]
    return number_setting(key, config.get(key, default), least, whole)


def _prices(value: Any) -> dict[str, Pricing]:
    """`{model_id: {"prompt": "0.000003", "completion": "0.000015"}}`: USD per token."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise InvalidInputError(
            "config prices must map model ids to {'prompt': ..., 'completion': ...} "
            f"(USD per token), not {value!r}"
        )
    try:
        return {str(k): Pricing.from_mapping(_as_map(k, v)) for k, v in value.items()}
    except ValueError as e:
        raise InvalidInputError(f"config prices: {e}") from None


def _as_map(model_id: Any, value: Any) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ValueError(f"{model_id}: expected {{'prompt': ..., 'completion': ...}}, "
                         f"not {value!r}")
    return value
