"""The provider's settings: `config` keys first, then the declared environment."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from mediaconduit.sdk import InvalidInputError

ASR_WEBSERVICE, OPENAI = "asr-webservice", "openai"
APIS = (ASR_WEBSERVICE, OPENAI)
ASR_DEFAULT_URL = "http://localhost:9000"  # whisper-asr-webservice's port
OPENAI_LOCAL_URL = "http://localhost:8000"  # speaches / faster-whisper-server
OPENAI_CLOUD_URL = "https://api.openai.com"
#: how to start each service (their READMEs' CPU images)
START = {
    ASR_WEBSERVICE: "docker run -d -p 9000:9000 -e ASR_MODEL=base -e ASR_ENGINE=openai_whisper "
                    "onerahmet/openai-whisper-asr-webservice:latest",
    OPENAI: "docker run -d -p 8000:8000 ghcr.io/speaches-ai/speaches:latest-cpu",
}
NUMBERS = {"timeout": 600.0, "connect_timeout": 5.0}


@dataclasses.dataclass(frozen=True)
class Settings:
    """Everything the provider reads from its config and environment."""

    base_url: str | None = None  # None: the chosen API's default
    api: str | None = None  # None: detected
    api_key: str | None = None
    model: str | None = None  # the OpenAI-compatible model for `whisper` (default whisper-1)
    timeout: float = NUMBERS["timeout"]
    connect_timeout: float = NUMBERS["connect_timeout"]
    max_retries: int = 2

    def url_for(self, api: str | None) -> str:
        """The base URL in use for `api` (scheme, host and port)."""
        if self.base_url:
            return self.base_url
        if api == OPENAI:
            return OPENAI_CLOUD_URL if self.api_key else OPENAI_LOCAL_URL
        return ASR_DEFAULT_URL

    def start_hint(self, api: str | None) -> str:
        """How to start the service that `api` (None: either) names."""
        commands = [START[api]] if api else [START[ASR_WEBSERVICE], START[OPENAI]]
        where = self.url_for(api)
        return (f"is a Whisper service running at {where}? Start one with `"
                + "` (or `".join(commands) + ("`)" if len(commands) > 1 else "`")
                + ", or set WHISPER_BASE_URL to where it runs")


def load_settings(config: Mapping[str, Any], env: Mapping[str, str]) -> Settings:
    """Read the settings; a wrong value is an `InvalidInputError` naming its key."""
    def pick(key: str) -> Any:
        value = config.get(key)
        return value if value is not None else env.get(f"WHISPER_{key.upper()}") or None

    return Settings(base_url=_base_url(pick("base_url")), api=_api(pick("api")),
                    api_key=pick("api_key"), model=config.get("model"),
                    timeout=_number(config, "timeout"),
                    connect_timeout=_number(config, "connect_timeout"),
                    max_retries=_retries(config.get("max_retries", 2)))


def _base_url(value: Any) -> str | None:
    if value is None:
        return None
    url = str(value).strip().rstrip("/")
    if not url.startswith(("http://", "https://")):
        raise InvalidInputError(f"base_url / WHISPER_BASE_URL must be an http(s) URL such as "
                                f"{ASR_DEFAULT_URL}, not {url!r}")
    return url.removesuffix("/v1")


def _api(value: Any) -> str | None:
    if value is None:
        return None
    name = str(value).strip().lower()
    if name not in APIS:
        raise InvalidInputError(f"api / WHISPER_API must be {' or '.join(APIS)} (or unset to "
                                f"detect it), not {value!r}")
    return name


def _number(config: Mapping[str, Any], key: str) -> float:
    value = config.get(key, NUMBERS[key])
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise InvalidInputError(f"config {key} must be a number of seconds above 0, not {value!r}")
    return float(value)


def _retries(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidInputError(f"config max_retries must be a whole number >= 0, not {value!r}")
    return value
