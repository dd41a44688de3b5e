"""Chat completions and streams against the fake OpenRouter, in process."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from fake_openrouter import FakeOpenRouter, completion
from openrouter_helpers import FAST, KEY
from openrouter_provider import OpenRouterProvider
from openrouter_provider.chat import stream_deltas

from mediaconduit.sdk import Audio, Image, InvalidInputError, ProviderUnavailableError, Text
from mediaconduit.sdk.http import SSEEvent

FREE = "openai/gpt-oss-20b:free"
PAID = "qwen/qwen3.8-27b"


def test_transform_returns_text_with_usage_cost_and_ids(make_provider: Any,
                                                        fake: FakeOpenRouter) -> None:
    result = make_provider().get_model(PAID).transform(Text("What is the capital of France?"))
    assert isinstance(result, Text)
    assert result.text == "You said: What is the capital of France?"
    meta = result.metadata
    assert meta["model"] == PAID
    assert meta["finish_reason"] == "stop"
    assert meta["generation_id"].startswith("gen-")
    assert result.usage.output_tokens == 8  # the fake counts words
    assert result.usage.input_tokens is not None and result.usage.input_tokens > 0
    assert result.cost.usd is not None and result.cost.usd > 0
    assert not result.cost.estimated  # OpenRouter reports what it charged
    assert meta["provider"] == "FakeProvider"


def test_transform_request_body_and_headers(make_provider: Any, fake: FakeOpenRouter) -> None:
    provider = make_provider(http_referer="https://example.app", app_title="Example App")
    provider.get_model(FREE).transform(
        Text("hi"), temperature=0.2, max_tokens=50, top_p=0.9, seed=None,
        provider={"sort": "price"}, reasoning={"effort": "low"},
    )
    (request,) = fake.requests_to("chat/completions")
    assert request.body == {
        "model": FREE, "messages": [{"role": "user", "content": "hi"}], "temperature": 0.2,
        "max_tokens": 50, "top_p": 0.9, "provider": {"sort": "price"},
        "reasoning": {"effort": "low"},
    }
    assert request.headers["authorization"] == f"Bearer {KEY}"
    assert request.headers["http-referer"] == "https://example.app"
    assert request.headers["x-openrouter-title"] == "Example App"
    assert request.headers["x-title"] == "Example App"


def test_no_attribution_headers_unless_set(make_provider: Any, fake: FakeOpenRouter) -> None:
    make_provider().get_model(FREE).transform(Text("hi"))
    headers = fake.requests_to("chat/completions")[0].headers
    assert not {"http-referer", "x-openrouter-title", "x-title"} & set(headers)


def test_free_model_costs_nothing(make_provider: Any) -> None:
    result = make_provider().get_model(FREE).transform(Text("hello there"))
    assert result.cost.usd == 0


def test_generation_id_matches_the_header(make_provider: Any, fake: FakeOpenRouter) -> None:
    result = make_provider().get_model(FREE).transform(Text("x"))
    assert result.metadata["generation_id"].startswith("gen-")
    assert len(result.metadata["generation_id"].split("-")[-1]) == 20


def test_system_and_messages_params(make_provider: Any, fake: FakeOpenRouter) -> None:
    history = [{"role": "user", "content": "My name is Ada."},
               {"role": "assistant", "content": "Hello Ada."}]
    model = make_provider().get_model(FREE)
    result = model.transform(Text("What is my name?"), system="Be brief.", messages=history)
    assert result.text == "You said: What is my name?"
    sent = fake.requests_to("chat/completions")[0].body["messages"]
    assert sent == [{"role": "system", "content": "Be brief."}, *history,
                    {"role": "user", "content": "What is my name?"}]


def test_messages_alone_with_an_empty_input(make_provider: Any, fake: FakeOpenRouter) -> None:
    history = [{"role": "user", "content": "only this"}]
    result = make_provider().get_model(FREE).transform(Text(""), messages=history)
    assert result.text == "You said: only this"


def test_max_tokens_cuts_the_answer(make_provider: Any, fake: FakeOpenRouter) -> None:
    fake.script("chat/completions", completion("one two three four five"))
    result = make_provider().get_model(FREE).transform(Text("count"), max_tokens=2)
    assert result.text == "one two"
    assert result.metadata["finish_reason"] == "length"


def test_plain_string_input_is_text(make_provider: Any) -> None:
    assert make_provider().get_model(FREE).transform("hey").text == "You said: hey"


def test_image_input_is_sent_as_a_data_url_with_the_prompt(make_provider: Any,
                                                           fake: FakeOpenRouter) -> None:
    png = b"\x89PNG\r\n\x1a\nfake"
    model = make_provider().get_model("dots-studio/dots-3-note-preview:free")
    assert "image-to-text" in model.info.capabilities
    result = model.transform(Image.from_bytes(png, "image/png"), prompt="What is this?")
    assert result.text == "You said: What is this?"
    (part_text, part_image) = fake.requests_to("chat/completions")[0].body["messages"][0]["content"]
    assert part_text == {"type": "text", "text": "What is this?"}
    url = part_image["image_url"]["url"]
    assert url == "data:image/png;base64," + base64.b64encode(png).decode()


def test_image_url_input_is_sent_as_the_url(make_provider: Any, fake: FakeOpenRouter) -> None:
    model = make_provider().get_model("dots-studio/dots-3-note-preview:free")
    model.transform(Image.from_url("https://example.com/cat.png"))
    parts = fake.requests_to("chat/completions")[0].body["messages"][0]["content"]
    assert parts[0]["text"] == "Describe this image."
    assert parts[1]["image_url"]["url"] == "https://example.com/cat.png"


@pytest.mark.parametrize("bad", [Text(""), Audio.from_bytes(b"RIFF", "audio/wav")])
def test_unusable_input_is_invalid_without_a_request(make_provider: Any, fake: FakeOpenRouter,
                                                     bad: Any) -> None:
    with pytest.raises(InvalidInputError):
        make_provider().get_model(FREE).transform(bad)
    assert fake.requests_to("chat/completions") == []


def test_bad_messages_param_is_invalid(make_provider: Any) -> None:
    with pytest.raises(InvalidInputError, match="messages must be a list"):
        make_provider().get_model(FREE).transform(Text("x"), messages=[{"content": "no role"}])


def test_config_overrides_env(fake: FakeOpenRouter) -> None:
    provider = OpenRouterProvider(
        config={**FAST, "api_key": KEY, "base_url": fake.base_url + "/", "app_title": "Cfg"},
        env={"OPENROUTER_API_KEY": "sk-or-v1-env-key-that-is-wrong",
             "OPENROUTER_BASE_URL": "http://127.0.0.1:9/nowhere", "OPENROUTER_APP_TITLE": "Env"},
    )
    assert provider.get_model(FREE).transform(Text("ok")).text == "You said: ok"
    assert fake.requests_to("chat/completions")[0].headers["x-openrouter-title"] == "Cfg"
    provider.close()


@pytest.mark.parametrize(
    ("config", "message"),
    [({"timeout": "slow"}, "config timeout must be a number"),
     ({"max_attempts": 0}, "max_attempts must be a whole number"),
     ({"base_url": "ftp://x"}, "must be an http"),
     ({"output_modalities": 3}, "output_modalities must be")],
)
def test_bad_settings_are_named(config: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        OpenRouterProvider(config=config, env={})


# --- streaming ----------------------------------------------------------------------


def test_stream_yields_the_deltas(make_provider: Any, fake: FakeOpenRouter) -> None:
    fake.script("chat/completions", completion("Hello there, streaming world"))
    chunks = list(make_provider().get_model(PAID).stream(Text("go"), temperature=0))
    *texts, last = chunks
    assert texts == ["Hello", " there,", " streaming", " world"]
    assert isinstance(last, Text) and last.text == ""  # the final usage chunk
    assert last.usage.output_tokens == 4 and last.cost.usd is not None and last.cost.usd > 0
    body = fake.requests_to("chat/completions")[0].body
    assert body["stream"] is True
    assert body["stream_options"] == {"include_usage": True}
    assert body["temperature"] == 0


def test_stream_is_lazy_and_needs_the_key(make_provider: Any, fake: FakeOpenRouter) -> None:
    chunks = make_provider(api_key=None).get_model(FREE).stream(Text("go"))
    assert fake.requests_to("chat/completions") == []
    with pytest.raises(Exception, match="OPENROUTER_API_KEY"):
        next(iter(chunks))


def sse_events(*data: str) -> list[SSEEvent]:
    return [SSEEvent(d) for d in data]


def test_stream_deltas_stop_at_done() -> None:
    chunk = '{"choices":[{"index":0,"delta":{"content":"a"},"finish_reason":null}]}'
    events = sse_events(chunk, "[DONE]", chunk)
    assert list(stream_deltas(events, "m")) == ["a"]


def test_stream_cut_off_before_it_finished_is_an_error() -> None:
    chunk = '{"choices":[{"index":0,"delta":{"content":"a"},"finish_reason":null}]}'
    with pytest.raises(ProviderUnavailableError, match="ended before it finished"):
        list(stream_deltas(sse_events(chunk), "m"))


def test_stream_without_done_but_finished_is_fine() -> None:
    done = '{"choices":[{"index":0,"delta":{"content":"b"},"finish_reason":"stop"}]}'
    assert list(stream_deltas(sse_events(done), "m")) == ["b"]


def test_stream_event_that_is_not_json_is_an_error() -> None:
    with pytest.raises(ProviderUnavailableError, match="not a JSON object"):
        list(stream_deltas(sse_events("<html>"), "m"))
