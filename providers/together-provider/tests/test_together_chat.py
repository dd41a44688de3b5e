"""Chat, stream, vision and images against the fake Together, through the official client."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from openai_chat import JPEG, FakeChat, Reply, completion, png
from together_helpers import CHAT, CODE, FREE_CHAT, FREE_IMAGE, IMAGE, VISION
from together_provider import TogetherProvider

from mediaconduit.sdk import Audio, Cost, Image, InvalidInputError, Text, Usage

ENDPOINT = "chat/completions"


def test_transform_answers_with_usage_and_estimated_cost(provider: TogetherProvider,
                                                         fake: FakeChat) -> None:
    fake.script(ENDPOINT, completion("Paris.", usage=(1000, 500)))
    result = provider.get_model(CHAT).transform("What is the capital of France?")
    assert isinstance(result, Text) and result.text == "Paris."
    assert result.usage == Usage(input_tokens=1000, output_tokens=500, requests=1)
    assert result.cost == Cost(Decimal("0.00132"), estimated=True)  # 1500 tokens at $0.88/M
    assert result.metadata["finish_reason"] == "stop"
    (request,) = fake.requests_to(ENDPOINT)
    assert request.body["messages"] == [
        {"role": "user", "content": "What is the capital of France?"}]
    assert request.body["stream"] is False


def test_system_conversation_and_vendor_params_are_sent(provider: TogetherProvider,
                                                        fake: FakeChat) -> None:
    history = [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}]
    result = provider.get_model(CODE).transform(
        Text("And now?"), system="Be brief.", messages=history, temperature=0.2,
        max_tokens=64, top_k=40, repetition_penalty=1.1, safety_model="x/guard", stop=["\n"])
    assert result.text == "You said: And now?"
    body = fake.requests_to(ENDPOINT)[0].body
    assert body["messages"] == [{"role": "system", "content": "Be brief."}, *history,
                                {"role": "user", "content": "And now?"}]
    assert {k: body[k] for k in ("temperature", "max_tokens", "top_k", "repetition_penalty",
                                 "safety_model", "stop")} == {
        "temperature": 0.2, "max_tokens": 64, "top_k": 40, "repetition_penalty": 1.1,
        "safety_model": "x/guard", "stop": ["\n"]}


def test_a_free_model_costs_nothing(provider: TogetherProvider) -> None:
    result = provider.get_model(FREE_CHAT).transform("hi")
    assert result.cost == Cost(Decimal(0), estimated=True)


def test_stream_yields_deltas_then_usage_and_cost(provider: TogetherProvider,
                                                  fake: FakeChat) -> None:
    fake.script(ENDPOINT, completion("Qubits hold many states", usage=(10, 4)))
    chunks = list(provider.get_model(CHAT).stream("Explain quantum computing"))
    *text, last = chunks
    assert text == ["Qubits", " hold", " many", " states"]
    assert isinstance(last, Text) and last.text == ""
    assert last.usage == Usage(input_tokens=10, output_tokens=4, requests=1)
    assert last.cost.usd == Decimal("0.00001232")
    assert fake.requests_to(ENDPOINT)[0].body["stream"] is True


def test_a_vision_model_describes_an_image(provider: TogetherProvider, fake: FakeChat) -> None:
    picture = png()
    result = provider.get_model(VISION).transform(Image.from_bytes(picture, "image/png"),
                                                  prompt="What is in it?")
    assert result.text == f"What is in it? I see a image/png image of {len(picture)} bytes"
    (content,) = [m["content"] for m in fake.requests_to(ENDPOINT)[0].body["messages"]]
    assert content[0] == {"type": "text", "text": "What is in it?"}
    assert content[1]["image_url"]["url"].startswith("data:image/png;base64,")


def test_an_image_url_is_sent_as_is(provider: TogetherProvider) -> None:
    result = provider.get_model(VISION).transform(Image.from_url("https://x.test/cat.png"))
    assert result.text == "Describe this image. I see the image at https://x.test/cat.png"


def test_an_image_to_a_text_only_model_is_invalid_input(provider: TogetherProvider,
                                                        fake: FakeChat) -> None:
    with pytest.raises(InvalidInputError, match="does not read images"):
        provider.get_model(CHAT).transform(Image.from_bytes(png(), "image/png"))
    assert not fake.requests_to(ENDPOINT)


@pytest.mark.parametrize(("input", "params", "words"), [
    (Audio.from_bytes(b"RIFF"), {}, "not Audio"), ("", {}, "nothing to send"),
    ("hi", {"messages": "hello"}, "list of")])
def test_bad_chat_input_says_what(provider: TogetherProvider, input: object,
                                  params: dict[str, object], words: str) -> None:
    with pytest.raises(InvalidInputError, match=words):
        provider.get_model(CHAT).transform(input, **params)


# --- images ---


def test_text_to_image_returns_a_jpeg_file(provider: TogetherProvider, fake: FakeChat) -> None:
    image = provider.get_model(FREE_IMAGE).transform("a lighthouse at dusk", steps=4, seed=7)
    assert isinstance(image, Image) and image.path is not None and image.path.is_file()
    assert image.mime_type == "image/jpeg" and image.path.read_bytes() == JPEG
    assert image.usage == Usage(images=1)
    assert image.cost == Cost(Decimal(0), estimated=True)
    (request,) = fake.requests_to("images/generations")
    assert request.body == {"model": FREE_IMAGE, "prompt": "a lighthouse at dusk", "steps": 4,
                            "seed": 7, "response_format": "base64"}


def test_n_2_returns_two_pictures(provider: TogetherProvider) -> None:
    images = provider.get_model(IMAGE).transform("two cats", n=2, output_format="png")
    assert isinstance(images, list) and len(images) == 2
    assert {i.mime_type for i in images} == {"image/png"}
    assert len({i.path for i in images}) == 2
    assert all(i.cost.usd is None for i in images)  # priced per megapixel: not listed per image


def test_url_answers_are_downloaded(provider: TogetherProvider, fake: FakeChat) -> None:
    image = provider.get_model(IMAGE).transform("a fox", response_format="url")
    assert isinstance(image, Image) and Path(str(image.path)).read_bytes() == JPEG
    assert image.metadata["url"].startswith(fake.base_url)
    (download,) = [r for r in fake.requests if "/imgproxy/" in r.path]
    assert "authorization" not in download.headers  # the key goes to the API only


def test_the_recorded_answer_without_type_is_read(provider: TogetherProvider,
                                                  fake: FakeChat) -> None:
    import base64

    recorded = {"id": "91a2", "model": FREE_IMAGE, "object": "list", "data": [
        {"index": 0, "b64_json": base64.b64encode(png()).decode(), "timings": {"inference": 1}}]}
    fake.script("images/generations", Reply(body=recorded))
    image = provider.get_model(FREE_IMAGE).transform("x")
    assert isinstance(image, Image) and image.mime_type == "image/png"
    assert image.metadata["timings"] == {"inference": 1}


def test_an_empty_prompt_is_invalid_input(provider: TogetherProvider) -> None:
    with pytest.raises(InvalidInputError, match="prompt is empty"):
        provider.get_model(FREE_IMAGE).transform(" ")


def test_a_chunk_with_only_text_is_read(provider: TogetherProvider, fake: FakeChat) -> None:
    chunk = {"id": "x", "object": "chat.completion.chunk", "created": 1, "model": CHAT,
             "choices": [{"index": 0, "text": "plain", "delta": {}, "finish_reason": "stop"}],
             "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}}
    fake.script(ENDPOINT, Reply(stream_error=chunk, error_after=0))  # sent as the first event
    chunks = list(provider.get_model(CHAT).stream("hi"))
    assert [c for c in chunks if isinstance(c, str)] == ["plain"]
    assert isinstance(chunks[-1], Text) and chunks[-1].usage.output_tokens == 1
