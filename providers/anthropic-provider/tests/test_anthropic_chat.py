"""Chat: the request the API gets, the answer with usage and cost, streams, images."""

from __future__ import annotations

from decimal import Decimal

import pytest
from anthropic_helpers import OPUS, PNG, RETIRED
from anthropic_provider import AnthropicProvider
from conftest import MakeProvider
from fake_anthropic import FakeAnthropic, answer

from mediaconduit.sdk import Audio, Image, InvalidInputError, ModelNotFoundError, Text


def test_transform_answers_with_usage_and_ids(provider: AnthropicProvider,
                                              fake: FakeAnthropic) -> None:
    result = provider.get_model(OPUS).transform("What is the capital of France?")
    assert result.text == "You said: What is the capital of France?"
    assert (result.usage.input_tokens, result.usage.output_tokens) == (6, 8)
    assert result.cost.usd is None  # the API lists no prices
    assert result.metadata["stop_reason"] == "end_turn"
    assert result.metadata["id"].startswith("msg_")
    assert result.metadata["request_id"].startswith("req_")
    assert result.metadata["rate_limits"]["anthropic-ratelimit-requests-remaining"] == "49"
    (request,) = fake.requests_to("/v1/messages")
    assert request.body == {"model": OPUS, "max_tokens": 4096, "messages": [
        {"role": "user", "content": "What is the capital of France?"}]}


def test_system_conversation_and_params_pass_through(provider: AnthropicProvider,
                                                     fake: FakeAnthropic) -> None:
    history = [{"role": "system", "content": "Answer in French."},
               {"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Salut"}]
    provider.get_model(OPUS).transform(
        "And now?", system="Be brief.", messages=history, temperature=0.2, max_tokens=50,
        top_k=3, stop_sequences=["END"], metadata={"user_id": "u1"}, x_future_param=True)
    body = fake.requests_to("/v1/messages")[0].body
    assert body["system"] == "Be brief.\n\nAnswer in French."
    assert body["messages"] == [{"role": "user", "content": "Hi"},
                                {"role": "assistant", "content": "Salut"},
                                {"role": "user", "content": "And now?"}]
    assert (body["temperature"], body["max_tokens"], body["top_k"]) == (0.2, 50, 3)
    assert body["stop_sequences"] == ["END"]
    assert body["metadata"] == {"user_id": "u1"}
    assert body["x_future_param"] is True


def test_max_tokens_cuts_the_answer(provider: AnthropicProvider) -> None:
    result = provider.get_model(OPUS).transform("one two three four", max_tokens=2)
    assert result.text == "You said:"
    assert result.metadata["stop_reason"] == "max_tokens"


def test_cost_from_config_prices(make_provider: MakeProvider, fake: FakeAnthropic) -> None:
    provider = make_provider(prices={OPUS: {"prompt": "0.000005", "completion": "0.000025"}})
    result = provider.get_model(OPUS).transform("hello")
    assert (result.usage.input_tokens, result.usage.output_tokens) == (1, 3)
    assert result.cost.usd == Decimal("0.000005") + 3 * Decimal("0.000025")
    assert result.cost.estimated is True


def test_stream_yields_deltas_then_usage(provider: AnthropicProvider, fake: FakeAnthropic) -> None:
    fake.script(answer("Qubits hold many states"))
    items = list(provider.get_model(OPUS).stream("Explain quantum computing"))
    *chunks, last = items
    assert chunks == ["Qubits", " hold", " many", " states"]
    assert isinstance(last, Text) and last.text == ""
    assert (last.usage.input_tokens, last.usage.output_tokens) == (3, 4)
    assert fake.requests_to("/v1/messages")[0].body["stream"] is True


def test_an_image_goes_as_a_base64_block(provider: AnthropicProvider,
                                         fake: FakeAnthropic) -> None:
    image = Image.from_bytes(PNG, "image/png")
    result = provider.get_model(OPUS).transform(image, prompt="What is in it?")
    assert result.text == f"You said: [a image/png image of {len(PNG)} bytes] What is in it?"
    content = fake.requests_to("/v1/messages")[0].body["messages"][0]["content"]
    assert content[0]["type"] == "image"
    assert content[0]["source"]["media_type"] == "image/png"
    assert content[1] == {"type": "text", "text": "What is in it?"}
    assert result.usage.input_tokens is not None and result.usage.input_tokens > 1500


def test_a_web_image_goes_as_a_url_block(provider: AnthropicProvider,
                                         fake: FakeAnthropic) -> None:
    image = Image.from_url("https://example.com/cat.jpg")
    provider.get_model(OPUS).transform(image)
    block = fake.requests_to("/v1/messages")[0].body["messages"][0]["content"][0]
    assert block == {"type": "image", "source": {"type": "url",
                                                 "url": "https://example.com/cat.jpg"}}


@pytest.mark.parametrize(("input", "params", "words"), [
    ("", {}, "nothing to send"),
    (Audio.from_bytes(b"RIFF"), {}, "take Text or Image input, not Audio"),
    (Image.from_bytes(b"BM..", "image/bmp"), {}, "not image/bmp"),
    ("hi", {"messages": [{"content": "no role"}]}, "messages must be a list"),
    ("hi", {"max_tokens": "many"}, "max_tokens must be a whole number"),
    ("hi", {"system": ["a"]}, "system must be a string"),
])
def test_bad_input_is_refused_before_any_request(provider: AnthropicProvider,
                                                 fake: FakeAnthropic, input: object,
                                                 params: dict[str, object], words: str) -> None:
    model = provider.get_model(OPUS)
    with pytest.raises(InvalidInputError, match=words):
        model.transform(input, **params)
    assert fake.requests_to("/v1/messages") == []


def test_a_retired_model_is_not_found(provider: AnthropicProvider) -> None:
    with pytest.raises(ModelNotFoundError, match=f"no model '{RETIRED}'"):
        provider.get_model(RETIRED).transform("hi")
