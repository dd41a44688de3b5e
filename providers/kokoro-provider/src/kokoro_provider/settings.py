"""The provider's settings: `config` keys first, then the declared environment."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from mediaconduit.sdk import InvalidInputError

DEFAULT_BASE_URL = "http://localhost:8880"
DEFAULT_VOICE = "af_heart"
FORMATS = ("mp3", "opus", "aac", "flac", "wav", "pcm")
#: how to start the service, from Kokoro-FastAPI's README (CPU image)
START_COMMAND = "docker run -p 8880:8880 ghcr.io/remsky/kokoro-fastapi-cpu:latest"
NUMBERS = {"timeout": 300.0, "connect_timeout": 5.0}


@dataclasses.dataclass(frozen=True)
class Settings:
    """Everything the provider reads from its config and environment."""

    base_url: str = DEFAULT_BASE_URL
    voice: str = DEFAULT_VOICE
    response_format: str = "mp3"
    timeout: float = NUMBERS["timeout"]
    connect_timeout: float = NUMBERS["connect_timeout"]
    max_retries: int = 2

    @property
    def api_url(self) -> str:
        """Where the OpenAI-compatible router is mounted: `<base>/v1`."""
        return f"{self.base_url}/v1"

    def start_hint(self) -> str:
        return (f"is Kokoro-FastAPI running at {self.base_url}? Start it with `{START_COMMAND}` "
                "(or set KOKORO_BASE_URL to where it runs)")


def load_settings(config: Mapping[str, Any], env: Mapping[str, str]) -> Settings:
    """Read the settings; a wrong value is an `InvalidInputError` naming its key."""
    base = config.get("base_url") or env.get("KOKORO_BASE_URL") or DEFAULT_BASE_URL
    return Settings(
        base_url=_base_url(str(base)),
        voice=str(config.get("voice") or DEFAULT_VOICE),
        response_format=check_format(config.get("response_format") or "mp3"),
        timeout=_number(config, "timeout"),
        connect_timeout=_number(config, "connect_timeout"),
        max_retries=_retries(config.get("max_retries", 2)),
    )


def check_format(value: Any) -> str:
    if value not in FORMATS:
        raise InvalidInputError(
            f"response_format {value!r} is not one Kokoro makes: use one of {', '.join(FORMATS)}")
    return str(value)


def _base_url(url: str) -> str:
    url = url.strip().rstrip("/")
    if not url.startswith(("http://", "https://")):
        raise InvalidInputError(
            f"base_url / KOKORO_BASE_URL must be an http(s) URL such as {DEFAULT_BASE_URL}, "
            f"not {url!r}")
    return url.removesuffix("/v1")


def _number(config: Mapping[str, Any], key: str) -> float:
    value = config.get(key, NUMBERS[key])
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise InvalidInputError(f"config {key} must be a number of seconds above 0, not {value!r}")
    return float(value)


def _retries(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidInputError(f"config max_retries must be a whole number >= 0, not {value!r}")
    return value
