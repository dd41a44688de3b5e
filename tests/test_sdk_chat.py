"""The SDK's chat helpers: OpenAI-style messages from Text/Image input, usage and cost."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

import pytest

from mediaconduit.sdk import Audio, Image, InvalidInputError, Pricing, Text, Usage
from mediaconduit.sdk.chat import chat_messages, data_url, token_cost, token_usage

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 8


def test_system_conversation_then_the_input() -> None:
    history = [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}]
    got = chat_messages(Text("And now?"), {"system": "Be brief.", "messages": history}, "X")
    assert got == [{"role": "system", "content": "Be brief."}, *history,
                   {"role": "user", "content": "And now?"}]
    assert got[1] is not history[0]  # copied


def test_a_plain_string_is_text_and_an_empty_input_needs_a_conversation() -> None:
    assert chat_messages("hi", {}, "X") == [{"role": "user", "content": "hi"}]
    assert chat_messages("", {"messages": [{"role": "user", "content": "a"}]}, "X") == [
        {"role": "user", "content": "a"}]
    with pytest.raises(InvalidInputError, match="nothing to send"):
        chat_messages("", {"system": "s"}, "X")


def test_an_image_is_a_prompt_and_a_data_url() -> None:
    image = Image.from_bytes(PNG, mime_type="image/png")
    (turn,) = chat_messages(image, {"prompt": "What is it?"}, "X")
    text, part = turn["content"]
    assert text == {"type": "text", "text": "What is it?"}
    assert part["image_url"]["url"].startswith("data:image/png;base64,")
    (plain,) = chat_messages(image, {}, "X", url_object=False)
    assert plain["content"][0]["text"] == "Describe this image."
    assert plain["content"][1]["image_url"] == data_url(image)


def test_an_image_for_a_blind_model_and_other_inputs_are_refused() -> None:
    image = Image.from_bytes(PNG, mime_type="image/png")
    with pytest.raises(InvalidInputError, match=r"^m does not read images$"):
        chat_messages(image, {}, "X", no_vision="m does not read images")
    with pytest.raises(InvalidInputError, match="X models take Text or Image input, not Audio"):
        chat_messages(Audio.from_bytes(b"RIFF"), {}, "X models")


@pytest.mark.parametrize("bad", ["hi", [{"content": "no role"}], [["user", "hi"]]])
def test_a_bad_conversation_says_what_to_give(bad: object) -> None:
    with pytest.raises(InvalidInputError, match=r"messages must be a list of .*e\.g\."):
        chat_messages("x", {"messages": bad}, "X")


def test_token_usage_from_a_mapping_or_an_object() -> None:
    assert token_usage({"prompt_tokens": 3, "completion_tokens": 4}) == Usage(
        input_tokens=3, output_tokens=4, requests=1)
    assert token_usage(SimpleNamespace(prompt_tokens=5, completion_tokens=True)) == Usage(
        input_tokens=5, output_tokens=None, requests=1)
    assert token_usage(None) == Usage()


def test_token_cost_is_estimated_or_unknown() -> None:
    pricing = Pricing(prompt=Decimal("0.001"), completion=Decimal("0.002"))
    cost = token_cost(pricing, Usage(input_tokens=10, output_tokens=5))
    assert cost.usd == Decimal("0.020") and cost.estimated
    assert token_cost(pricing, Usage()).usd is None
