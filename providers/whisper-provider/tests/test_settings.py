"""Settings and parameters: config over environment, defaults per API, clear errors."""

from __future__ import annotations

import pytest
from whisper_provider.request import parse_request
from whisper_provider.settings import load_settings

from mediaconduit.sdk import InvalidInputError


def test_config_wins_over_the_environment() -> None:
    env = {"WHISPER_BASE_URL": "http://env:1", "WHISPER_API": "openai", "WHISPER_API_KEY": "k"}
    settings = load_settings({"base_url": "http://cfg:2/v1/", "api": "asr-webservice"}, env)
    assert (settings.base_url, settings.api, settings.api_key) == (
        "http://cfg:2", "asr-webservice", "k")


@pytest.mark.parametrize(("env", "api", "url"), [
    ({}, None, "http://localhost:9000"),
    ({"WHISPER_API": "openai"}, "openai", "http://localhost:8000"),
    ({"WHISPER_API": "openai", "WHISPER_API_KEY": "sk-x"}, "openai", "https://api.openai.com"),
    ({"WHISPER_API": "asr-webservice"}, "asr-webservice", "http://localhost:9000"),
])
def test_each_api_has_its_default_url(env: dict[str, str], api: str | None, url: str) -> None:
    settings = load_settings({}, env)
    assert (settings.api, settings.url_for(settings.api)) == (api, url)


@pytest.mark.parametrize(("config", "words"), [
    ({"api": "grpc"}, "api / WHISPER_API must be asr-webservice or openai"),
    ({"base_url": "localhost:9000"}, "must be an http"),
    ({"timeout": 0}, "timeout must be a number"),
    ({"max_retries": -1}, "max_retries must be a whole number"),
])
def test_bad_settings_say_which_and_how(config: dict[str, object], words: str) -> None:
    with pytest.raises(InvalidInputError, match=words):
        load_settings(config, {})


def test_the_start_hint_names_the_docker_commands() -> None:
    hint = load_settings({}, {}).start_hint(None)
    assert "onerahmet/openai-whisper-asr-webservice" in hint
    assert "ghcr.io/speaches-ai/speaches" in hint


def test_parameters_default_and_check() -> None:
    assert parse_request("whisper", {}).format == "text"
    request = parse_request("whisper", {"format": "srt", "language": "fr", "task": "translate",
                                        "word_timestamps": True})
    assert (request.format, request.language, request.task, request.word_timestamps) == (
        "srt", "fr", "translate", True)
    with pytest.raises(InvalidInputError, match="did you mean 'prompt'"):
        parse_request("whisper", {"promt": "x"})
