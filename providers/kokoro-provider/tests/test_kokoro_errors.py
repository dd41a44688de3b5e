"""Every error answer of Kokoro-FastAPI (protocols.md §10a) as a typed error."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fake_kokoro import FakeKokoro, Reply, detail, processing_error
from kokoro_provider import START_COMMAND, KokoroProvider, load_settings
from kokoro_provider.errors import status_error

from mediaconduit.sdk import (
    InvalidInputError,
    MediaConduitError,
    ModelNotFoundError,
    ProviderUnavailableError,
    RateLimitError,
    call_outputs,
)

UNPROCESSABLE = {"detail": [{"type": "greater_than_equal", "loc": ["body", "speed"],
                             "msg": "Input should be greater than or equal to 0.25",
                             "input": 0.1, "ctx": {"ge": 0.25}}]}


def speak(provider: KokoroProvider) -> Any:
    return provider.get_model("kokoro").transform("hello")


@pytest.mark.parametrize(("status", "body", "kind", "words"), [
    (400, detail("invalid_model", "Unsupported model: kokoro"), ModelNotFoundError,
     "Unsupported model: kokoro"),
    (400, detail("validation_error", "Voice combination contains empty combine items"),
     InvalidInputError, "empty combine items"),
    (403, detail("permission_denied", "Voice tags are disabled on this server",
                 "permission_error"), InvalidInputError, "Voice tags are disabled"),
    (404, detail("model_not_found", "Model 'kokoro' not found"), ModelNotFoundError,
     "Model 'kokoro' not found"),
    (404, detail("not_found", "Audio file not found"), ModelNotFoundError, "Audio file not found"),
    (422, UNPROCESSABLE, InvalidInputError, "speed: Input should be greater than or equal"),
    (429, {"detail": "Too Many Requests"}, RateLimitError, "Too Many Requests"),
    (500, processing_error("CUDA out of memory"), ProviderUnavailableError, "CUDA out of memory"),
    (500, detail("server_error", "Failed to retrieve voice list", "server_error"),
     ProviderUnavailableError, "Failed to retrieve voice list"),
    (503, {"detail": "Service Unavailable"}, ProviderUnavailableError, "Service Unavailable"),
])
def test_error_answers_are_typed_with_the_servers_message(
        provider: KokoroProvider, fake: FakeKokoro, status: int, body: Any,
        kind: type[MediaConduitError], words: str) -> None:
    fake.script(Reply(status=status, body=body))
    with pytest.raises(kind, match=words) as info:
        speak(provider)
    assert type(info.value) is kind
    assert f"Kokoro answered {status}" in str(info.value)


def test_a_server_that_is_not_running_says_how_to_start_it(make_provider: Any) -> None:
    provider = make_provider(base_url="http://127.0.0.1:9")
    for call in (lambda: speak(provider), provider.voices, provider.discover_models):
        with pytest.raises(ProviderUnavailableError) as info:
            call()
        assert START_COMMAND in str(info.value) and "http://127.0.0.1:9" in str(info.value)
    assert provider.health()["ok"] is False


def test_a_dropped_connection_is_unavailable(provider: KokoroProvider, fake: FakeKokoro) -> None:
    fake.script(Reply(drop=True))
    with pytest.raises(ProviderUnavailableError):
        speak(provider)


def test_a_stalled_stream_is_unavailable(make_provider: Any, fake: FakeKokoro) -> None:
    provider = make_provider(timeout=0.3)
    fake.script(Reply(hold=3))
    with pytest.raises(ProviderUnavailableError, match=r"broke off|no answer"):
        provider.get_model("kokoro").transform("one two three four five", response_format="wav")


def test_the_client_retries_a_server_error(make_provider: Any, fake: FakeKokoro) -> None:
    provider = make_provider(max_retries=1)
    fake.script(Reply(status=500, body=processing_error("warming up")))
    assert speak(provider).path is not None
    assert len(fake.requests_to("/v1/audio/speech")) == 2


@pytest.mark.parametrize(("body", "words"), [
    ("Internal Server Error", "Internal Server Error"), (None, "no details"),
    ({"detail": [{"msg": "Field required", "loc": ["body", "input"]}]}, "input: Field required"),
])
def test_odd_bodies_still_give_a_message(body: Any, words: str) -> None:
    assert words in str(status_error(500 if isinstance(body, str) else 422, body, "kokoro"))


@pytest.mark.parametrize(("config", "words"), [
    ({"base_url": "localhost:8880"}, "http(s) URL"), ({"response_format": "ogg"}, "ogg"),
    ({"timeout": 0}, "timeout"), ({"max_retries": -1}, "max_retries"),
])
def test_bad_settings_name_the_key(config: dict[str, Any], words: str) -> None:
    with pytest.raises(InvalidInputError, match=words.replace("(", r"\(").replace(")", r"\)")):
        load_settings(config, {})


def test_settings_defaults_and_precedence() -> None:
    assert load_settings({}, {}).api_url == "http://localhost:8880/v1"
    env = {"KOKORO_BASE_URL": "http://box:8880/v1/"}
    assert load_settings({}, env).base_url == "http://box:8880"
    assert load_settings({"base_url": "http://other:1"}, env).base_url == "http://other:1"


def test_a_failed_call_leaves_no_file(provider: KokoroProvider, fake: FakeKokoro,
                                      tmp_path: Path) -> None:
    fake.script(Reply(status=500, body=processing_error("boom")), Reply(drop=True))
    with call_outputs(tmp_path):
        for _ in range(2):
            with pytest.raises(ProviderUnavailableError):
                speak(provider)
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []
