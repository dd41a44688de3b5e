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
    Text,
)
from mediaconduit.handles import ProviderHandle
from tests.helpers.chat_host import (
    check_a_timed_out_request_hangs_up,
    check_a_timed_out_stream_hangs_up,
    check_async_twins,
    check_closing_a_stream_hangs_up,
    check_error_in_a_stream,
    check_key_hidden,
    check_retry_after,
    check_typed_error,
)
from tests.helpers.mistral import CODESTRAL, EMBED, FAST, KEY, MEDIUM, NEMO, OCR, PROVIDER, SMALL
from tests.helpers.openai_chat import (
    MISTRAL,
    FakeChat,
    Reply,
    completion,
    error_reply,
    out_of_credits,
    png,
    vendor_error,
)
from tests.helpers.provider_host import (
    assert_not_imported,
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
    check_async_twins(provider, fake, SMALL)


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
    check_typed_error(provider, fake, SMALL, reply, error, words)


def test_429_keeps_retry_after(provider: ProviderHandle, fake: FakeChat) -> None:
    check_retry_after(provider, fake, SMALL, MISTRAL)


def test_an_error_inside_a_200_stream_keeps_the_text_so_far(provider: ProviderHandle,
                                                            fake: FakeChat) -> None:
    error = {"object": "error", "message": "Rate limit exceeded", "type": "rate_limit_error"}
    check_error_in_a_stream(provider, fake, SMALL, error, "Rate limit exceeded")


def test_the_key_never_appears_in_errors_or_logs(provider: ProviderHandle, fake: FakeChat,
                                                 module_cache: Path) -> None:
    body = {"object": "error", "message": f"bad key {KEY}"}
    check_key_hidden(provider, fake, SMALL, module_cache, body, KEY)


# --- cancellation --------------------------------------------------------------------------


def test_closing_a_stream_hangs_up_the_upstream(provider: ProviderHandle,
                                                fake: FakeChat) -> None:
    check_closing_a_stream_hangs_up(provider, fake, SMALL)


def test_a_timed_out_stream_hangs_up_the_upstream(provider: ProviderHandle,
                                                  fake: FakeChat) -> None:
    check_a_timed_out_stream_hangs_up(provider, fake, SMALL)


def test_a_timed_out_plain_request_hangs_up_the_upstream(provider: ProviderHandle,
                                                         fake: FakeChat) -> None:
    check_a_timed_out_request_hangs_up(provider, fake, SMALL)


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
