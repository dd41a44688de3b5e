"""The Anthropic provider loaded through the host, against a local Anthropic API.

`providers/anthropic-provider` is published to the loopback git server as
`MediaConduit/anthropic-provider` and loaded by its GitHub URL: real git, a real
uv environment with the official `anthropic` client, a real worker, and the
provider's own fake API (`providers/anthropic-provider/tests/fake_anthropic.py`)
reached through the declared `ANTHROPIC_BASE_URL` / `ANTHROPIC_API_KEY`. The
host process itself never imports `anthropic`. One cache and one registry for
the module, so the environment is built once.
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
    RateLimitError,
    Text,
)
from mediaconduit.handles import ProviderHandle
from tests.helpers.anthropic import (
    FAST,
    HAIKU,
    KEY,
    MODELS,
    OPUS,
    PNG,
    PROVIDER,
    RETIRED,
    FakeAnthropic,
    Reply,
    answer,
    billing,
    error_reply,
    held,
    invalid,
    low_credit,
    mid_stream_error,
    not_found,
    overloaded,
    rate_limited,
    unauthorized,
)
from tests.helpers.provider_host import (
    assert_not_imported,
    assert_secret_not_in_error,
    assert_secret_not_logged,
    check_a_timed_out_stream_hangs_up,
    check_closing_a_stream_hangs_up,
    host_fixtures,
    listed_ids,
    provider_fixture,
    url_of,
)
from tests.helpers.provider_suite import run_provider_suite

pytestmark = pytest.mark.slow

URL = url_of("anthropic")
MESSAGES = "/v1/messages"
SERVABLE = {m["id"] for m in MODELS} - {RETIRED}
#: the user's own prices for one model (the API lists none)
PRICES = {HAIKU: {"prompt": "0.000001", "completion": "0.000005"}}


server, fake, declared_env, commit, module_cache, host = host_fixtures(
    "anthropic", PROVIDER, lambda: FakeAnthropic(api_key=KEY),
    lambda fake: {"ANTHROPIC_BASE_URL": fake.base_url, "ANTHROPIC_API_KEY": KEY})


provider = provider_fixture(URL, {**FAST, "page_size": 3, "prices": PRICES})


def ask(provider: ProviderHandle, model_id: str = OPUS) -> Text:
    result = provider.get_model(model_id).transform("hello")
    assert isinstance(result, Text)
    return result


# --- loading and discovery ---------------------------------------------------------------


def test_loads_by_url_and_lists_every_page(provider: ProviderHandle, commit: str,
                                           fake: FakeAnthropic) -> None:
    assert (provider.id, provider.name, provider.type) == ("anthropic", "Anthropic", "remote")
    assert provider.commit == commit
    assert [m.id for m in provider.refresh_models()] == [m["id"] for m in MODELS]
    pages = fake.requests_to("/v1/models")
    assert [r.query.get("after_id") for r in pages] == [None, MODELS[2]["id"], MODELS[5]["id"]]
    assert pages[0].headers["authorization"] == f"Bearer {KEY}"


def test_capabilities_tasks_context_and_no_free_models(provider: ProviderHandle) -> None:
    by_id = {m.id: m for m in provider.models}
    assert by_id[OPUS].capabilities == ("text-to-text", "image-to-text")
    assert by_id[OPUS].tasks == ("text-generation", "image-to-text")
    assert by_id[OPUS].context_length == 1_000_000
    assert by_id[HAIKU].context_length == 200_000
    assert by_id[RETIRED].capabilities == ()
    assert provider.get_free_models() == []
    assert not provider.is_model_free(OPUS)


def test_the_host_never_imports_the_client(provider: ProviderHandle) -> None:
    ask(provider)
    assert_not_imported("anthropic", "anthropic_provider", "httpx2")


# --- chat, stream, image ---------------------------------------------------------------------


def test_transform_with_system_conversation_and_params(provider: ProviderHandle,
                                                       fake: FakeAnthropic) -> None:
    history = [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello!"}]
    result = provider.get_model(OPUS).transform(
        "What is the capital of France?", system="Be brief.", messages=history,
        temperature=0.2, max_tokens=64, top_p=0.9)
    assert isinstance(result, Text)
    assert result.text == "You said: What is the capital of France?"
    assert (result.usage.input_tokens, result.usage.output_tokens) == (10, 8)
    assert result.cost.usd is None  # Anthropic lists no prices
    assert result.metadata["request_id"].startswith("req_")
    (request,) = fake.requests_to(MESSAGES)
    body = request.body
    assert (body["system"], body["temperature"], body["max_tokens"], body["top_p"]) == (
        "Be brief.", 0.2, 64, 0.9)
    assert body["messages"][:2] == history
    assert request.headers["anthropic-version"]


def test_stream_then_usage(provider: ProviderHandle, fake: FakeAnthropic) -> None:
    fake.script(answer("Qubits hold many states at once"))
    stream = provider.get_model(OPUS).stream("Explain quantum computing")
    assert list(stream) == ["Qubits", " hold", " many", " states", " at", " once"]
    assert stream.text == "Qubits hold many states at once"
    assert (stream.usage.input_tokens, stream.usage.output_tokens) == (3, 6)
    assert fake.requests_to(MESSAGES)[0].body["stream"] is True


def test_cost_from_configured_prices(provider: ProviderHandle, fake: FakeAnthropic) -> None:
    result = ask(provider, HAIKU)
    assert (result.usage.input_tokens, result.usage.output_tokens) == (1, 3)
    assert result.cost.usd is not None and float(result.cost.usd) == pytest.approx(0.000016)
    assert result.cost.estimated is True
    stream = provider.get_model(HAIKU).stream("hello")
    assert "".join(stream) == "You said: hello"
    assert stream.cost.usd == result.cost.usd


def test_describes_an_image(provider: ProviderHandle, fake: FakeAnthropic,
                            tmp_path: Path) -> None:
    picture = tmp_path / "dot.png"
    picture.write_bytes(PNG)
    result = provider.get_model(HAIKU).transform(Image.from_path(picture),
                                                 prompt="What is in this picture?")
    assert isinstance(result, Text)
    assert result.text == (f"You said: [a image/png image of {len(PNG)} bytes] "
                           "What is in this picture?")
    block = fake.requests_to(MESSAGES)[0].body["messages"][0]["content"][0]
    assert block["type"] == "image"
    assert block["source"]["media_type"] == "image/png"


# --- errors cross the process boundary typed ----------------------------------------------


@pytest.mark.parametrize(("reply", "error", "words"), [
    (unauthorized(), AuthenticationError, "invalid x-api-key"),
    (billing(), PaymentRequiredError, "no remaining credits"),
    (low_credit(), PaymentRequiredError, "credit balance is too low"),
    (invalid(), InvalidInputError, "max_tokens: Field required"),
], ids=["401", "402", "400-credit", "400"])
def test_http_errors_are_typed(provider: ProviderHandle, fake: FakeAnthropic, reply: Reply,
                               error: type[MediaConduitError], words: str) -> None:
    fake.script(reply)
    with pytest.raises(error, match=words) as info:
        ask(provider)
    assert type(info.value) is error
    assert len(fake.requests_to(MESSAGES)) == 1


def test_404_names_the_model_and_close_matches(provider: ProviderHandle,
                                               fake: FakeAnthropic) -> None:
    fake.script(not_found(OPUS))
    with pytest.raises(ModelNotFoundError, match="did you mean claude-opus-4-6") as info:
        ask(provider)
    assert info.value.model_id == OPUS
    with pytest.raises(ModelNotFoundError, match="did you mean claude-opus-4-6"):
        provider.get_model("claude-opus-4-7")


def test_429_keeps_retry_after(provider: ProviderHandle, fake: FakeAnthropic) -> None:
    fake.script(rate_limited(retry_after=30))
    with pytest.raises(RateLimitError, match="rate limit") as info:
        ask(provider)
    assert info.value.retry_after == 30
    assert len(fake.requests_to(MESSAGES)) == 1


def test_529_is_unavailable_after_retries_with_backoff(provider: ProviderHandle,
                                                       fake: FakeAnthropic) -> None:
    fake.script(*[overloaded()] * FAST["max_attempts"])
    with pytest.raises(ProviderUnavailableError, match="Overloaded"):
        ask(provider)
    sent = fake.requests_to(MESSAGES)
    assert len(sent) == FAST["max_attempts"]
    assert sent[1].at - sent[0].at >= FAST["backoff"]
    assert sent[2].at - sent[1].at >= 2 * FAST["backoff"]


def test_an_error_event_in_a_200_stream_keeps_the_text_so_far(provider: ProviderHandle,
                                                              fake: FakeAnthropic) -> None:
    fake.script(mid_stream_error("overloaded_error", "Overloaded", after=2))
    stream = provider.get_model(OPUS).stream("one two three")
    with pytest.raises(ProviderUnavailableError, match="Overloaded") as info:
        list(stream)
    assert info.value.partial == "You said:"


@pytest.mark.parametrize("status", [400, 401, 404, 429, 529])
def test_the_key_never_appears_in_errors_or_logs(provider: ProviderHandle, fake: FakeAnthropic,
                                                 module_cache: Path, status: int) -> None:
    fake.script(*[error_reply(status, "api_error", f"bad key {KEY}")] * FAST["max_attempts"])
    with pytest.raises(MediaConduitError) as info:
        ask(provider)
    assert_secret_not_in_error(info.value, KEY, KEY[14:])
    assert "bad key ***" in str(info.value)
    assert_secret_not_logged(module_cache, KEY[14:])


# --- cancellation ------------------------------------------------------------------------


def test_closing_a_stream_hangs_up_on_the_api(provider: ProviderHandle,
                                              fake: FakeAnthropic) -> None:
    fake.script(held())
    check_closing_a_stream_hangs_up(provider, fake, OPUS, "one two three", "You")


def test_a_timed_out_stream_hangs_up_on_the_api(provider: ProviderHandle,
                                                fake: FakeAnthropic) -> None:
    fake.script(held())
    check_a_timed_out_stream_hangs_up(provider, fake, OPUS, "one two three", "You")
    assert ask(provider).text == "You said: hello"  # the worker serves on


# --- the command line ---------------------------------------------------------------------


def test_cli_models_free_and_task(fake: FakeAnthropic, module_cache: Path, commit: str,
                                  declared_env: pytest.MonkeyPatch) -> None:
    assert listed_ids(URL, module_cache, "--free") == set()
    assert listed_ids(URL, module_cache, "--task", "text-generation") == SERVABLE


# --- the provider's own suite, in its own environment ---------------------------------------



def test_the_providers_own_suite_passes_in_its_environment(
        tmp_path_factory: pytest.TempPathFactory) -> None:
    """What the provider's CI runs: its tests, with its dependencies and the SDK, no host."""
    suite = run_provider_suite(PROVIDER, tmp_path_factory.mktemp("anthropic-suite") / "cache")
    assert suite.passed >= 50
    assert set(suite.counts) == {"passed"}, suite.output
