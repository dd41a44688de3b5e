"""The provider's settings: `config` keys first, then the declared environment."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from mediaconduit.sdk import AuthenticationError, InvalidInputError
from mediaconduit.sdk.http import RetryPolicy, Timeouts

TOKENS_URL = "https://huggingface.co/settings/tokens"
TOKEN_HINT = (
    "HF_TOKEN is not set: export HF_TOKEN=hf_... (a token with the 'Inference Providers' "
    f"permission, from {TOKENS_URL}) or pass config={{'token': ...}} to get_provider"
)

#: config key -> (environment variable, default)
URLS = {
    "inference_url": ("HF_INFERENCE_URL", "https://router.huggingface.co"),
    "endpoint": ("HF_ENDPOINT", "https://huggingface.co"),
}
TIMEOUT_KEYS = {"connect_timeout": "connect", "timeout": "read", "idle_timeout": "idle"}
RETRY_KEYS = {
    "max_attempts": "attempts", "backoff": "backoff", "max_backoff": "max_backoff",
    "max_retry_wait": "max_retry_wait",
}
#: waiting out a model that is loading: config key -> default seconds
LOAD_KEYS = {"max_load_wait": 600.0, "min_load_poll": 1.0, "max_load_poll": 30.0}


@dataclasses.dataclass(frozen=True)
class RouterRetry(RetryPolicy):
    """The SDK's policy, except for 503: the provider handles that itself, because
    a 503 may be a model that is loading, which is waited out (not backed off)."""

    def retries_status(self, status: int) -> bool:
        return status != 503 and super().retries_status(status)


@dataclasses.dataclass(frozen=True)
class Settings:
    """Everything the provider reads from its config and environment."""

    token: str | None = dataclasses.field(default=None, repr=False)
    inference_url: str = URLS["inference_url"][1]
    endpoint: str = URLS["endpoint"][1]
    timeouts: Timeouts = dataclasses.field(default_factory=Timeouts)
    retry: RouterRetry = dataclasses.field(default_factory=RouterRetry)
    #: the longest a call waits in total for a model to load (seconds)
    max_load_wait: float = LOAD_KEYS["max_load_wait"]
    #: each wait is the answer's `estimated_time`, kept within these bounds
    min_load_poll: float = LOAD_KEYS["min_load_poll"]
    max_load_poll: float = LOAD_KEYS["max_load_poll"]

    def auth_headers(self) -> dict[str, str]:
        """`Authorization: Bearer ...`, or an `AuthenticationError` saying how to set it."""
        if not self.token:
            raise AuthenticationError(TOKEN_HINT)
        return {"Authorization": f"Bearer {self.token}"}

    def hub_headers(self) -> dict[str, str]:
        """The token for the Hub when there is one (public model info needs none)."""
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}


def load_settings(config: Mapping[str, Any], env: Mapping[str, str]) -> Settings:
    """Read the settings; a wrong value is an `InvalidInputError` naming its key."""
    urls = {key: _url(key, _text(config, env, key, name) or default)
            for key, (name, default) in URLS.items()}
    loads = {key: _number(key, config[key], low=0) for key in LOAD_KEYS
             if config.get(key) is not None}
    return Settings(
        token=_text(config, env, "token", "HF_TOKEN"), **urls, **loads,
        timeouts=Timeouts(**_numbers(config, TIMEOUT_KEYS)),
        retry=RouterRetry(**_numbers(config, RETRY_KEYS)),
    )


def _text(config: Mapping[str, Any], env: Mapping[str, str], key: str, name: str) -> str | None:
    value = config.get(key)
    if value is None or value == "":
        value = env.get(name)
    return (str(value).strip() or None) if value is not None else None


def _url(key: str, url: str) -> str:
    if not url.startswith(("http://", "https://")):
        name = URLS[key][0]
        raise InvalidInputError(f"{key} / {name} must be an http(s) URL, not {url!r}")
    return url.rstrip("/")


def _numbers(config: Mapping[str, Any], keys: Mapping[str, str]) -> dict[str, Any]:
    return {field: _number(key, config[key], low=1 if key == "max_attempts" else 0,
                           integer=key == "max_attempts")
            for key, field in keys.items() if config.get(key) is not None}


def _number(key: str, value: Any, low: float, integer: bool = False) -> Any:
    kinds = (int,) if integer else (int, float)
    if isinstance(value, bool) or not isinstance(value, kinds) or value < low:
        kind = "a whole number" if integer else "a number"
        raise InvalidInputError(f"config {key} must be {kind} of at least {low}, not {value!r}")
    return value
