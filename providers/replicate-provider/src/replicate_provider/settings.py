"""The provider's settings: `config` keys first, then the declared environment."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from mediaconduit.sdk import AuthenticationError, InvalidInputError
from mediaconduit.sdk.http import RetryPolicy, Timeouts
from mediaconduit.sdk.settings import number_setting, number_settings, text_setting, url_setting

DEFAULT_BASE_URL = "https://api.replicate.com"
TOKEN_HINT = (
    "REPLICATE_API_TOKEN is not set: export REPLICATE_API_TOKEN=r8_... (create a token at "
    "https://replicate.com/account/api-tokens) or pass config={'api_token': ...} to "
    "get_provider; listing the catalog works without a token, running a model does not"
)
#: config key -> environment variable it overrides
ENV_NAMES = {"api_token": "REPLICATE_API_TOKEN", "base_url": "REPLICATE_BASE_URL"}
TIMEOUT_KEYS = {"connect_timeout": "connect", "timeout": "read", "idle_timeout": "idle"}
RETRY_KEYS = {"max_attempts": "attempts", "backoff": "backoff", "max_backoff": "max_backoff",
              "max_retry_wait": "max_retry_wait"}
#: job knobs: config key -> (default, smallest allowed)
JOB_KEYS: dict[str, tuple[float, float]] = {
    "wait": (10, 0), "poll_interval": (0.25, 0.001), "max_poll_interval": (5.0, 0.001),
    "inline_limit": (256 * 1024, 0), "log_lines": (20, 0),
}
MAX_WAIT = 60  # Replicate holds a `Prefer: wait` request for at most 60 s


@dataclasses.dataclass(frozen=True)
class JobSettings:
    """How predictions are run.

    `wait`: seconds of `Prefer: wait=N` on create (0: no hold, poll from the start).
    `poll_interval` doubles after each poll up to `max_poll_interval`. A local file up
    to `inline_limit` bytes is sent as a `data:` URI, a larger one uploaded. A failed
    prediction's error quotes its last `log_lines` log lines.
    """

    wait: int = 10
    poll_interval: float = 0.25
    max_poll_interval: float = 5.0
    inline_limit: int = 256 * 1024
    log_lines: int = 20


@dataclasses.dataclass(frozen=True)
class Settings:
    """Everything the provider reads from its config and environment."""

    api_token: str | None = dataclasses.field(default=None, repr=False)
    base_url: str = DEFAULT_BASE_URL
    timeouts: Timeouts = dataclasses.field(default_factory=Timeouts)
    retry: RetryPolicy = dataclasses.field(default_factory=RetryPolicy)
    job: JobSettings = dataclasses.field(default_factory=JobSettings)

    def auth_headers(self) -> dict[str, str]:
        """`Authorization: Bearer ...`, or an `AuthenticationError` saying how to set it."""
        if not self.api_token:
            raise AuthenticationError(TOKEN_HINT)
        return {"Authorization": f"Bearer {self.api_token}"}


def load_settings(config: Mapping[str, Any], env: Mapping[str, str]) -> Settings:
    """Read the settings; a wrong value is an `InvalidInputError` naming its key."""
    token = _text(config, env, "api_token")
    job = _job(config)
    timeouts = Timeouts(**_numbers(config, TIMEOUT_KEYS))
    # a held create must not time out before Replicate answers it
    timeouts = dataclasses.replace(timeouts, read=max(timeouts.read, job.wait + 10))
    return Settings(api_token=token, base_url=_base_url(_text(config, env, "base_url")),
                    timeouts=timeouts, retry=RetryPolicy(**_numbers(config, RETRY_KEYS)),
                    job=job)


def _text(config: Mapping[str, Any], env: Mapping[str, str], key: str) -> str | None:
    return text_setting(config, env, key, ENV_NAMES[key])


def _base_url(url: str | None) -> str:
    """The origin, as the official client takes it."""
    return url_setting(url or DEFAULT_BASE_URL, "base_url", ENV_NAMES["base_url"],
                       example=DEFAULT_BASE_URL, origin=True)


def _job(config: Mapping[str, Any]) -> JobSettings:
    values = {key: number_setting(key, config[key], minimum=JOB_KEYS[key][1])
              for key in JOB_KEYS if config.get(key) is not None}
    if values.get("wait", 0) > MAX_WAIT:
        raise InvalidInputError(f"config wait must be at most {MAX_WAIT} (seconds), "
                                f"not {values['wait']!r}")
    for key in ("wait", "inline_limit", "log_lines"):
        if key in values:
            values[key] = int(values[key])
    return JobSettings(**values)


def _numbers(config: Mapping[str, Any], keys: Mapping[str, str]) -> dict[str, Any]:
    found = number_settings(config, keys, whole=[])
    if "attempts" in found:
        found["attempts"] = int(found["attempts"])
    return found
