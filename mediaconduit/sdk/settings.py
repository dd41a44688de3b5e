"""Reading a provider's settings the way DESIGN §7 says: config first, then the environment.

Each declared environment variable (`VENDOR_API_KEY`, `VENDOR_BASE_URL`) can also be
given in `config` under its name without the prefix, in lower case (`api_key`,
`base_url`); config wins. These helpers read one setting and check it, raising an
`InvalidInputError` that names the config key (and the variable) and says what it
must be. Standard library only.

    api_key = text_setting(config, env, "api_key", "VENDOR_API_KEY")
    base_url = url_setting(text_setting(config, env, "base_url", "VENDOR_BASE_URL",
                                        DEFAULT_BASE_URL), "base_url", "VENDOR_BASE_URL",
                           example=DEFAULT_BASE_URL, origin=True)
    timeout = number_setting("timeout", config.get("timeout", 300.0), minimum=0.001)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from mediaconduit.sdk.errors import InvalidInputError


def text_setting(config: Mapping[str, Any], env: Mapping[str, str], key: str, variable: str,
                 default: str | None = None) -> str | None:
    """`config[key]` (unless None or ""), else `env[variable]`, stripped; blank is unset,
    and unset is `default`."""
    value = config.get(key)
    if value is None or value == "":
        value = env.get(variable)
    text = None if value is None else str(value).strip() or None
    return default if text is None else text


def url_setting(url: str, key: str, variable: str, example: str | None = None,
                origin: bool = False) -> str:
    """An http(s) URL without its trailing `/`; `origin`: a trailing `/v1` dropped too
    (scheme, host and port, as official clients take a base URL)."""
    if not url.startswith(("http://", "https://")):
        such = f" such as {example}" if example else ""
        raise InvalidInputError(f"{key} / {variable} must be an http(s) URL{such}, not {url!r}")
    url = url.rstrip("/")
    return url.removesuffix("/v1") if origin else url


def number_setting(key: str, value: Any, minimum: float = 0, integer: bool = False) -> Any:
    """`value` (of config `key`) when it is a number (`integer`: a whole one) of at least
    `minimum`; else an `InvalidInputError` saying so."""
    kinds = (int,) if integer else (int, float)
    if isinstance(value, bool) or not isinstance(value, kinds) or value < minimum:
        kind = "a whole number" if integer else "a number"
        raise InvalidInputError(f"config {key} must be {kind} of at least {minimum:g}, "
                                f"not {value!r}")
    return value


def number_settings(config: Mapping[str, Any], keys: Mapping[str, str],
                    whole: Iterable[str] = ("max_attempts",),
                    at_least_one: Iterable[str] = ("max_attempts",)) -> dict[str, Any]:
    """`{field: value}` for the numeric config `keys` (config key -> field) that are set:
    each a number of at least 0, or of at least 1 (`at_least_one`), whole (`whole`)."""
    whole, at_least_one = set(whole), set(at_least_one)
    return {field: number_setting(key, config[key], 1 if key in at_least_one else 0,
                                  key in whole)
            for key, field in keys.items() if config.get(key) is not None}


def flag_setting(key: str, value: Any) -> bool:
    """`value` (of config `key`) when it is a bool; else an `InvalidInputError`."""
    if not isinstance(value, bool):
        raise InvalidInputError(f"config {key} must be true or false, not {value!r}")
    return value


__all__ = ["flag_setting", "number_setting", "number_settings", "text_setting", "url_setting"]
