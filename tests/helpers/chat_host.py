"""What the host tests of the OpenAI-style chat providers (Together, Mistral) check alike.

Each check runs one chat `model` of a loaded provider against the shared fake
(`tests/helpers/openai_chat.py`) and asserts what both providers must do: typed
errors, `Retry-After` kept, an error inside a 200 stream, the key kept out of
errors and logs, the async twins, and a cancel (close, timeout) that hangs up
on the upstream. The test modules keep their own test names and vendor data.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import pytest

from mediaconduit import MediaConduitError, RateLimitError, Text, TransformTimeoutError
from mediaconduit.handles import ProviderHandle
from tests.helpers.openai_chat import (
    CHAT,
    Dialect,
    FakeChat,
    Reply,
    completion,
    error_reply,
    held,
    rate_limited,
)
from tests.helpers.provider_host import assert_secret_not_in_error, assert_secret_not_logged


def check_async_twins(provider: ProviderHandle, fake: FakeChat, model_id: str) -> None:
    fake.script(CHAT, completion("async answer"), completion("streamed async"))
    model = provider.get_model(model_id)

    async def both() -> tuple[str, list[str]]:
        answer = await model.atransform("hi")
        assert isinstance(answer, Text)
        return answer.text, [chunk async for chunk in model.astream("hi")]

    assert asyncio.run(both()) == ("async answer", ["streamed", " async"])


def check_typed_error(provider: ProviderHandle, fake: FakeChat, model_id: str, reply: Reply,
                      error: type[MediaConduitError], words: str) -> None:
    """The upstream's `reply` crosses to the host as exactly `error`, saying `words`."""
    fake.script(CHAT, reply)
    with pytest.raises(error, match=words) as caught:
        provider.get_model(model_id).transform("hi")
    assert type(caught.value) is error


def check_retry_after(provider: ProviderHandle, fake: FakeChat, model_id: str,
                      dialect: Dialect) -> None:
    fake.script(CHAT, rate_limited(dialect, retry_after=12))
    with pytest.raises(RateLimitError) as caught:
        provider.get_model(model_id).transform("hi")
    assert caught.value.retry_after == 12


def check_error_in_a_stream(provider: ProviderHandle, fake: FakeChat, model_id: str,
                            error: Any, words: str) -> None:
    """An error chunk after two words of a 200 stream: a `RateLimitError` with those words."""
    fake.script(CHAT, Reply(text="un deux trois", stream_error=error, error_after=2))
    got: list[str] = []
    with pytest.raises(RateLimitError, match=words) as caught:
        got.extend(provider.get_model(model_id).stream("go"))
    assert got == ["un", " deux"] and caught.value.partial == "un deux"


def check_key_hidden(provider: ProviderHandle, fake: FakeChat, model_id: str, cache: Path,
                     body: Any, key: str) -> None:
    """An upstream error `body` that echoes `key`: masked in the error, absent from logs."""
    fake.script(CHAT, error_reply(400, body))
    with pytest.raises(MediaConduitError) as caught:
        provider.get_model(model_id).transform("hi")
    assert_secret_not_in_error(caught.value, key)
    assert "***" in str(caught.value)
    assert_secret_not_logged(cache, key)


def check_closing_a_stream_hangs_up(provider: ProviderHandle, fake: FakeChat,
                                    model_id: str) -> None:
    fake.script(CHAT, held(after=2))
    stream = provider.get_model(model_id).stream("go")
    assert [next(stream), next(stream)] == ["one", " two"]
    closed = time.monotonic()
    stream.close()
    seen = fake.wait_for_hangup()
    assert seen is not None and seen - closed < 1.0
    assert provider.get_model(model_id).transform("still there?").text == "You said: still there?"


def check_a_timed_out_stream_hangs_up(provider: ProviderHandle, fake: FakeChat,
                                      model_id: str) -> None:
    fake.script(CHAT, held(after=1))
    got: list[str] = []
    with pytest.raises(TransformTimeoutError) as caught:
        got.extend(provider.get_model(model_id).stream("go", timeout=0.5))
    assert got == ["one"] and caught.value.partial == "one"
    assert fake.wait_for_hangup() is not None


def check_a_timed_out_request_hangs_up(provider: ProviderHandle, fake: FakeChat,
                                       model_id: str) -> None:
    fake.script(CHAT, held())
    started = time.monotonic()
    with pytest.raises(TransformTimeoutError):
        provider.get_model(model_id).transform("go", timeout=0.5)
    assert time.monotonic() - started < 2.0
    seen = fake.wait_for_hangup()
    assert seen is not None and seen - started < 2.0
