"""The Mistral provider loaded through the host, against a local Mistral.

`providers/mistral-provider` is published to the loopback git server as
`MediaConduit/mistral-provider` and loaded by its GitHub URL: real git, a real uv
environment (the official `mistralai` client), a real worker, and the shared
OpenAI-style fake (`tests/helpers/openai_chat.py`, Mistral's dialect) reached
through the declared `MISTRAL_BASE_URL` / `MISTRAL_API_KEY`. The host process
itself never imports `mistralai`. The provider's own suite runs here too, in an
environment with its dependencies, as its CI would run it.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from mediaconduit import (
    AuthenticationError,
    Image,
    InvalidInputError,
    MediaConduitError,
    ModelNotFoundError,
    PaymentRequiredError,
    ProviderUnavailableError,
    RateLimitError,
    Text,
    TransformTimeoutError,
)
from mediaconduit.handles import ProviderHandle
from tests.helpers.mistral import CODESTRAL, EMBED, FAST, KEY, MEDIUM, NEMO, OCR, PROVIDER, SMALL
from tests.helpers.openai_chat import (
    MISTRAL,
    FakeChat,
    Reply,
    completion,
    error_reply,
    held,
    out_of_credits,
    png,
    rate_limited,
    vendor_error,
)
from tests.helpers.provider_host import (
    assert_not_imported,
    assert_secret_not_in_error,
    assert_secret_not_logged,
    host_fixtures,
    listed_ids,
    provider_fixture,
    url_of,
)
from tests.helpers.provider_suite import run_provider_suite

pytestmark = pytest.mark.slow

URL = url_of("mistral")
ENDPOINT = "chat/completions"
CHAT_MODELS = {MEDIUM, SMALL, NEMO, CODESTRAL}


# --- fixtures: one cache, one registry, one environment for the module ---------------------


server, fake, declared_env, commit, module_cache, host = host_fixtures(
    "mistral", PROVIDER, lambda: FakeChat(MISTRAL, api_key=KEY),
    lambda fake: {"MISTRAL_BASE_URL": fake.base_url, "MISTRAL_API_KEY": KEY})


provider = provider_fixture(URL, FAST)


# --- loading and discovery -----------------------------------------------------------------


def test_loads_by_url_and_lists_the_fakes_models(provider: ProviderHandle, commit: str,
                                                 fake: FakeChat) -> None:
    assert (provider.id, provider.type, provider.commit) == ("mistral", "remote", commit)
    assert {m.id for m in provider.refresh_models()} == CHAT_MODELS | {OCR, EMBED}
    (request,) = fake.requests_to("models")
    assert request.headers["authorization"] == f"Bearer {KEY}"
    assert request.headers["user-agent"].startswith("mistral-client-python/")  # the official client


def test_capabilities_tasks_and_no_free_models(provider: ProviderHandle) -> None:
    by_id = {m.id: m for m in provider.models}
    assert by_id[MEDIUM].tasks == ("text-generation", "image-to-text")
    assert by_id[NEMO].tasks == ("text-generation",)
    assert by_id[OCR].capabilities == ()
    assert by_id[MEDIUM].context_length == 131072
    assert provider.get_free_models() == []


# --- chat, stream, vision ------------------------------------------------------------------


def test_chat_with_usage_and_unknown_cost(provider: ProviderHandle, fake: FakeChat) -> None:
    fake.script(ENDPOINT, completion("Paris.", usage=(12, 2)))
    history = [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}]
    result = provider.get_model(SMALL).transform("Capital of France?", system="Be brief.",
                                                 messages=history, temperature=0.1,
                                                 max_tokens=20, safe_prompt=True)
    assert isinstance(result, Text) and result.text == "Paris."
    assert (result.usage.input_tokens, result.usage.output_tokens) == (12, 2)
    assert result.cost.usd is None  # Mistral lists no prices
    body = fake.requests_to(ENDPOINT)[0].body
    assert [m["role"] for m in body["messages"]] == ["system", "user", "assistant", "user"]
    assert (body["temperature"], body["max_tokens"], body["safe_prompt"]) == (0.1, 20, True)


def test_stream_ends_with_usage(provider: ProviderHandle, fake: FakeChat) -> None:
    fake.script(ENDPOINT, completion("Bonjour tout le monde", usage=(5, 4)))
    stream = provider.get_model(SMALL).stream("Say hello in French")
    assert list(stream) == ["Bonjour", " tout", " le", " monde"]
    assert stream.text == "Bonjour tout le monde"
    assert stream.usage.input_tokens == 5 and stream.usage.output_tokens == 4
    assert stream.cost.usd is None


def test_a_vision_model_describes_an_image_file(provider: ProviderHandle, fake: FakeChat,
                                                tmp_path: Path) -> None:
    picture = tmp_path / "grey.png"
    picture.write_bytes(png())
    result = provider.get_model(MEDIUM).transform(Image.from_path(picture), prompt="What?")
    assert result.text == f"What? I see a image/png image of {len(png())} bytes"


def test_async_twins(provider: ProviderHandle, fake: FakeChat) -> None:
    fake.script(ENDPOINT, completion("async answer"), completion("streamed async"))
    model = provider.get_model(SMALL)

    async def both() -> tuple[str, list[str]]:
        answer = await model.atransform("hi")
        assert isinstance(answer, Text)
        return answer.text, [chunk async for chunk in model.astream("hi")]

    assert asyncio.run(both()) == ("async answer", ["streamed", " async"])


# --- errors --------------------------------------------------------------------------------


@pytest.mark.parametrize(("reply", "error", "words"), [
    (error_reply(401, {"message": "Unauthorized", "request_id": "933f"}), AuthenticationError,
     "Unauthorized"),
    (out_of_credits(MISTRAL), PaymentRequiredError, "Insufficient credits"),
    (vendor_error(MISTRAL, 404, MISTRAL.unknown_model.format(model=SMALL), "invalid_model"),
     ModelNotFoundError, "did you mean"),
    (vendor_error(MISTRAL, 400, "Prompt contains 40960 tokens", "invalid_request_message_error"),
     InvalidInputError, "Prompt contains 40960 tokens"),
    (vendor_error(MISTRAL, 503, "Service unavailable", "server_error"), ProviderUnavailableError,
     "Service unavailable"),
], ids=["401", "402", "404", "400", "503"])
def test_http_errors_are_typed(provider: ProviderHandle, fake: FakeChat, reply: Reply,
                               error: type[MediaConduitError], words: str) -> None:
    fake.script(ENDPOINT, reply)
    with pytest.raises(error, match=words) as caught:
        provider.get_model(SMALL).transform("hi")
    assert type(caught.value) is error


def test_429_keeps_retry_after(provider: ProviderHandle, fake: FakeChat) -> None:
    fake.script(ENDPOINT, rate_limited(MISTRAL, retry_after=12))
    with pytest.raises(RateLimitError) as caught:
        provider.get_model(SMALL).transform("hi")
    assert caught.value.retry_after == 12


def test_an_error_inside_a_200_stream_keeps_the_text_so_far(provider: ProviderHandle,
                                                            fake: FakeChat) -> None:
    error = {"object": "error", "message": "Rate limit exceeded", "type": "rate_limit_error"}
    fake.script(ENDPOINT, Reply(text="un deux trois", stream_error=error, error_after=2))
    got: list[str] = []
    with pytest.raises(RateLimitError, match="Rate limit exceeded") as caught:
        got.extend(provider.get_model(SMALL).stream("go"))
    assert got == ["un", " deux"] and caught.value.partial == "un deux"


def test_the_key_never_appears_in_errors_or_logs(provider: ProviderHandle, fake: FakeChat,
                                                 module_cache: Path) -> None:
    fake.script(ENDPOINT, error_reply(400, {"object": "error", "message": f"bad key {KEY}"}))
    with pytest.raises(MediaConduitError) as caught:
        provider.get_model(SMALL).transform("hi")
    assert_secret_not_in_error(caught.value, KEY)
    assert "***" in str(caught.value)
    assert_secret_not_logged(module_cache, KEY)


# --- cancellation --------------------------------------------------------------------------


def test_closing_a_stream_hangs_up_the_upstream(provider: ProviderHandle,
                                                fake: FakeChat) -> None:
    fake.script(ENDPOINT, held(after=2))
    stream = provider.get_model(SMALL).stream("go")
    assert [next(stream), next(stream)] == ["one", " two"]
    closed = time.monotonic()
    stream.close()
    seen = fake.wait_for_hangup()
    assert seen is not None and seen - closed < 1.0
    assert provider.get_model(SMALL).transform("still there?").text == "You said: still there?"


def test_a_timed_out_stream_hangs_up_the_upstream(provider: ProviderHandle,
                                                  fake: FakeChat) -> None:
    fake.script(ENDPOINT, held(after=1))
    got: list[str] = []
    with pytest.raises(TransformTimeoutError) as caught:
        got.extend(provider.get_model(SMALL).stream("go", timeout=0.5))
    assert got == ["one"] and caught.value.partial == "one"
    assert fake.wait_for_hangup() is not None


def test_a_timed_out_plain_request_hangs_up_the_upstream(provider: ProviderHandle,
                                                         fake: FakeChat) -> None:
    fake.script(ENDPOINT, held())
    started = time.monotonic()
    with pytest.raises(TransformTimeoutError):
        provider.get_model(SMALL).transform("go", timeout=0.5)
    assert time.monotonic() - started < 2.0
    seen = fake.wait_for_hangup()
    assert seen is not None and seen - started < 2.0


# --- isolation, the command line, the provider's own suite --------------------------------


def test_the_host_never_imports_the_mistralai_client(provider: ProviderHandle) -> None:
    provider.get_model(SMALL).transform("hi")
    assert_not_imported("mistralai", "httpx2")


def test_cli_models_free_and_task(fake: FakeChat, module_cache: Path, commit: str,
                                  declared_env: pytest.MonkeyPatch) -> None:
    assert listed_ids(URL, module_cache, "--free") == set()  # no prices: nothing is free
    assert listed_ids(URL, module_cache, "--task", "image-to-text") == {MEDIUM, SMALL}
    assert listed_ids(URL, module_cache, "--task", "text-generation") == CHAT_MODELS


def test_the_providers_own_suite_passes_in_its_environment(
        tmp_path_factory: pytest.TempPathFactory) -> None:
    """What the provider's CI runs: its tests with its dependencies and the SDK, no host."""
    suite = run_provider_suite(PROVIDER, tmp_path_factory.mktemp("mistral-suite") / "cache")
    assert suite.passed >= 35 and set(suite.counts) == {"passed"}, suite.output
