"""The provider's settings: `config` keys first, then the declared environment."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from mediaconduit.sdk import AuthenticationError
from mediaconduit.sdk.http import RetryPolicy, Timeouts
from mediaconduit.sdk.settings import number_settings, text_setting, url_setting

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
    urls = {key: _url(config, env, key) for key in URLS}
    loads = number_settings(config, {key: key for key in LOAD_KEYS}, whole=[], at_least_one=[])
    return Settings(
        token=text_setting(config, env, "token", "HF_TOKEN"), **urls, **loads,
        timeouts=Timeouts(**number_settings(config, TIMEOUT_KEYS)),
        retry=RouterRetry(**number_settings(config, RETRY_KEYS)),
    )


def _url(config: Mapping[str, Any], env: Mapping[str, str], key: str) -> str:
    name, default = URLS[key]
    return url_setting(text_setting(config, env, key, name) or default, key, name)
