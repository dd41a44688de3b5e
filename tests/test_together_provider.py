"""The Together provider loaded through the host, against a local Together.

`providers/together-provider` is published to the loopback git server as
`MediaConduit/together-provider` and loaded by its GitHub URL: real git, a real
uv environment (the official `together` client), a real worker, and the shared
OpenAI-style fake (`tests/helpers/openai_chat.py`, Together's dialect) reached
through the declared `TOGETHER_BASE_URL` / `TOGETHER_API_KEY`. The host process
itself never imports `together`. The provider's own suite runs here too, in an
environment with its dependencies, as its CI would run it.
"""

from __future__ import annotations

from decimal import Decimal
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
from tests.helpers.openai_chat import (
    JPEG,
    TOGETHER,
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
from tests.helpers.together import (
    CHAT,
    FAST,
    FREE,
    FREE_CHAT,
    FREE_IMAGE,
    FREE_VISION,
    IMAGE,
    KEY,
    PROVIDER,
    VISION,
    WHISPER,
)

pytestmark = pytest.mark.slow

URL = url_of("together")
ENDPOINT = "chat/completions"


# --- fixtures: one cache, one registry, one environment for the module ---------------------


server, fake, declared_env, commit, module_cache, host = host_fixtures(
    "together", PROVIDER, lambda: FakeChat(TOGETHER, api_key=KEY),
    lambda fake: {"TOGETHER_BASE_URL": fake.base_url, "TOGETHER_API_KEY": KEY})


provider = provider_fixture(URL, FAST)


# --- loading and discovery -----------------------------------------------------------------


def test_loads_by_url_and_lists_the_fakes_models(provider: ProviderHandle, commit: str,
                                                 fake: FakeChat) -> None:
    assert (provider.id, provider.type, provider.commit) == ("together", "remote", commit)
    assert len(provider.models) == 9
    assert len(provider.refresh_models()) == 9
    (request,) = fake.requests_to("models")
    assert request.headers["authorization"] == f"Bearer {KEY}"
    assert request.headers["user-agent"].startswith("Together/Python")  # the official client


def test_capabilities_tasks_prices_and_free(provider: ProviderHandle) -> None:
    by_id = {m.id: m for m in provider.models}
    assert by_id[CHAT].tasks == ("text-generation",)
    assert by_id[VISION].tasks == ("text-generation", "image-to-text")
    assert by_id[IMAGE].tasks == ("text-to-image",)
    assert by_id[WHISPER].capabilities == ()
    assert by_id[CHAT].pricing is not None and by_id[CHAT].pricing.prompt == Decimal("8.8E-7")
    assert by_id[CHAT].context_length == 131072
    assert {m.id for m in provider.get_free_models()} == FREE


# --- chat, stream, vision, images ----------------------------------------------------------


def test_chat_with_usage_and_cost(provider: ProviderHandle, fake: FakeChat) -> None:
    fake.script(ENDPOINT, completion("Paris.", usage=(1000, 500)))
    result = provider.get_model(CHAT).transform("Capital of France?", system="Be brief.",
                                                temperature=0.1, max_tokens=20, top_k=5)
    assert isinstance(result, Text) and result.text == "Paris."
    assert (result.usage.input_tokens, result.usage.output_tokens) == (1000, 500)
    assert result.cost.usd == Decimal("0.00132") and result.cost.estimated
    body = fake.requests_to(ENDPOINT)[0].body
    assert body["messages"][0] == {"role": "system", "content": "Be brief."}
    assert (body["temperature"], body["max_tokens"], body["top_k"]) == (0.1, 20, 5)


def test_stream_ends_with_usage_and_cost(provider: ProviderHandle, fake: FakeChat) -> None:
    fake.script(ENDPOINT, completion("Qubits hold many states", usage=(10, 4)))
    stream = provider.get_model(FREE_CHAT).stream("Explain quantum computing")
    assert list(stream) == ["Qubits", " hold", " many", " states"]
    assert stream.text == "Qubits hold many states"
    assert stream.usage.input_tokens == 10 and stream.usage.output_tokens == 4
    assert stream.cost.usd == 0


def test_a_vision_model_describes_an_image_file(provider: ProviderHandle, fake: FakeChat,
                                                tmp_path: Path) -> None:
    picture = tmp_path / "grey.png"
    picture.write_bytes(png())
    result = provider.get_model(FREE_VISION).transform(Image.from_path(picture),
                                                       prompt="What is it?")
    assert result.text == f"What is it? I see a image/png image of {len(png())} bytes"


def test_text_to_image_returns_files(provider: ProviderHandle, fake: FakeChat) -> None:
    image = provider.get_model(FREE_IMAGE).transform("a lighthouse", steps=4)
    assert isinstance(image, Image) and image.path is not None
    assert image.path.read_bytes() == JPEG and image.mime_type == "image/jpeg"
    assert image.usage.images == 1 and image.cost.usd == 0
    pair = provider.get_model(IMAGE).transform("two cats", n=2, response_format="url",
                                               output_format="png")
    assert isinstance(pair, list) and len(pair) == 2
    assert all(i.path is not None and i.path.read_bytes() == png() for i in pair)
    assert all(i.cost.usd is None for i in pair)


def test_async_twins(provider: ProviderHandle, fake: FakeChat) -> None:
    check_async_twins(provider, fake, CHAT)


# --- errors --------------------------------------------------------------------------------


@pytest.mark.parametrize(("reply", "error", "words"), [
    (error_reply(401, TOGETHER.error_body(401, TOGETHER.bad_key, "invalid_api_key")),
     AuthenticationError, "Invalid API key"),
    (out_of_credits(TOGETHER), PaymentRequiredError, "Credit limit exceeded"),
    (vendor_error(TOGETHER, 404, TOGETHER.unknown_model.format(model=CHAT), "model_not_available"),
     ModelNotFoundError, "did you mean"),
    (vendor_error(TOGETHER, 400, "max_tokens is too large", "invalid_request_error"),
     InvalidInputError, "max_tokens is too large"),
    (vendor_error(TOGETHER, 503, "Overloaded", "server_error"), ProviderUnavailableError,
     "Overloaded"),
], ids=["401", "402", "404", "400", "503"])
def test_http_errors_are_typed(provider: ProviderHandle, fake: FakeChat, reply: Reply,
                               error: type[MediaConduitError], words: str) -> None:
    check_typed_error(provider, fake, CHAT, reply, error, words)


def test_429_keeps_retry_after(provider: ProviderHandle, fake: FakeChat) -> None:
    check_retry_after(provider, fake, CHAT, TOGETHER)


def test_an_error_inside_a_200_stream_keeps_the_text_so_far(provider: ProviderHandle,
                                                            fake: FakeChat) -> None:
    error = {"error": {"message": "Rate limit reached", "type": "rate_limit_exceeded"}}
    check_error_in_a_stream(provider, fake, CHAT, error, "Rate limit reached")


def test_the_key_never_appears_in_errors_or_logs(provider: ProviderHandle, fake: FakeChat,
                                                 module_cache: Path) -> None:
    body = {"error": {"message": f"bad key {KEY}", "type": "x"}}
    check_key_hidden(provider, fake, CHAT, module_cache, body, KEY)


# --- cancellation --------------------------------------------------------------------------


def test_closing_a_stream_hangs_up_the_upstream(provider: ProviderHandle,
                                                fake: FakeChat) -> None:
    check_closing_a_stream_hangs_up(provider, fake, CHAT)


def test_a_timed_out_stream_hangs_up_the_upstream(provider: ProviderHandle,
                                                  fake: FakeChat) -> None:
    check_a_timed_out_stream_hangs_up(provider, fake, CHAT)


def test_a_timed_out_plain_request_hangs_up_the_upstream(provider: ProviderHandle,
                                                         fake: FakeChat) -> None:
    check_a_timed_out_request_hangs_up(provider, fake, CHAT)


# --- isolation, the command line, the provider's own suite --------------------------------


def test_the_host_never_imports_the_together_client(provider: ProviderHandle) -> None:
    provider.get_model(FREE_CHAT).transform("hi")
    assert_not_imported("together")


def test_cli_models_free_and_task(fake: FakeChat, module_cache: Path, commit: str,
                                  declared_env: pytest.MonkeyPatch) -> None:
    assert listed_ids(URL, module_cache, "--free") == FREE
    assert listed_ids(URL, module_cache, "--task", "text-to-image") == {FREE_IMAGE, IMAGE}
    chat = listed_ids(URL, module_cache, "--task", "text-generation", "--free")
    assert chat == {FREE_CHAT, FREE_VISION}


def test_the_providers_own_suite_passes_in_its_environment(
        tmp_path_factory: pytest.TempPathFactory) -> None:
    """What the provider's CI runs: its tests with its dependencies and the SDK, no host."""
    suite = run_provider_suite(PROVIDER, tmp_path_factory.mktemp("together-suite") / "cache")
    assert suite.passed >= 40 and set(suite.counts) == {"passed"}, suite.output
