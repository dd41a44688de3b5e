"""Chat through /api/chat: requests, answers with usage, streams, images, pulls."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from conftest import MakeProvider
from fake_ollama import FakeOllama, answer
from ollama_helpers import LLAMA, NOT_PULLED, PNG, VISION
from ollama_provider import OllamaProvider

from mediaconduit.sdk import Audio, Image, InvalidInputError, ModelNotFoundError, Text
from mediaconduit.sdk.calls import CallContext, enter_call, leave_call


def test_transform_answers_with_usage_and_zero_cost(provider: OllamaProvider,
                                                    fake: FakeOllama) -> None:
    result = provider.get_model(LLAMA).transform("Why is the sky blue?")
    assert result.text == "You said: Why is the sky blue?"
    assert (result.usage.input_tokens, result.usage.output_tokens) == (5, 7)
    assert result.usage.compute_seconds == pytest.approx(1.25)
    assert result.cost.usd == Decimal(0)
    assert result.metadata["done_reason"] == "stop"
    (request,) = fake.requests_to("/api/chat")
    assert request.body["stream"] is False
    assert request.body["messages"] == [{"role": "user", "content": "Why is the sky blue?"}]


def test_system_conversation_and_options(provider: OllamaProvider, fake: FakeOllama) -> None:
    history = [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}]
    provider.get_model("llama3.2").transform(
        "And now?", system="Be brief.", messages=history, temperature=0.2, max_tokens=50,
        seed=7, options={"num_ctx": 4096}, format="json", keep_alive="1m")
    body = fake.requests_to("/api/chat")[0].body
    assert body["model"] == LLAMA  # the short name is the pulled `:latest` tag
    assert body["messages"] == [{"role": "system", "content": "Be brief."}, *history,
                                {"role": "user", "content": "And now?"}]
    assert body["options"] == {"num_ctx": 4096, "temperature": 0.2, "seed": 7,
                               "num_predict": 50}
    assert (body["format"], body["keep_alive"]) == ("json", "1m")


def test_max_tokens_cuts_the_answer(provider: OllamaProvider) -> None:
    result = provider.get_model(LLAMA).transform("one two three", max_tokens=2)
    assert result.text == "You said:"
    assert result.metadata["done_reason"] == "length"


def test_stream_yields_pieces_then_usage(provider: OllamaProvider, fake: FakeOllama) -> None:
    fake.script(answer("Rayleigh scattering, mostly"))
    *chunks, last = list(provider.get_model(LLAMA).stream("Why is the sky blue?"))
    assert chunks == ["Rayleigh", " scattering,", " mostly"]
    assert isinstance(last, Text) and last.text == ""
    assert (last.usage.input_tokens, last.usage.output_tokens) == (5, 3)
    assert last.cost.usd == Decimal(0)
    assert fake.requests_to("/api/chat")[0].body["stream"] is True


def test_an_image_goes_in_images(provider: OllamaProvider, fake: FakeOllama) -> None:
    result = provider.get_model(VISION).transform(Image.from_bytes(PNG, "image/png"),
                                                  prompt="What is this?")
    assert result.text == f"You said: [an image of {len(PNG)} bytes] What is this?"
    message = fake.requests_to("/api/chat")[0].body["messages"][0]
    assert message["content"] == "What is this?"
    assert len(message["images"]) == 1


def test_a_model_that_is_not_pulled_names_ollama_pull(provider: OllamaProvider,
                                                      fake: FakeOllama) -> None:
    with pytest.raises(ModelNotFoundError, match=f"run `ollama pull {NOT_PULLED}`") as info:
        provider.get_model(NOT_PULLED).transform("hi")
    assert info.value.model_id == NOT_PULLED
    assert fake.requests_to("/api/pull") == []


def test_close_matches_among_the_pulled_models(provider: OllamaProvider) -> None:
    with pytest.raises(ModelNotFoundError, match=r"pulled models like it: llama3\.2:latest"):
        provider.get_model("llama3.1:latest").transform("hi")


def progress_of(call: Any) -> tuple[Any, list[tuple[float | None, str | None]]]:
    seen: list[tuple[float | None, str | None]] = []
    context = CallContext(lambda p: seen.append((p.fraction, p.message)))
    token = enter_call(context)
    try:
        return call(), seen
    finally:
        leave_call(token)


def test_pull_true_pulls_with_progress_then_answers(provider: OllamaProvider,
                                                    fake: FakeOllama) -> None:
    model = provider.get_model(NOT_PULLED)
    result, seen = progress_of(lambda: model.transform("hi", pull=True))
    assert result.text == "You said: hi"
    assert seen[0] == (0.0, f"pulling {NOT_PULLED}")
    fractions = [f for f, _ in seen if f is not None]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert [m for _, m in seen][-3:] == ["verifying sha256 digest", "writing manifest",
                                         "success"]
    assert [r.body["model"] for r in fake.requests_to("/api/pull")] == [NOT_PULLED]
    assert NOT_PULLED in [m.id for m in provider.discover_models()]


def test_auto_pull_config_pulls_a_stream_too(make_provider: MakeProvider,
                                             fake: FakeOllama) -> None:
    provider = make_provider(auto_pull=True)
    chunks = [c for c in provider.get_model(NOT_PULLED).stream("hi") if isinstance(c, str)]
    assert chunks == ["You", " said:", " hi"]
    assert len(fake.requests_to("/api/pull")) == 1


def test_pulling_a_name_the_library_lacks(provider: OllamaProvider) -> None:
    with pytest.raises(ModelNotFoundError, match="library has no model 'no-such-model'"):
        provider.get_model("no-such-model").transform("hi", pull=True)


@pytest.mark.parametrize(("input", "params", "words"), [
    ("", {}, "nothing to send"),
    (Audio.from_bytes(b"RIFF"), {}, "take Text or Image input, not Audio"),
    ("hi", {"messages": [{"content": "no role"}]}, "messages must be a list"),
    ("hi", {"options": 3}, "options must be a mapping"),
    ("hi", {"pull": "yes"}, "pull must be true or false"),
])
def test_bad_input_is_refused_before_any_request(provider: OllamaProvider, fake: FakeOllama,
                                                 input: object, params: dict[str, object],
                                                 words: str) -> None:
    model = provider.get_model(LLAMA)
    with pytest.raises(InvalidInputError, match=words):
        model.transform(input, **params)
    assert fake.requests_to("/api/chat") == []
