"""The provider's settings: `config` keys first, then the declared environment."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from mediaconduit.sdk import InvalidInputError
from mediaconduit.sdk.http import RetryPolicy, Timeouts

APIS = ("devnen", "travisvn")
#: where each server listens by default (devnen: its shipped config.yaml and docker
#: compose say 8004; its code's fallback is 8000)
DEFAULT_URLS = {"travisvn": ("http://localhost:4123",),
                "devnen": ("http://localhost:8004", "http://localhost:8000")}
#: how to start each server, from its README (CPU variants)
START_COMMANDS = {
    "devnen": "git clone https://github.com/devnen/Chatterbox-TTS-Server && "
              "cd Chatterbox-TTS-Server && docker compose -f docker-compose-cpu.yml up -d --build",
    "travisvn": "git clone https://github.com/travisvn/chatterbox-tts-api && "
                "cd chatterbox-tts-api && cp .env.example.docker .env && "
                "docker compose -f docker/docker-compose.cpu.yml up -d",
}
NUMBERS = {"connect_timeout": ("connect", 5.0), "timeout": ("read", 600.0),
           "idle_timeout": ("idle", 600.0)}


@dataclasses.dataclass(frozen=True)
class Settings:
    """Everything the provider reads from its config and environment."""

    base_url: str | None = None
    api: str | None = None
    voice: str | None = None
    route: str = "tts"
    stream_format: str = "audio"
    timeouts: Timeouts = dataclasses.field(default_factory=Timeouts)
    retry: RetryPolicy = dataclasses.field(default_factory=RetryPolicy)

    def candidates(self) -> list[str]:
        """The base URLs to try, in order: the one set, else the servers' default ports."""
        if self.base_url:
            return [self.base_url]
        apis = [self.api] if self.api else list(DEFAULT_URLS)
        return [url for api in apis for url in DEFAULT_URLS[api]]

    def start_hint(self, api: str | None = None) -> str:
        """How to start the server (both, when it is not known which)."""
        wanted = [api or self.api] if (api or self.api) else list(APIS)
        where = self.base_url or " or ".join(url for a in wanted for url in DEFAULT_URLS[a])
        commands = "; or ".join(f"{name}: `{START_COMMANDS[name]}`" for name in wanted)
        return (f"is a Chatterbox server running at {where}? Start one with {commands} "
                "(and set CHATTERBOX_BASE_URL to where it runs)")


def load_settings(config: Mapping[str, Any], env: Mapping[str, str]) -> Settings:
    """Read the settings; a wrong value is an `InvalidInputError` naming its key."""
    base = config.get("base_url") or env.get("CHATTERBOX_BASE_URL")
    return Settings(
        base_url=_base_url(str(base)) if base else None,
        api=_api(config.get("api") or env.get("CHATTERBOX_API") or None),
        voice=str(config["voice"]) if config.get("voice") else None,
        route=_choice("route", config.get("route") or "tts", ("tts", "openai")) or "tts",
        stream_format=_choice("stream_format", config.get("stream_format") or "audio",
                              ("audio", "sse")) or "audio",
        timeouts=Timeouts(**_timeouts(config)),
        retry=RetryPolicy(attempts=_attempts(config.get("max_attempts", 3)),
                          backoff=_seconds(config, "backoff", 0.5)),
    )


def _base_url(url: str) -> str:
    url = url.strip().rstrip("/")
    if not url.startswith(("http://", "https://")):
        raise InvalidInputError("base_url / CHATTERBOX_BASE_URL must be an http(s) URL such as "
                                f"http://localhost:4123, not {url!r}")
    return url.removesuffix("/v1")


def _api(value: Any) -> str | None:
    """devnen, travisvn, or None (detect; also written `auto`)."""
    text = _choice("api", value, (*APIS, "auto"))
    return None if text == "auto" else text


def _choice(key: str, value: Any, allowed: tuple[str, ...]) -> str | None:
    if value is None:
        return None
    text = str(value).strip().lower()
    if text not in allowed:
        name = "CHATTERBOX_API" if key == "api" else f"config {key}"
        raise InvalidInputError(f"{name} must be one of {', '.join(allowed)}, not {value!r}")
    return text


def _timeouts(config: Mapping[str, Any]) -> dict[str, float]:
    return {field: _seconds(config, key, default) for key, (field, default) in NUMBERS.items()}


def _seconds(config: Mapping[str, Any], key: str, default: float) -> float:
    value = config.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise InvalidInputError(f"config {key} must be a number of seconds, not {value!r}")
    return float(value)


def _attempts(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidInputError(f"config max_attempts must be a whole number >= 1, not {value!r}")
    return value
