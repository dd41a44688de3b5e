"""The provider's settings: `config` keys first, then the declared environment."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from mediaconduit.sdk import AuthenticationError
from mediaconduit.sdk.http import RetryPolicy, Timeouts
from mediaconduit.sdk.settings import flag_setting, number_settings, text_setting, url_setting

KEYS_URL = "https://fal.ai/dashboard/keys"
KEY_HINT = (
    "FAL_KEY is not set: export FAL_KEY=<key id>:<key secret> (create a key at "
    f"{KEYS_URL}) or pass config={{'key': ...}} to get_provider; listing the models "
    "works without a key, running them does not"
)

#: config key -> (environment variable, default)
URLS = {
    "queue_url": ("FAL_QUEUE_URL", "https://queue.fal.run"),
    "run_url": ("FAL_RUN_URL", "https://fal.run"),
    "rest_url": ("FAL_REST_URL", "https://rest.alpha.fal.ai"),
}
TIMEOUT_KEYS = {"connect_timeout": "connect", "timeout": "read", "idle_timeout": "idle"}
RETRY_KEYS = {
    "max_attempts": "attempts", "backoff": "backoff", "max_backoff": "max_backoff",
    "max_retry_wait": "max_retry_wait",
}
#: numeric job settings: config key -> default
JOB_KEYS = {"poll_interval": 0.25, "max_poll_interval": 2.0, "data_uri_limit": 256 * 1024}


@dataclasses.dataclass(frozen=True)
class Settings:
    """Everything the provider reads from its config and environment."""

    key: str | None = dataclasses.field(default=None, repr=False)
    queue_url: str = URLS["queue_url"][1]
    run_url: str = URLS["run_url"][1]
    rest_url: str = URLS["rest_url"][1]
    timeouts: Timeouts = dataclasses.field(default_factory=Timeouts)
    retry: RetryPolicy = dataclasses.field(default_factory=RetryPolicy)
    #: first wait between status polls (seconds); it grows by half each poll up to the max
    poll_interval: float = JOB_KEYS["poll_interval"]
    max_poll_interval: float = JOB_KEYS["max_poll_interval"]
    #: media inputs up to this many bytes go inline as `data:` URIs; larger ones are uploaded
    data_uri_limit: int = int(JOB_KEYS["data_uri_limit"])
    #: follow the job on `{status_url}/stream` (SSE) rather than polling, when fal offers it
    status_stream: bool = True

    def auth_headers(self) -> dict[str, str]:
        """`Authorization: Key ...`, or an `AuthenticationError` saying how to set the key."""
        if not self.key:
            raise AuthenticationError(KEY_HINT)
        return {"Authorization": f"Key {self.key}"}


def load_settings(config: Mapping[str, Any], env: Mapping[str, str]) -> Settings:
    """Read the settings; a wrong value is an `InvalidInputError` naming its key."""
    urls = {key: _url(config, env, key) for key in URLS}
    jobs = number_settings(config, {key: key for key in JOB_KEYS}, whole=["data_uri_limit"],
                           at_least_one=[])
    return Settings(
        key=text_setting(config, env, "key", "FAL_KEY"), **urls, **jobs,
        status_stream=flag_setting("status_stream", config.get("status_stream", True)),
        timeouts=Timeouts(**number_settings(config, TIMEOUT_KEYS)),
        retry=RetryPolicy(**number_settings(config, RETRY_KEYS)),
    )


def _url(config: Mapping[str, Any], env: Mapping[str, str], key: str) -> str:
    name, default = URLS[key]
    return url_setting(text_setting(config, env, key, name) or default, key, name)
