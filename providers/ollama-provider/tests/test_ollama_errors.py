"""Errors typed with Ollama's message; retries when busy; the server down; cancellation."""

from __future__ import annotations

import pytest
from conftest import MakeProvider
from fake_ollama import FakeOllama, busy, error_reply, held, mid_stream_error
from ollama_helpers import EMBED, FAST, LLAMA, closed_port
from ollama_provider import OllamaProvider

from mediaconduit.sdk import (
    AuthenticationError,
    InvalidInputError,
    MediaConduitError,
    PaymentRequiredError,
    ProviderUnavailableError,
    RateLimitError,
)
from mediaconduit.sdk.fakes import cancel_a_read


@pytest.mark.parametrize(("status", "message", "error"), [
    (400, "invalid options: temprature", InvalidInputError),
    (401, "unauthorized", AuthenticationError),
    (402, "you have reached your usage limit", PaymentRequiredError),
    (429, "too many requests", RateLimitError),
    (500, "llama runner process has terminated: signal: killed", ProviderUnavailableError),
])
def test_error_answers_are_typed(provider: OllamaProvider, fake: FakeOllama, status: int,
                                 message: str, error: type[MediaConduitError]) -> None:
    fake.script(*[error_reply(status, message)] * FAST["max_attempts"])
    with pytest.raises(error, match=message) as info:
        provider.get_model(LLAMA).transform("hi")
    assert type(info.value) is error
    expected = FAST["max_attempts"] if status == 429 else 1
    assert len(fake.requests_to("/api/chat")) == expected


def test_an_embedding_model_cannot_chat(provider: OllamaProvider) -> None:
    with pytest.raises(InvalidInputError, match="does not support chat"):
        provider.get_model(EMBED).transform("hi")


def test_a_busy_server_is_retried_with_backoff(provider: OllamaProvider,
                                               fake: FakeOllama) -> None:
    fake.script(busy(), busy())
    assert provider.get_model(LLAMA).transform("hi").text == "You said: hi"
    first, second, third = fake.requests_to("/api/chat")
    assert second.at - first.at >= FAST["backoff"]
    assert third.at - second.at >= 2 * FAST["backoff"]


def test_busy_after_every_retry_is_unavailable(provider: OllamaProvider,
                                               fake: FakeOllama) -> None:
    fake.script(*[busy()] * FAST["max_attempts"])
    with pytest.raises(ProviderUnavailableError, match="server busy"):
        provider.get_model(LLAMA).transform("hi")


def test_an_error_line_inside_a_200_stream(provider: OllamaProvider, fake: FakeOllama) -> None:
    fake.script(mid_stream_error(after=2))
    got: list[object] = []
    with pytest.raises(ProviderUnavailableError, match="unexpected EOF"):
        got.extend(provider.get_model(LLAMA).stream("one two three"))
    assert got == ["You", " said:"]


def test_a_server_that_is_not_running(make_provider: MakeProvider) -> None:
    provider = make_provider(host=f"http://127.0.0.1:{closed_port()}")
    with pytest.raises(ProviderUnavailableError, match="start it with `ollama serve`"):
        provider.get_model(LLAMA)


def test_a_server_that_stopped_says_how_to_start_it(make_provider: MakeProvider) -> None:
    with FakeOllama() as doomed:
        provider = make_provider(host=doomed.host)
        model = provider.get_model(LLAMA)
    with pytest.raises(ProviderUnavailableError, match="ollama serve"):
        list(model.stream("hi"))
    with pytest.raises(ProviderUnavailableError, match="ollama serve"):
        model.transform("hi")


def test_cancelling_a_stream_hangs_up_on_the_server(provider: OllamaProvider,
                                                    fake: FakeOllama) -> None:
    fake.script(held())
    model = provider.get_model(LLAMA)
    read = cancel_a_read(lambda: model.stream("one two three"), fake)
    assert read.items == ["You"]
    assert read.hung_up_at is not None
    assert read.ended  # the blocked read ended too,
    assert read.failures == []  # quietly: the provider knows it hung up itself

