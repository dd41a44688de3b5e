"""Errors: every API failure typed, with Anthropic's message; retries; cancellation."""

from __future__ import annotations

import json
import socket

import pytest
from anthropic_helpers import FAST, KEY, OPUS
from anthropic_provider import AnthropicProvider
from conftest import MakeProvider
from fake_anthropic import (
    FakeAnthropic,
    Reply,
    billing,
    error_reply,
    held,
    invalid,
    low_credit,
    mid_stream_error,
    not_found,
    overloaded,
    rate_limited,
    unauthorized,
)

from mediaconduit.sdk import (
    AuthenticationError,
    InvalidInputError,
    MediaConduitError,
    ModelNotFoundError,
    PaymentRequiredError,
    ProviderUnavailableError,
    RateLimitError,
)
from mediaconduit.sdk.fakes import cancel_a_read


def ask(provider: AnthropicProvider) -> object:
    return provider.get_model(OPUS).transform("hello")


@pytest.mark.parametrize(("reply", "error", "words"), [
    (unauthorized(), AuthenticationError, "rejected the API key .*invalid x-api-key"),
    (billing(), PaymentRequiredError, "no remaining credits"),
    (low_credit(), PaymentRequiredError, "credit balance is too low"),
    (not_found(OPUS), ModelNotFoundError, "model: claude-opus-4-6"),
    (invalid("messages.0.content: Field required"), InvalidInputError, "Field required"),
    (error_reply(403, "permission_error", "Your API key does not have permission"),
     AuthenticationError, "does not have permission"),
    (error_reply(413, "request_too_large", "Request exceeds the maximum size"),
     InvalidInputError, "maximum size"),
], ids=["401", "402", "400-credit", "404", "400", "403", "413"])
def test_error_answers_are_typed(provider: AnthropicProvider, fake: FakeAnthropic, reply: Reply,
                                 error: type[MediaConduitError], words: str) -> None:
    fake.script(reply)
    with pytest.raises(error, match=words) as info:
        ask(provider)
    assert type(info.value) is error
    assert "[request-id req_" in str(info.value)
    assert len(fake.requests_to("/v1/messages")) == 1  # x-should-retry: false


def test_404_names_close_matches(provider: AnthropicProvider, fake: FakeAnthropic) -> None:
    provider.discover_models()
    fake.script(not_found(OPUS))
    with pytest.raises(ModelNotFoundError, match="did you mean claude-opus-4-6") as info:
        ask(provider)
    assert info.value.model_id == OPUS


def test_overloaded_is_retried_then_unavailable(provider: AnthropicProvider,
                                                fake: FakeAnthropic) -> None:
    fake.script(*[overloaded()] * FAST["max_attempts"])
    with pytest.raises(ProviderUnavailableError, match="529: Overloaded"):
        ask(provider)
    assert len(fake.requests_to("/v1/messages")) == FAST["max_attempts"]


def test_overloaded_then_an_answer(provider: AnthropicProvider, fake: FakeAnthropic) -> None:
    fake.script(overloaded(), error_reply(500, "api_error", "Internal server error"))
    assert provider.get_model(OPUS).transform("hello").text == "You said: hello"
    first, second, third = fake.requests_to("/v1/messages")
    assert second.at - first.at >= FAST["backoff"]
    assert third.at - second.at >= FAST["backoff"] * 2


def test_429_waits_the_retry_after_it_is_given(provider: AnthropicProvider,
                                               fake: FakeAnthropic) -> None:
    fake.script(rate_limited(retry_after=0.3))
    assert ask(provider)
    first, second = fake.requests_to("/v1/messages")
    assert second.at - first.at >= 0.3


def test_429_longer_than_max_retry_wait_keeps_retry_after(provider: AnthropicProvider,
                                                          fake: FakeAnthropic) -> None:
    fake.script(rate_limited(retry_after=30))
    with pytest.raises(RateLimitError, match="exceed the rate limit") as info:
        ask(provider)
    assert info.value.retry_after == 30
    assert len(fake.requests_to("/v1/messages")) == 1


def test_x_should_retry_false_is_obeyed(provider: AnthropicProvider, fake: FakeAnthropic) -> None:
    fake.script(error_reply(500, "api_error", "Internal server error", retry=False))
    with pytest.raises(ProviderUnavailableError, match="500: Internal server error"):
        ask(provider)
    assert len(fake.requests_to("/v1/messages")) == 1


@pytest.mark.parametrize(("kind", "error"), [
    ("overloaded_error", ProviderUnavailableError), ("rate_limit_error", RateLimitError),
    ("invalid_request_error", InvalidInputError),
])
def test_an_error_event_inside_a_200_stream(provider: AnthropicProvider, fake: FakeAnthropic,
                                            kind: str, error: type[MediaConduitError]) -> None:
    fake.script(mid_stream_error(kind, "went wrong", after=2))
    got: list[object] = []
    with pytest.raises(error, match="went wrong"):
        got.extend(provider.get_model(OPUS).stream("one two three"))
    assert got == ["You", " said:"]


def test_a_stream_retries_before_it_begins(provider: AnthropicProvider,
                                           fake: FakeAnthropic) -> None:
    fake.script(overloaded())
    assert "".join(str(c) for c in provider.get_model(OPUS).stream("hi")) == "You said: hi"
    assert len(fake.requests_to("/v1/messages")) == 2


@pytest.mark.parametrize("status", [400, 401, 404, 429, 529])
def test_the_key_never_appears_in_errors(provider: AnthropicProvider, fake: FakeAnthropic,
                                         status: int) -> None:
    fake.script(*[error_reply(status, "x", f"bad key {KEY}")] * FAST["max_attempts"])
    with pytest.raises(MediaConduitError) as info:
        ask(provider)
    for text in (str(info.value), repr(info.value), json.dumps(info.value.to_dict())):
        assert KEY not in text and KEY[14:] not in text
    assert "bad key ***" in str(info.value)


def test_a_server_that_is_down_is_unavailable(make_provider: MakeProvider) -> None:
    with socket.socket() as spare:
        spare.bind(("127.0.0.1", 0))
        port = spare.getsockname()[1]
    provider = make_provider(base_url=f"http://127.0.0.1:{port}")
    with pytest.raises(ProviderUnavailableError, match=f"cannot reach Anthropic at .*:{port}"):
        provider.discover_models()


def test_cancelling_a_stream_hangs_up_on_the_api(provider: AnthropicProvider,
                                                 fake: FakeAnthropic) -> None:
    fake.script(held())
    model = provider.get_model(OPUS)
    read = cancel_a_read(lambda: model.stream("one two three"), fake)
    assert read.items == ["You"]
    assert read.hung_up_at is not None
    assert read.ended  # the blocked read ended too,
    assert read.failures == []  # quietly: the provider knows it hung up itself

