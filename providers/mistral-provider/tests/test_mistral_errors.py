"""Errors typed with Mistral's own message, the key never shown, cancellation hangs up."""

from __future__ import annotations

import json
import threading
import time

import pytest
from mistral_helpers import KEY, SMALL
from mistral_provider import MistralProvider
from openai_chat import (
    MISTRAL,
    FakeChat,
    Reply,
    error_reply,
    held,
    out_of_credits,
    rate_limited,
    vendor_error,
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
from mediaconduit.sdk.calls import CallContext
from mediaconduit.sdk.fakes import in_call, run_in_call

ENDPOINT = "chat/completions"


def ask(provider: MistralProvider, model_id: str = SMALL, **params: object) -> object:
    return provider.get_model(model_id).transform("hello", **params)


@pytest.mark.parametrize("body", [{"message": "Unauthorized", "request_id": "933f"},
                                  {"detail": "Unauthorized"}])
def test_401_in_both_shapes_is_an_authentication_error(provider: MistralProvider, fake: FakeChat,
                                                       body: dict[str, str]) -> None:
    fake.script(ENDPOINT, error_reply(401, body))
    with pytest.raises(AuthenticationError, match=r"Unauthorized.*MISTRAL_API_KEY"):
        ask(provider)


def test_a_missing_key_header_is_refused_by_the_api(make_provider: type) -> None:
    with pytest.raises(AuthenticationError, match="Unauthorized"):
        make_provider(api_key="mst-wrong").discover_models()


def test_402_is_payment_required(provider: MistralProvider, fake: FakeChat) -> None:
    fake.script(ENDPOINT, out_of_credits(MISTRAL))
    with pytest.raises(PaymentRequiredError, match="Insufficient credits"):
        ask(provider)


def test_404_model_names_close_matches(provider: MistralProvider, fake: FakeChat) -> None:
    message = MISTRAL.unknown_model.format(model=SMALL)
    fake.script(ENDPOINT, vendor_error(MISTRAL, 404, message, "invalid_model"))
    with pytest.raises(ModelNotFoundError, match="Invalid model") as caught:
        ask(provider)
    assert caught.value.model_id == SMALL
    assert "mistral-small-2506" in str(caught.value).split("did you mean")[1]


def test_a_wrong_base_url_is_not_a_missing_model(make_provider: type, fake: FakeChat) -> None:
    with pytest.raises(ProviderUnavailableError, match=r"no Route matched.*MISTRAL_BASE_URL"):
        make_provider(base_url=f"{fake.base_url}/api").discover_models()


def test_429_keeps_retry_after(provider: MistralProvider, fake: FakeChat) -> None:
    fake.script(ENDPOINT, rate_limited(MISTRAL, retry_after=9))
    with pytest.raises(RateLimitError, match="rate limit exceeded") as caught:
        ask(provider)
    assert caught.value.retry_after == 9


def test_400_is_invalid_input_with_the_vendor_message(provider: MistralProvider,
                                                      fake: FakeChat) -> None:
    message = ("Prompt contains 40960 tokens and 0 draft tokens, too large for model with "
               "32768 maximum context length")
    fake.script(ENDPOINT, vendor_error(MISTRAL, 400, message, "invalid_request_message_error"))
    with pytest.raises(InvalidInputError, match="too large for model"):
        ask(provider)


def test_422_names_the_field(provider: MistralProvider, fake: FakeChat) -> None:
    detail = {"detail": [{"loc": ["body", "temperature"], "msg": "Input should be <= 1.5",
                          "type": "less_than_equal"}]}
    fake.script(ENDPOINT, error_reply(422, detail))
    with pytest.raises(InvalidInputError, match=r"temperature: Input should be <= 1\.5"):
        ask(provider)


def test_the_client_retries_when_told_to(make_provider: type, fake: FakeChat) -> None:
    fake.script(ENDPOINT, vendor_error(MISTRAL, 503, "Service unavailable", "server_error"))
    assert ask(make_provider(max_retry_seconds=5, retry_backoff=0.01)).text == "You said: hello"  # type: ignore[attr-defined]
    assert len(fake.requests_to(ENDPOINT)) == 2


def test_5xx_is_unavailable(provider: MistralProvider, fake: FakeChat) -> None:
    fake.script(ENDPOINT, vendor_error(MISTRAL, 503, "Service unavailable", "server_error"))
    with pytest.raises(ProviderUnavailableError, match="Service unavailable"):
        ask(provider)


def test_a_server_that_is_not_there_is_unavailable(make_provider: type) -> None:
    with pytest.raises(ProviderUnavailableError, match="cannot reach Mistral"):
        make_provider(base_url="http://127.0.0.1:9").discover_models()


def test_an_error_inside_a_200_stream_carries_the_text_so_far(provider: MistralProvider,
                                                               fake: FakeChat) -> None:
    error = {"object": "error", "message": "Rate limit exceeded mid-stream",
             "type": "rate_limit_error", "param": None, "code": None}
    fake.script(ENDPOINT, Reply(text="un deux trois", stream_error=error, error_after=2))
    got: list[object] = []
    with pytest.raises(RateLimitError, match="Rate limit exceeded mid-stream") as caught:
        got.extend(provider.get_model(SMALL).stream("go"))
    assert got == ["un", " deux"]
    assert caught.value.partial == "un deux"


@pytest.mark.parametrize("status", [400, 401, 402, 404, 429, 500])
def test_the_key_never_appears_in_errors(provider: MistralProvider, fake: FakeChat,
                                         status: int) -> None:
    provider.discover_models()
    fake.script(ENDPOINT, error_reply(status, {"object": "error", "message": f"bad key {KEY}",
                                               "type": "x"}))
    with pytest.raises(MediaConduitError) as caught:
        ask(provider)
    for text in (str(caught.value), repr(caught.value), json.dumps(caught.value.to_dict())):
        assert KEY not in text
    assert "***" in str(caught.value)


def test_a_cancelled_stream_hangs_up_the_upstream(provider: MistralProvider,
                                                  fake: FakeChat) -> None:
    fake.script(ENDPOINT, held(after=2))
    with in_call() as context:
        stream = provider.get_model(SMALL).stream("go")
        assert [next(stream), next(stream)] == ["one", " two"]
        cancelled_at = time.monotonic()
        threading.Timer(0.05, context.cancel).start()  # while the stream waits for more
        assert list(stream) == []
    seen = fake.wait_for_hangup()
    assert seen is not None and seen - cancelled_at < 1.0


def test_retry_after_as_seconds_or_an_http_date() -> None:
    import email.utils

    from mistral_provider.errors import parse_retry_after

    assert parse_retry_after("2.5") == 2.5
    later = email.utils.formatdate(time.time() + 30, usegmt=True)
    assert 25 < (parse_retry_after(later) or 0) <= 30
    assert parse_retry_after("soon") is None and parse_retry_after(None) is None


def test_a_cancelled_plain_request_hangs_up_the_upstream(provider: MistralProvider,
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
