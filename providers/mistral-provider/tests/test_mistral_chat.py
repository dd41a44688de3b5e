"""Chat, stream and vision against the fake Mistral, through the official client."""

from __future__ import annotations

import pytest
from mistral_helpers import MEDIUM, NEMO, SMALL
from mistral_provider import MistralProvider
from openai_chat import FakeChat, Reply, completion, png

from mediaconduit.sdk import Cost, Image, InvalidInputError, Text, Usage

ENDPOINT = "chat/completions"


def test_transform_answers_with_usage_and_unknown_cost(provider: MistralProvider,
                                                       fake: FakeChat) -> None:
    fake.script(ENDPOINT, completion("Paris.", usage=(12, 2)))
    result = provider.get_model(SMALL).transform("What is the capital of France?")
    assert isinstance(result, Text) and result.text == "Paris."
    assert result.usage == Usage(input_tokens=12, output_tokens=2, requests=1)
    assert result.cost == Cost()  # Mistral lists no prices
    assert result.metadata["finish_reason"] == "stop"
    (request,) = fake.requests_to(ENDPOINT)
    assert request.body["messages"] == [
        {"role": "user", "content": "What is the capital of France?"}]
    assert request.body["model"] == SMALL


def test_system_conversation_and_vendor_params_are_sent(provider: MistralProvider,
                                                        fake: FakeChat) -> None:
    history = [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}]
    result = provider.get_model(NEMO).transform(
        "And now?", system="Be brief.", messages=history, temperature=0.2, max_tokens=64,
        seed=11, safe_prompt=True, top_p=0.9)
    assert result.text == "You said: And now?"
    body = fake.requests_to(ENDPOINT)[0].body
    sent = [(m["role"], m["content"]) for m in body["messages"]]  # the client adds `prefix`
    assert sent == [("system", "Be brief."), ("user", "Hi"), ("assistant", "Hello"),
                    ("user", "And now?")]
    assert {k: body[k] for k in ("temperature", "max_tokens", "random_seed", "safe_prompt",
                                 "top_p")} == {
        "temperature": 0.2, "max_tokens": 64, "random_seed": 11, "safe_prompt": True,
        "top_p": 0.9}


def test_an_alias_is_sent_as_given(provider: MistralProvider, fake: FakeChat) -> None:
    provider.get_model("mistral-medium").transform("hi")
    assert fake.requests_to(ENDPOINT)[0].body["model"] == "mistral-medium"


def test_an_unknown_param_lists_the_known_ones(provider: MistralProvider,
                                               fake: FakeChat) -> None:
    with pytest.raises(InvalidInputError, match=r"no parameter top_q; it takes .*temperature"):
        provider.get_model(SMALL).transform("hi", top_q=1)
    assert not fake.requests_to(ENDPOINT)


def test_stream_yields_deltas_then_usage(provider: MistralProvider, fake: FakeChat) -> None:
    fake.script(ENDPOINT, completion("Bonjour tout le monde", usage=(5, 4)))
    *text, last = list(provider.get_model(SMALL).stream("Say hello in French"))
    assert text == ["Bonjour", " tout", " le", " monde"]
    assert isinstance(last, Text) and last.text == ""
    assert last.usage == Usage(input_tokens=5, output_tokens=4, requests=1)
    assert last.cost.usd is None
    assert fake.requests_to(ENDPOINT)[0].body["stream"] is True


def test_a_vision_model_describes_an_image(provider: MistralProvider, fake: FakeChat) -> None:
    picture = png()
    result = provider.get_model(MEDIUM).transform(Image.from_bytes(picture, "image/png"))
    assert result.text == f"Describe this image. I see a image/png image of {len(picture)} bytes"
    (content,) = [m["content"] for m in fake.requests_to(ENDPOINT)[0].body["messages"]]
    assert content[1]["type"] == "image_url"
    assert content[1]["image_url"].startswith("data:image/png;base64,")


def test_an_image_to_a_text_only_model_is_invalid_input(provider: MistralProvider) -> None:
    with pytest.raises(InvalidInputError, match="does not read images"):
        provider.get_model(NEMO).transform(Image.from_bytes(png(), "image/png"))


def test_a_reasoning_answer_keeps_text_and_thinking_apart(provider: MistralProvider,
                                                          fake: FakeChat) -> None:
    content = [{"type": "thinking", "thinking": [{"type": "text", "text": "2+2 is 4"}]},
               {"type": "text", "text": "4"}]
    body = {"id": "a1", "object": "chat.completion", "created": 1, "model": MEDIUM,
            "choices": [{"index": 0, "finish_reason": "stop",
                         "message": {"role": "assistant", "content": content}}],
            "usage": {"prompt_tokens": 3, "completion_tokens": 9, "total_tokens": 12}}
    fake.script(ENDPOINT, Reply(body=body))
    result = provider.get_model(MEDIUM).transform("2+2?")
    assert result.text == "4" and result.metadata["thinking"] == "2+2 is 4"
