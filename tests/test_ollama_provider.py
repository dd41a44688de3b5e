"""The Ollama provider loaded through the host, against a local Ollama server.

`providers/ollama-provider` is published to the loopback git server as
`MediaConduit/ollama-provider` and loaded by its GitHub URL: real git, a real uv
environment with the official `ollama` client, a real worker, and the
provider's own fake server (`providers/ollama-provider/tests/fake_ollama.py`)
reached through the declared `OLLAMA_HOST`. The host process itself never
imports `ollama`. One cache and one registry for the module, so the
environment is built once.
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
    RateLimitError,
    Text,
)
from mediaconduit.handles import ProviderHandle
from mediaconduit.registry import ProviderRegistry
from mediaconduit.sdk import Progress
from tests.helpers.ollama import (
    EMBED,
    FAST,
    LLAMA,
    MODELS,
    NOT_PULLED,
    PNG,
    PROVIDER,
    VISION,
    FakeOllama,
    answer,
    busy,
    closed_port,
    error_reply,
    held,
    mid_stream_error,
)
from tests.helpers.provider_host import (
    assert_not_imported,
    check_a_timed_out_stream_hangs_up,
    check_closing_a_stream_hangs_up,
    host_fixtures,
    listed_ids,
    provider_fixture,
    url_of,
)
from tests.helpers.provider_suite import run_provider_suite

pytestmark = pytest.mark.slow

URL = url_of("ollama")
CHAT = "/api/chat"
ALL = {m["name"] for m in MODELS}
CHATTY = ALL - {EMBED}


server, fake, declared_env, commit, module_cache, host = host_fixtures(
    "ollama", PROVIDER, FakeOllama, lambda fake: {"OLLAMA_HOST": fake.host})


provider = provider_fixture(URL, FAST)


def ask(provider: ProviderHandle, model_id: str = LLAMA, **params: object) -> Text:
    result = provider.get_model(model_id).transform("hello", **params)
    assert isinstance(result, Text)
    return result


# --- loading and discovery ---------------------------------------------------------------


def test_loads_by_url_and_lists_the_pulled_models(provider: ProviderHandle, commit: str,
                                                  fake: FakeOllama) -> None:
    assert (provider.id, provider.name, provider.type) == ("ollama", "Ollama", "local")
    assert provider.commit == commit
    assert {m.id for m in provider.refresh_models()} == ALL
    assert len(fake.requests_to("/api/tags")) == 1
    assert {r.body["model"] for r in fake.requests_to("/api/show")} == ALL


def test_capabilities_context_and_every_model_free(provider: ProviderHandle) -> None:
    by_id = {m.id: m for m in provider.models}
    assert by_id[LLAMA].capabilities == ("text-to-text",)
    assert by_id[VISION].capabilities == ("text-to-text", "image-to-text")
    assert by_id[VISION].tasks == ("text-generation", "image-to-text")
    assert by_id[EMBED].capabilities == ()
    assert by_id[LLAMA].context_length == 131072
    assert {m.id for m in provider.get_free_models()} == ALL
    assert provider.is_model_free(VISION)
    report = provider.health()
    assert (report["ok"], report["version"]) == (True, "0.13.1")


def test_the_host_never_imports_the_client(provider: ProviderHandle) -> None:
    ask(provider)
    assert_not_imported("ollama", "ollama_provider")


# --- chat, stream, image ---------------------------------------------------------------------


def test_transform_with_system_conversation_and_options(provider: ProviderHandle,
                                                        fake: FakeOllama) -> None:
    history = [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}]
    result = provider.get_model(LLAMA).transform(
        "Why is the sky blue?", system="Be brief.", messages=history, temperature=0.2,
        max_tokens=64, top_k=20)
    assert isinstance(result, Text)
    assert result.text == "You said: Why is the sky blue?"
    assert (result.usage.input_tokens, result.usage.output_tokens) == (9, 7)
    assert result.cost.usd == Decimal(0)
    body = fake.requests_to(CHAT)[0].body
    assert body["messages"][0] == {"role": "system", "content": "Be brief."}
    assert body["messages"][1:3] == history
    assert body["options"] == {"temperature": 0.2, "top_k": 20, "num_predict": 64}


def test_stream_then_usage(provider: ProviderHandle, fake: FakeOllama) -> None:
    fake.script(answer("Rayleigh scattering, mostly"))
    stream = provider.get_model(LLAMA).stream("Why is the sky blue?")
    assert list(stream) == ["Rayleigh", " scattering,", " mostly"]
    assert (stream.usage.input_tokens, stream.usage.output_tokens) == (5, 3)
    assert stream.usage.compute_seconds == pytest.approx(1.25)


def test_describes_an_image(provider: ProviderHandle, fake: FakeOllama, tmp_path: Path) -> None:
    picture = tmp_path / "dot.png"
    picture.write_bytes(PNG)
    result = provider.get_model(VISION).transform(Image.from_path(picture),
                                                  prompt="What is in this picture?")
    assert isinstance(result, Text)
    assert result.text == f"You said: [an image of {len(PNG)} bytes] What is in this picture?"
    assert len(fake.requests_to(CHAT)[0].body["messages"][0]["images"]) == 1


# --- pulling ------------------------------------------------------------------------------


def test_a_model_not_pulled_names_ollama_pull(provider: ProviderHandle,
                                              fake: FakeOllama) -> None:
    with pytest.raises(ModelNotFoundError, match=f"`ollama pull {NOT_PULLED}`") as info:
        ask(provider, NOT_PULLED)
    assert info.value.model_id == NOT_PULLED
    assert fake.requests_to("/api/pull") == []


def test_pull_true_pulls_with_progress_then_answers(provider: ProviderHandle,
                                                    fake: FakeOllama) -> None:
    events: list[Progress] = []
    result = provider.get_model(NOT_PULLED).transform("hello", pull=True,
                                                      on_progress=events.append)
    assert isinstance(result, Text)
    assert result.text == "You said: hello"
    fractions = [e.fraction for e in events if e.fraction is not None]
    assert fractions[0] == 0.0 and fractions[-1] == 1.0 and fractions == sorted(fractions)
    assert events[-1].message == "success"
    assert [r.body["model"] for r in fake.requests_to("/api/pull")] == [NOT_PULLED]


def test_auto_pull_config_pulls_then_streams(host: ProviderRegistry, fake: FakeOllama) -> None:
    handle = host.get_provider(URL, config={**FAST, "auto_pull": True})
    events: list[Progress] = []
    stream = handle.get_model(NOT_PULLED).stream("hello", on_progress=events.append)
    assert "".join(stream) == "You said: hello"
    assert any(e.message == "verifying sha256 digest" for e in events)
    assert len(fake.requests_to("/api/pull")) == 1


def test_a_server_that_is_not_running_says_how_to_start_it(host: ProviderRegistry) -> None:
    handle = host.get_provider(URL, config={**FAST, "host": f"127.0.0.1:{closed_port()}"})
    with pytest.raises(ProviderUnavailableError, match="start it with `ollama serve`"):
        handle.get_model(LLAMA)


# --- errors cross the process boundary typed ----------------------------------------------


@pytest.mark.parametrize(("status", "message", "error"), [
    (400, "invalid options: temprature", InvalidInputError),
    (401, "unauthorized", AuthenticationError),
    (402, "you have reached your usage limit", PaymentRequiredError),
    (429, "too many requests", RateLimitError),
])
def test_error_answers_are_typed(provider: ProviderHandle, fake: FakeOllama, status: int,
                                 message: str, error: type[MediaConduitError]) -> None:
    fake.script(*[error_reply(status, message)] * FAST["max_attempts"])
    with pytest.raises(error, match=message) as info:
        ask(provider)
    assert type(info.value) is error


def test_busy_is_unavailable_after_retries_with_backoff(provider: ProviderHandle,
                                                        fake: FakeOllama) -> None:
    fake.script(*[busy()] * FAST["max_attempts"])
    with pytest.raises(ProviderUnavailableError, match="server busy"):
        ask(provider)
    sent = fake.requests_to(CHAT)
    assert len(sent) == FAST["max_attempts"]
    assert sent[2].at - sent[1].at >= 2 * FAST["backoff"]


def test_an_error_line_in_a_200_stream_keeps_the_text_so_far(provider: ProviderHandle,
                                                             fake: FakeOllama) -> None:
    fake.script(mid_stream_error(after=2))
    stream = provider.get_model(LLAMA).stream("one two three")
    with pytest.raises(ProviderUnavailableError, match="unexpected EOF") as info:
        list(stream)
    assert info.value.partial == "You said:"


# --- cancellation ------------------------------------------------------------------------


def test_closing_a_stream_hangs_up_on_the_server(provider: ProviderHandle,
                                                 fake: FakeOllama) -> None:
    fake.script(held())
    check_closing_a_stream_hangs_up(provider, fake, LLAMA, "one two three", "You")


def test_a_timed_out_stream_hangs_up_on_the_server(provider: ProviderHandle,
                                                   fake: FakeOllama) -> None:
    fake.script(held())
    check_a_timed_out_stream_hangs_up(provider, fake, LLAMA, "one two three", "You")
    assert ask(provider).text == "You said: hello"


# --- the command line ---------------------------------------------------------------------


def test_cli_models_free_and_task(fake: FakeOllama, module_cache: Path, commit: str,
                                  declared_env: pytest.MonkeyPatch) -> None:
    assert listed_ids(URL, module_cache, "--free") == ALL
    assert listed_ids(URL, module_cache, "--task", "text-generation") == CHATTY


# --- the provider's own suite, in its own environment ---------------------------------------



def test_the_providers_own_suite_passes_in_its_environment(
        tmp_path_factory: pytest.TempPathFactory) -> None:
    """What the provider's CI runs: its tests, with its dependencies and the SDK, no host."""
    suite = run_provider_suite(PROVIDER, tmp_path_factory.mktemp("ollama-suite") / "cache")
    assert suite.passed >= 45
    assert set(suite.counts) == {"passed"}, suite.output
