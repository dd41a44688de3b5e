"""Settings: config over environment, the base URL as an origin, bad values named."""

from __future__ import annotations

import pytest
from replicate_provider import load_settings

from mediaconduit.sdk import InvalidInputError


def test_config_wins_over_the_environment() -> None:
    settings = load_settings({"api_token": "r8_fromconfig0000", "base_url": "http://b:1"},
                             {"REPLICATE_API_TOKEN": "r8_fromenv0000000",
                              "REPLICATE_BASE_URL": "http://a:1"})
    assert settings.api_token == "r8_fromconfig0000"
    assert settings.base_url == "http://b:1"
    assert "r8_fromconfig" not in repr(settings)


def test_defaults() -> None:
    settings = load_settings({}, {})
    assert settings.base_url == "https://api.replicate.com"
    assert settings.job.wait == 10
    assert settings.timeouts.read == 300


@pytest.mark.parametrize(("url", "origin"), [
    ("https://api.replicate.com/v1", "https://api.replicate.com"),
    ("http://127.0.0.1:8080/", "http://127.0.0.1:8080"),
])
def test_the_base_url_is_the_origin(url: str, origin: str) -> None:
    assert load_settings({"base_url": url}, {}).base_url == origin


def test_a_held_create_never_times_out_first() -> None:
    settings = load_settings({"timeout": 5, "wait": 30}, {})
    assert settings.timeouts.read == 40


@pytest.mark.parametrize(("config", "message"), [
    ({"base_url": "api.replicate.com"}, "must be an http"),
    ({"wait": 61}, "wait must be at most 60"),
    ({"poll_interval": 0}, "poll_interval must be a number of at least 0.001"),
    ({"max_attempts": 0}, "max_attempts must be a number of at least 1"),
    ({"timeout": "10"}, "timeout must be a number"),
])
def test_a_bad_setting_is_named(config: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        load_settings(config, {})
