"""The SDK's settings helpers: config over the prefixed env var, URLs, numbers, flags."""

from __future__ import annotations

import pytest

from mediaconduit.sdk import InvalidInputError
from mediaconduit.sdk.settings import flag_setting, number_setting, text_setting, url_setting

ENV = {"VENDOR_API_KEY": " env-key "}


@pytest.mark.parametrize(("config", "expected"), [
    ({"api_key": "config-key"}, "config-key"),  # config wins
    ({}, "env-key"),                            # else the variable, stripped
    ({"api_key": ""}, "env-key"),               # an empty config value is unset
    ({"api_key": None}, "env-key"),
])
def test_text_setting_reads_config_then_env(config: dict[str, str | None], expected: str) -> None:
    assert text_setting(config, ENV, "api_key", "VENDOR_API_KEY") == expected


def test_text_setting_blank_is_unset_and_unset_is_the_default() -> None:
    assert text_setting({"api_key": "  "}, {}, "api_key", "VENDOR_API_KEY") is None
    assert text_setting({}, {"X": " "}, "base_url", "X", "https://a") == "https://a"
    assert text_setting({"n": 3}, {}, "n", "N") == "3"


def test_url_setting_trims_and_keeps_the_origin() -> None:
    assert url_setting("http://127.0.0.1:9/v1/", "base_url", "V_BASE_URL") == "http://127.0.0.1:9/v1"
    assert url_setting("https://api.x/v1/", "base_url", "V_BASE_URL",
                       origin=True) == "https://api.x"


def test_url_setting_names_the_key_the_variable_and_an_example() -> None:
    with pytest.raises(InvalidInputError) as caught:
        url_setting("api.x", "base_url", "V_BASE_URL", example="https://api.x")
    assert str(caught.value) == ("base_url / V_BASE_URL must be an http(s) URL such as "
                                 "https://api.x, not 'api.x'")
    with pytest.raises(InvalidInputError, match=r"^queue_url / Q must be an http\(s\) URL, not"):
        url_setting("ftp://x", "queue_url", "Q")


def test_number_setting_accepts_numbers_at_least_the_minimum() -> None:
    assert number_setting("timeout", 2.5, minimum=0.001) == 2.5
    assert number_setting("max_attempts", 3, minimum=1, integer=True) == 3


@pytest.mark.parametrize(("value", "integer", "message"), [
    (0, False, "config k must be a number of at least 0.5, not 0"),
    (True, False, "config k must be a number of at least 0.5, not True"),
    ("1", False, "config k must be a number of at least 0.5, not '1'"),
    (1.5, True, "config k must be a whole number of at least 0.5, not 1.5"),
])
def test_number_setting_says_what_it_must_be(value: object, integer: bool, message: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        number_setting("k", value, minimum=0.5, integer=integer)
    assert str(caught.value) == message


def test_flag_setting() -> None:
    assert flag_setting("auto_pull", True) is True
    with pytest.raises(InvalidInputError, match="config auto_pull must be true or false, not 1"):
        flag_setting("auto_pull", 1)
