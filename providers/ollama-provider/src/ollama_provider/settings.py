"""The provider's settings: `config` keys first, then the declared environment."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from mediaconduit.sdk import InvalidInputError
from mediaconduit.sdk.settings import flag_setting, number_setting

DEFAULT_HOST = "http://127.0.0.1:11434"
#: numeric config keys: (default, smallest allowed, whole number)
NUMBERS: dict[str, tuple[float, float, bool]] = {
    "connect_timeout": (5.0, 0.001, False), "timeout": (600.0, 0.001, False),
    "max_attempts": (3, 1, True), "backoff": (0.5, 0, False), "max_backoff": (8.0, 0, False),
}


@dataclasses.dataclass(frozen=True)
class Settings:
    """Everything the provider reads from its config and environment."""

    host: str = DEFAULT_HOST
    auto_pull: bool = False
    keep_alive: str | float | None = None
    connect_timeout: float = 5.0
    timeout: float = 600.0
    max_attempts: int = 3
    backoff: float = 0.5
    max_backoff: float = 8.0

    def delay(self, attempt: int) -> float:
        """The wait after failed attempt `attempt` (0-based): doubled each time, capped."""
        return float(min(self.max_backoff, self.backoff * 2.0**attempt))


def load_settings(config: Mapping[str, Any], env: Mapping[str, str]) -> Settings:
    """Read the settings; a wrong value is an `InvalidInputError` naming its key."""
    host = config.get("host") or env.get("OLLAMA_HOST") or DEFAULT_HOST
    return Settings(host=normal_host(str(host)), auto_pull=_flag(config, "auto_pull"),
                    keep_alive=_keep_alive(config.get("keep_alive")),
                    **{key: _number(config, key) for key in NUMBERS})


def normal_host(host: str) -> str:
    """`OLLAMA_HOST` as Ollama reads it: `host`, `host:port`, `:port` or a URL.

    Without a scheme the port defaults to 11434; `http://h` means port 80 and
    `https://h` 443, as the `ollama` client has it.
    """
    text = host.strip().rstrip("/")
    scheme, sep, rest = text.partition("://")
    if not sep:
        scheme, rest, port = "http", text, 11434
    else:
        port = 443 if scheme == "https" else 80
    name, _, given = rest.partition(":")
    if scheme not in ("http", "https") or "/" in rest or (given and not given.isdigit()):
        raise InvalidInputError(
            f"host / OLLAMA_HOST must be host, host:port or http(s)://host:port, not {host!r}")
    return f"{scheme}://{name or '127.0.0.1'}:{given or port}"


def _flag(config: Mapping[str, Any], key: str) -> bool:
    value = config.get(key, False)
    if isinstance(value, str) and value.lower() in ("1", "true", "yes", "0", "false", "no"):
        return value.lower() in ("1", "true", "yes")
    return flag_setting(key, value)


def _keep_alive(value: Any) -> str | float | None:
    if value is None or isinstance(value, str) or (
            isinstance(value, (int, float)) and not isinstance(value, bool)):
        return value
    raise InvalidInputError(f"config keep_alive must be a duration such as '5m' or seconds, "
                            f"not {value!r}")


def _number(config: Mapping[str, Any], key: str) -> Any:
    default, least, whole = NUMBERS[key]
    return number_setting(key, config.get(key, default), least, whole)
