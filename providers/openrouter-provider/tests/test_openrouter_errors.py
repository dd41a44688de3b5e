"""Every OpenRouter error as a typed SDK error; retries; timeouts; the key kept secret."""

from __future__ import annotations

import socket
from typing import Any

import pytest
from fake_openrouter import (
    FakeOpenRouter,
    Reply,
    completion,
    dropped,
    error_reply,
    mid_stream_error,
    no_endpoints,
    payment_required,
    rate_limited,
    server_error,
    silent,
    unauthorized,
)
from openrouter_helpers import FAST, KEY
from openrouter_provider import OpenRouterModel

from mediaconduit.sdk import (
    AuthenticationError,
    InvalidInputError,
    MediaConduitError,
    ModelInfo,
    ModelNotFoundError,
    PaymentRequiredError,
    ProviderUnavailableError,
    RateLimitError,
    Text,
)

FREE = "openai/gpt-oss-20b:free"
CHAT = "chat/completions"


def ask(provider: Any, model_id: str = FREE) -> Text:
    result: Text = provider.get_model(model_id).transform(Text("hello"))
    return result


def test_no_key_is_a_clear_authentication_error(make_provider: Any, fake: FakeOpenRouter) -> None:
    provider = make_provider(api_key=None)
    with pytest.raises(AuthenticationError) as info:
        ask(provider)
    message = str(info.value)
    assert "OPENROUTER_API_KEY is not set" in message
    assert "export OPENROUTER_API_KEY=" in message
    assert "https://openrouter.ai/keys" in message
    assert fake.requests_to(CHAT) == []


def test_401_from_the_api(make_provider: Any, fake: FakeOpenRouter) -> None:
    fake.script(CHAT, unauthorized())
    with pytest.raises(AuthenticationError, match="No auth credentials found") as info:
        ask(make_provider())
    assert "OPENROUTER_API_KEY" in str(info.value)
    assert len(fake.requests_to(CHAT)) == 1


def test_wrong_key_is_rejected_like_the_real_api(make_provider: Any, fake: FakeOpenRouter) -> None:
    wrong = "sk-or-v1-" + "9" * 64
    with pytest.raises(AuthenticationError, match="User not found") as info:
        ask(make_provider(api_key=wrong))
    assert wrong not in str(info.value)


def test_402_says_credits_ran_out_and_where_to_add_them(make_provider: Any,
                                                        fake: FakeOpenRouter) -> None:
    fake.script(CHAT, payment_required())
    with pytest.raises(PaymentRequiredError) as info:
        ask(make_provider())
    assert "credits ran out" in str(info.value)
    assert "https://openrouter.ai/settings/credits" in str(info.value)


def test_402_key_limit(make_provider: Any, fake: FakeOpenRouter) -> None:
    body = {"error": {"message": "Key limit exceeded", "code": 402,
                      "metadata": {"limit_source": "openrouter_key_limit"}}}
    fake.script(CHAT, error_reply(402, body))
    with pytest.raises(PaymentRequiredError, match="spending limit"):
        ask(make_provider())


def test_404_no_endpoints_is_model_not_found(make_provider: Any, fake: FakeOpenRouter) -> None:
    fake.script(CHAT, no_endpoints(FREE))
    with pytest.raises(ModelNotFoundError, match="No endpoints found for") as info:
        ask(make_provider())
    assert info.value.model_id == FREE


def test_404_for_an_unsupported_feature_is_invalid_input(make_provider: Any,
                                                         fake: FakeOpenRouter) -> None:
    body = {"error": {"message": "No endpoints found that support image input", "code": 404}}
    fake.script(CHAT, error_reply(404, body))
    with pytest.raises(InvalidInputError, match="support image input"):
        ask(make_provider())


def test_unknown_model_at_the_api_is_model_not_found(make_provider: Any) -> None:
    provider = make_provider()
    model = OpenRouterModel(ModelInfo(id="nobody/nothing"), provider)
    with pytest.raises(ModelNotFoundError, match="not a valid model ID") as info:
        model.transform(Text("x"))
    assert info.value.model_id == "nobody/nothing"


def test_400_bad_request_is_invalid_input(make_provider: Any, fake: FakeOpenRouter) -> None:
    fake.script(CHAT, error_reply(400, {"error": {"message": "temperature too high", "code": 400}}))
    with pytest.raises(InvalidInputError, match="temperature too high"):
        ask(make_provider())
    assert len(fake.requests_to(CHAT)) == 1


def test_429_waits_for_retry_after_then_succeeds(make_provider: Any, fake: FakeOpenRouter) -> None:
    fake.script(CHAT, rate_limited(retry_after=0.2), completion("finally"))
    assert ask(make_provider()).text == "finally"
    first, second = fake.requests_to(CHAT)
    assert second.at - first.at >= 0.2


def test_429_retries_are_bounded(make_provider: Any, fake: FakeOpenRouter) -> None:
    fake.script(CHAT, *[rate_limited(retry_after=0.05)] * 5)
    with pytest.raises(RateLimitError, match="free-models-per-day") as info:
        ask(make_provider())
    assert info.value.retry_after == pytest.approx(0.05)
    assert len(fake.requests_to(CHAT)) == FAST["max_attempts"]


def test_429_asking_for_longer_than_max_retry_wait_fails_at_once(
    make_provider: Any, fake: FakeOpenRouter
) -> None:
    fake.script(CHAT, rate_limited(retry_after=3600))
    with pytest.raises(RateLimitError) as info:
        ask(make_provider(max_retry_wait=1))
    assert info.value.retry_after == 3600
    assert len(fake.requests_to(CHAT)) == 1


def test_429_upstream_names_the_upstream(make_provider: Any, fake: FakeOpenRouter) -> None:
    fake.script(CHAT, *[rate_limited(upstream=True)] * 3)
    with pytest.raises(RateLimitError) as info:
        ask(make_provider())
    assert "temporarily rate-limited upstream" in str(info.value)
    assert "DeepInfra" in str(info.value)
    assert info.value.retry_after is None


@pytest.mark.parametrize("status", [500, 502, 503])
def test_5xx_is_retried(make_provider: Any, fake: FakeOpenRouter, status: int) -> None:
    fake.script(CHAT, server_error(status), completion("recovered"))
    assert ask(make_provider()).text == "recovered"
    assert len(fake.requests_to(CHAT)) == 2


def test_5xx_exhausted_is_provider_unavailable(make_provider: Any, fake: FakeOpenRouter) -> None:
    fake.script(CHAT, *[server_error(503, "No provider meets your requirements")] * 3)
    with pytest.raises(ProviderUnavailableError, match="No provider meets"):
        ask(make_provider())
    assert len(fake.requests_to(CHAT)) == 3


def test_dropped_connection_is_retried(make_provider: Any, fake: FakeOpenRouter) -> None:
    fake.script(CHAT, dropped(), completion("again"))
    assert ask(make_provider()).text == "again"


def test_discovery_retries_5xx(make_provider: Any, fake: FakeOpenRouter) -> None:
    fake.script("models", server_error(502))
    assert len(make_provider().discover_models()) == 414
    assert len(fake.requests_to("models")) == 2


def test_unreachable_service_is_provider_unavailable(make_provider: Any) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    provider = make_provider(base_url=f"http://127.0.0.1:{port}/api/v1")
    with pytest.raises(ProviderUnavailableError, match="cannot reach"):
        provider.discover_models()


def test_silent_answer_hits_the_read_timeout(make_provider: Any, fake: FakeOpenRouter) -> None:
    fake.script(CHAT, silent(3))
    with pytest.raises(ProviderUnavailableError, match="no answer within"):
        ask(make_provider(timeout=0.3))
    assert len(fake.requests_to(CHAT)) == 1  # a read timeout is not retried


# --- errors in streams --------------------------------------------------------------


def test_error_chunk_inside_a_200_stream_is_typed(make_provider: Any, fake: FakeOpenRouter) -> None:
    fake.script(CHAT, Reply(text="one two three", stream_error=mid_stream_error().stream_error))
    got: list[str] = []
    with pytest.raises(RateLimitError, match="temporarily rate-limited upstream"):
        got.extend(make_provider().get_model(FREE).stream(Text("go")))
    assert got == ["one"]


def test_server_error_chunk_in_a_stream(make_provider: Any, fake: FakeOpenRouter) -> None:
    error = {"code": "server_error", "message": "upstream exploded"}
    fake.script(CHAT, Reply(text="a b", stream_error=error))
    with pytest.raises(ProviderUnavailableError, match="upstream exploded"):
        list(make_provider().get_model(FREE).stream(Text("go")))


def test_silent_stream_hits_the_idle_timeout(make_provider: Any, fake: FakeOpenRouter) -> None:
    fake.script(CHAT, Reply(text="first second", silence=3))
    got: list[str] = []
    with pytest.raises(ProviderUnavailableError, match="went silent"):
        got.extend(make_provider(idle_timeout=0.3).get_model(FREE).stream(Text("go")))
    assert got == ["first"]


def test_stream_errors_before_the_body_are_typed_and_retried(make_provider: Any,
                                                             fake: FakeOpenRouter) -> None:
    fake.script(CHAT, rate_limited(retry_after=0.05), payment_required())
    with pytest.raises(PaymentRequiredError):
        list(make_provider().get_model(FREE).stream(Text("go")))
    assert len(fake.requests_to(CHAT)) == 2


# --- the key stays secret -----------------------------------------------------------


def echoing(status: int) -> Reply:
    """An error whose body quotes the key, as a careless upstream might."""
    return error_reply(status, {"error": {"message": f"bad request with key {KEY}",
                                          "code": status}})


@pytest.mark.parametrize("status", [400, 401, 402, 403, 404, 429, 500])
def test_the_key_never_appears_in_errors(make_provider: Any, fake: FakeOpenRouter,
                                         status: int) -> None:
    fake.script(CHAT, *[echoing(status)] * 3)
    with pytest.raises(MediaConduitError) as info:
        ask(make_provider(max_attempts=1))
    for text in (str(info.value), repr(info.value), str(info.value.to_dict())):
        assert KEY not in text
        assert KEY[9:] not in text
    assert "***" in str(info.value)


def test_the_key_never_appears_in_stream_errors(make_provider: Any, fake: FakeOpenRouter) -> None:
    error = {"code": 500, "message": f"oops {KEY}"}
    fake.script(CHAT, Reply(text="a b", stream_error=error))
    with pytest.raises(ProviderUnavailableError) as info:
        list(make_provider().get_model(FREE).stream(Text("go")))
    assert KEY not in str(info.value)


def test_settings_repr_hides_the_key(make_provider: Any) -> None:
    assert KEY not in repr(make_provider().settings)
