"""Errors typed with Together's own message, the key never shown, cancellation hangs up."""

from __future__ import annotations

import json
import threading
import time

import pytest
from openai_chat import (
    TOGETHER,
    FakeChat,
    Reply,
    error_reply,
    held,
    out_of_credits,
    rate_limited,
    vendor_error,
)
from together_helpers import CHAT, KEY
from together_provider import TogetherProvider

from mediaconduit.sdk import (
    AuthenticationError,
    InvalidInputError,
    MediaConduitError,
    ModelNotFoundError,
    PaymentRequiredError,
    ProviderUnavailableError,
    RateLimitError,
)
from mediaconduit.sdk.calls import CallContext
from mediaconduit.sdk.fakes import in_call, run_in_call

ENDPOINT = "chat/completions"


def ask(provider: TogetherProvider, model_id: str = CHAT, **params: object) -> object:
    return provider.get_model(model_id).transform("hello", **params)


def test_a_wrong_key_is_an_authentication_error(make_provider: type, fake: FakeChat) -> None:
    with pytest.raises(AuthenticationError, match="Invalid API key provided") as caught:
        make_provider(api_key="tgp_v1_wrong").discover_models()
    assert "TOGETHER_API_KEY" in str(caught.value)


def test_no_credits_is_payment_required(provider: TogetherProvider, fake: FakeChat) -> None:
    fake.script(ENDPOINT, out_of_credits(TOGETHER))
    with pytest.raises(PaymentRequiredError, match="Credit limit exceeded"):
        ask(provider)


def test_a_model_the_api_does_not_serve_names_close_matches(provider: TogetherProvider,
                                                            fake: FakeChat) -> None:
    message = TOGETHER.unknown_model.format(model=CHAT)
    fake.script(ENDPOINT, vendor_error(TOGETHER, 404, message, "model_not_available"))
    with pytest.raises(ModelNotFoundError, match="Unable to access model") as caught:
        ask(provider)
    assert caught.value.model_id == CHAT
    assert "did you mean meta-llama/Llama-3.3-70B-Instruct-Turbo-Free" in str(caught.value)


def test_429_keeps_retry_after(provider: TogetherProvider, fake: FakeChat) -> None:
    fake.script(ENDPOINT, rate_limited(TOGETHER, retry_after=7))
    with pytest.raises(RateLimitError, match="rate limit exceeded") as caught:
        ask(provider)
    assert caught.value.retry_after == 7


def test_400_is_invalid_input_with_the_vendor_message(provider: TogetherProvider) -> None:
    with pytest.raises(InvalidInputError, match="temperature must be in"):
        ask(provider, temperature=5)


def test_5xx_is_unavailable(provider: TogetherProvider, fake: FakeChat) -> None:
    fake.script(ENDPOINT, vendor_error(TOGETHER, 503, "Overloaded", "server_error"))
    with pytest.raises(ProviderUnavailableError, match="Overloaded"):
        ask(provider)


def test_the_client_retries_when_told_to(make_provider: type, fake: FakeChat) -> None:
    fake.script(ENDPOINT, rate_limited(TOGETHER, retry_after=0.05))
    assert ask(make_provider(max_retries=1)).text == "You said: hello"  # type: ignore[attr-defined]
    assert len(fake.requests_to(ENDPOINT)) == 2


def test_a_server_that_is_not_there_is_unavailable(make_provider: type) -> None:
    with pytest.raises(ProviderUnavailableError, match="cannot reach Together"):
        make_provider(base_url="http://127.0.0.1:9").discover_models()


def test_an_error_inside_a_200_stream_carries_the_text_so_far(provider: TogetherProvider,
                                                               fake: FakeChat) -> None:
    error = {"error": {"message": "Rate limit reached mid-stream", "type": "rate_limit_exceeded"}}
    fake.script(ENDPOINT, Reply(text="one two three", stream_error=error, error_after=2))
    got: list[object] = []
    with pytest.raises(RateLimitError, match="Rate limit reached mid-stream") as caught:
        got.extend(provider.get_model(CHAT).stream("go"))
    assert got == ["one", " two"]
    assert caught.value.partial == "one two"


@pytest.mark.parametrize("status", [400, 401, 402, 404, 429, 500])
def test_the_key_never_appears_in_errors(provider: TogetherProvider, fake: FakeChat,
                                         status: int) -> None:
    provider.discover_models()
    fake.script(ENDPOINT, error_reply(status, {"error": {"message": f"bad key {KEY}",
                                                         "type": "x"}}))
    with pytest.raises(MediaConduitError) as caught:
        ask(provider)
    for text in (str(caught.value), repr(caught.value), json.dumps(caught.value.to_dict())):
        assert KEY not in text
    assert "***" in str(caught.value)


def test_a_cancelled_stream_hangs_up_the_upstream(provider: TogetherProvider,
                                                  fake: FakeChat) -> None:
    fake.script(ENDPOINT, held(after=2))
    with in_call() as context:
        stream = provider.get_model(CHAT).stream("go")
        assert [next(stream), next(stream)] == ["one", " two"]
        cancelled_at = time.monotonic()
        threading.Timer(0.05, context.cancel).start()  # while the stream waits for more
        assert list(stream) == []  # ends quietly: the caller asked for it
    seen = fake.wait_for_hangup()
    assert seen is not None and seen - cancelled_at < 1.0


def test_a_cancelled_plain_request_hangs_up_the_upstream(provider: TogetherProvider,
                                                         fake: FakeChat) -> None:
    fake.script(ENDPOINT, held())
    context = CallContext()
    done, failed = run_in_call(context, lambda: ask(provider))
    assert fake.wait_for(ENDPOINT)
    cancelled_at = time.monotonic()
    context.cancel()
    seen = fake.wait_for_hangup()
    assert seen is not None and seen - cancelled_at < 1.0
    assert done.wait(5)  # the blocked read ended, with an error
    assert len(failed) == 1 and isinstance(failed[0], MediaConduitError)
    assert ask(provider).text == "You said: hello"  # type: ignore[attr-defined]
