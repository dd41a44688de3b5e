"""The OpenRouter provider loaded through the host, against a local OpenRouter.

`providers/openrouter-provider` is published to the loopback git server as
`MediaConduit/openrouter-provider` and loaded by its GitHub URL: real git, a
real uv environment (httpx), a real worker process, and the provider's own
fake OpenRouter (`providers/openrouter-provider/tests/fake_openrouter.py`)
reached through the declared `OPENROUTER_BASE_URL` / `OPENROUTER_API_KEY`.
The cache, the registry and the handles are shared by the module, so the
environment is built once.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from mediaconduit import (
    AuthenticationError,
    MediaConduitError,
    ModelNotFoundError,
    PaymentRequiredError,
    ProviderUnavailableError,
    RateLimitError,
    Text,
)
from mediaconduit.handles import ProviderHandle
from mediaconduit.registry import ProviderRegistry
from tests.helpers.gitserver import GitServer
from tests.helpers.openrouter import (
    FAST,
    KEY,
    PROVIDER,
    SEED_MODEL,
    FakeOpenRouter,
    Reply,
    completion,
    error_reply,
    mid_stream_error,
    no_endpoints,
    payment_required,
    rate_limited,
    seed_catalog,
    server_error,
    unauthorized,
)
from tests.helpers.provider_host import (
    assert_secret_not_in_error,
    assert_secret_not_logged,
    cli,
    host_fixtures,
    provider_fixture,
    run_host,
    url_of,
)

URL = url_of("openrouter")
CHAT = "chat/completions"
FREE = "openai/gpt-oss-20b:free"
PAID = "qwen/qwen3.8-27b"
#: a secret the manifest does not declare: it must never reach the worker
UNDECLARED = ("OPENAI_API_KEY", "sk-proj-undeclared-secret-0123456789")
#: the 17 `:free` models of the 2026-08 default listing
FREE_SUFFIX = frozenset({
    "dots-studio/dots-3-note-preview:free", "liquid/lfm-2.5-2.6b:free",
    "nvidia/nemotron-3.5-lightning:free", "poolside/laguna-s-2.1:free",
    "poolside/laguna-xs-2.1:free", "cohere/north-mini-code:free", "z-ai/glm-5.2:free",
    "nvidia/nemotron-3.5-content-safety:free", "nvidia/nemotron-3-ultra-550b-a55b:free",
    "nvidia/nemotron-3-nano-omni-30b-a3b-reasoning:free", "google/gemma-4-26b-a4b-it:free",
    "google/gemma-4-31b-it:free", "nvidia/nemotron-3-super-120b-a12b:free",
    "nvidia/nemotron-3-nano-30b-a3b:free", "nvidia/nemotron-nano-12b-v2-vl:free",
    "nvidia/nemotron-nano-9b-v2:free", FREE,
})
FREE_DEFAULT = FREE_SUFFIX | {"openrouter/free"}
#: the `:free` media models only the all-modalities listing has (speech, embeddings, rerank)
FREE_MEDIA = frozenset({
    "deepgram/flux-tts:free", "fish-audio/s2.1-pro-free:free",
    "nvidia/nemotron-3-embed-1b:free", "nvidia/llama-nemotron-embed-vl-1b-v2:free",
    "nvidia/llama-nemotron-rerank-vl-1b-v2:free",
})
TEXT_CAPABILITIES = {"text-to-text", "image-to-text"}


# --- fixtures: one cache, one registry, one environment for the module ---------------------


#: the local OpenRouter serving the captured 2026-08 catalogs; the manifest's variables
#: pointing at it, plus one the manifest does not declare
server, fake, declared_env, commit, module_cache, host = host_fixtures(
    "openrouter", PROVIDER, lambda: FakeOpenRouter(api_key=KEY),
    lambda fake: {"OPENROUTER_BASE_URL": fake.base_url, "OPENROUTER_API_KEY": KEY,
                  UNDECLARED[0]: UNDECLARED[1]})
provider = provider_fixture(URL, FAST)  # the default listing (text models), discovered


@pytest.fixture(scope="module")
def seed_server() -> Iterator[FakeOpenRouter]:
    """A local OpenRouter that also lists the seed's `meta-llama/llama-3.1-8b-instruct:free`."""
    catalog = seed_catalog()
    with FakeOpenRouter(catalog=catalog, catalog_all=catalog, api_key=KEY) as fake:
        yield fake


#: every modality, asked for with the provider's `output_modalities` config
provider_all = provider_fixture(URL, {**FAST, "output_modalities": "all"}, name="provider_all")


def python(snippet: str) -> list[str]:
    return [sys.executable, "-c", snippet]


def ask(provider: ProviderHandle, model_id: str = FREE) -> Text:
    result = provider.get_model(model_id).transform("hello")
    assert isinstance(result, Text)
    return result


# --- loading and discovery ---------------------------------------------------------------


def test_manifest_facts_and_one_environment(provider: ProviderHandle,
                                            provider_all: ProviderHandle, commit: str) -> None:
    assert (provider.id, provider.name, provider.type) == ("openrouter", "OpenRouter", "remote")
    assert provider.capabilities == ["text-to-text", "image-to-text"]
    assert provider.commit == provider_all.commit == commit
    assert provider is not provider_all  # another config is another provider instance
    assert provider.worker().spec.python == provider_all.worker().spec.python


def test_default_listing_discovers_414_models(provider: ProviderHandle,
                                              fake: FakeOpenRouter) -> None:
    assert len(provider.models) == 414
    assert len(provider.refresh_models()) == 414
    (request,) = fake.requests_to("models")
    assert request.query == {}
    assert "authorization" not in request.headers  # listing needs no key; it is not sent


def test_all_modalities_listing_discovers_549_models(provider_all: ProviderHandle,
                                                     fake: FakeOpenRouter) -> None:
    assert len(provider_all.models) == 549
    assert len(provider_all.refresh_models()) == 549
    (request,) = fake.requests_to("models")
    assert request.query == {"output_modalities": "all"}


def test_default_free_set_is_the_17_free_ids_and_the_free_router(
    provider: ProviderHandle,
) -> None:
    free = [m.id for m in provider.get_free_models()]
    assert len(free) == 18
    assert set(free) == FREE_DEFAULT


def test_all_modalities_free_set_has_23_models(provider_all: ProviderHandle) -> None:
    free = [m.id for m in provider_all.get_free_models()]
    assert len(free) == 23
    assert set(free) == FREE_DEFAULT | FREE_MEDIA


def test_is_model_free(provider: ProviderHandle, provider_all: ProviderHandle) -> None:
    assert provider.is_model_free(FREE)
    assert provider.is_model_free("openrouter/free")
    assert not provider.is_model_free(PAID)
    assert not provider.is_model_free("openrouter/auto")  # variable price
    assert provider_all.is_model_free("deepgram/flux-tts:free")
    assert not provider_all.is_model_free("openai/sora-2-pro")  # zero token prices, paid per second
    with pytest.raises(ModelNotFoundError):
        provider.is_model_free("openai/sora-2-pro")  # media: only in the all-modalities listing


def test_capabilities_are_what_the_provider_can_return(provider: ProviderHandle,
                                                       provider_all: ProviderHandle) -> None:
    assert all(m.capabilities for m in provider.models)
    for info in provider_all.models:
        assert set(info.capabilities) <= TEXT_CAPABILITIES, info.id
    by_id = {m.id: m for m in provider_all.models}
    assert by_id[PAID].capabilities == ("text-to-text", "image-to-text")
    assert by_id[PAID].tasks == ("text-generation", "image-to-text")  # a vision model
    assert all("text-generation" in m.tasks for m in provider.models if m.capabilities)
    assert by_id["openai/sora-2-pro"].capabilities == ()
    assert by_id["deepgram/flux-tts:free"].capabilities == ()
    assert by_id["deepgram/flux-tts:free"].free is True


# --- the seed's usage -----------------------------------------------------------------------


def test_seed_model_is_not_in_the_2026_listing(provider: ProviderHandle) -> None:
    with pytest.raises(ModelNotFoundError) as info:
        provider.get_model(SEED_MODEL)
    assert info.value.model_id == SEED_MODEL
    assert "meta-llama/llama-3.1-8b-instruct" in str(info.value).split("did you mean")[1]


SEED_USAGE = """
import json
from mediaconduit import get_provider_registry

provider = get_provider_registry().get_provider("https://github.com/MediaConduit/openrouter-provider")
model = provider.get_model("meta-llama/llama-3.1-8b-instruct:free")
answer = model.transform("Explain quantum computing")
print(json.dumps({
    "text": answer.text, "cost": str(answer.cost.usd),
    "free": provider.is_model_free("meta-llama/llama-3.1-8b-instruct:free"),
    "free_models": sorted(m.id for m in provider.get_free_models()),
}))
"""


def test_seed_usage_in_python(seed_server: FakeOpenRouter, module_cache: Path, commit: str,
                              declared_env: pytest.MonkeyPatch) -> None:
    seed_server.reset()
    seed_server.script(CHAT, completion("Quantum computers use qubits."))
    done = run_host(python(SEED_USAGE), module_cache, OPENROUTER_BASE_URL=seed_server.base_url)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["text"] == "Quantum computers use qubits."
    assert Decimal(result["cost"]) == 0
    assert result["free"] is True
    assert set(result["free_models"]) == FREE_DEFAULT | {SEED_MODEL}
    (request,) = seed_server.requests_to(CHAT)
    assert request.body["model"] == SEED_MODEL
    assert request.body["messages"] == [{"role": "user", "content": "Explain quantum computing"}]


# --- chat and stream ----------------------------------------------------------------------


def test_transform_returns_text_with_usage_cost_and_generation_id(
    provider: ProviderHandle, fake: FakeOpenRouter,
) -> None:
    result = provider.get_model(PAID).transform("What is the capital of France?")
    assert isinstance(result, Text)
    assert result.text == "You said: What is the capital of France?"
    meta = result.metadata
    assert meta["generation_id"].startswith("gen-")
    assert meta["model"] == PAID
    assert meta["finish_reason"] == "stop"
    assert result.usage.output_tokens == 8
    assert result.cost.usd is not None and result.cost.usd > 0 and not result.cost.estimated
    (request,) = fake.requests_to(CHAT)
    assert request.headers["authorization"] == f"Bearer {KEY}"
    assert "stream" not in request.body


def test_stream_yields_the_chunks_in_order(provider: ProviderHandle,
                                           fake: FakeOpenRouter) -> None:
    fake.script(CHAT, completion("Qubits hold many states at once"))
    stream = provider.get_model(FREE).stream(Text("Explain quantum computing"))
    chunks = list(stream)
    assert chunks == ["Qubits", " hold", " many", " states", " at", " once"]
    assert not any("OPENROUTER" in chunk for chunk in chunks)  # keep-alive comments skipped
    assert stream.usage.output_tokens == 6 and stream.cost.usd == 0  # a free model
    (request,) = fake.requests_to(CHAT)
    assert request.body["stream"] is True


def test_async_twins(provider: ProviderHandle, fake: FakeOpenRouter) -> None:
    fake.script(CHAT, completion("async answer"), completion("streamed async"))
    model = provider.get_model(FREE)

    async def both() -> tuple[str, list[str]]:
        answer = await model.atransform("hi")
        assert isinstance(answer, Text)
        return answer.text, [chunk async for chunk in model.astream("hi")]

    assert asyncio.run(both()) == ("async answer", ["streamed", " async"])


# --- errors cross the process boundary typed ----------------------------------------------


@pytest.mark.parametrize(
    ("reply", "error", "words"),
    [
        (unauthorized(), AuthenticationError, "No auth credentials found"),
        (payment_required(), PaymentRequiredError, "credits ran out"),
        (no_endpoints(FREE), ModelNotFoundError, "No endpoints found for"),
    ],
    ids=["401", "402", "404"],
)
def test_http_errors_are_typed(provider: ProviderHandle, fake: FakeOpenRouter, reply: Reply,
                               error: type[MediaConduitError], words: str) -> None:
    fake.script(CHAT, reply)
    with pytest.raises(error, match=words) as info:
        ask(provider)
    assert type(info.value) is error
    assert len(fake.requests_to(CHAT)) == 1


def test_404_keeps_the_model_id(provider: ProviderHandle, fake: FakeOpenRouter) -> None:
    fake.script(CHAT, no_endpoints(FREE))
    with pytest.raises(ModelNotFoundError) as info:
        ask(provider)
    assert info.value.model_id == FREE


def test_429_keeps_retry_after(provider: ProviderHandle, fake: FakeOpenRouter) -> None:
    fake.script(CHAT, rate_limited(retry_after=30))  # longer than max_retry_wait: no retry
    with pytest.raises(RateLimitError, match="free-models-per-day") as info:
        ask(provider)
    assert info.value.retry_after == 30
    assert len(fake.requests_to(CHAT)) == 1


def test_5xx_is_provider_unavailable_after_the_retries(provider: ProviderHandle,
                                                       fake: FakeOpenRouter) -> None:
    fake.script(CHAT, *[server_error(503, "No provider meets your requirements")] * 3)
    with pytest.raises(ProviderUnavailableError, match="No provider meets"):
        ask(provider)
    assert len(fake.requests_to(CHAT)) == FAST["max_attempts"]


def test_error_inside_a_200_stream(provider: ProviderHandle, fake: FakeOpenRouter) -> None:
    limit = mid_stream_error().stream_error
    fake.script(CHAT, Reply(text="one two three", stream_error=limit))
    got: list[str] = []
    with pytest.raises(RateLimitError, match="temporarily rate-limited upstream"):
        got.extend(provider.get_model(FREE).stream("go"))
    assert got == ["one"]


def test_retry_after_is_honoured(provider: ProviderHandle, fake: FakeOpenRouter) -> None:
    fake.script(CHAT, rate_limited(retry_after=0.5), completion("after the wait"))
    assert ask(provider).text == "after the wait"
    first, second = fake.requests_to(CHAT)
    assert second.at - first.at >= 0.5


@pytest.mark.parametrize("status", [401, 402, 404, 429, 500])
def test_the_key_never_appears_in_errors(provider: ProviderHandle, fake: FakeOpenRouter,
                                         status: int) -> None:
    echo = error_reply(status, {"error": {"message": f"bad key {KEY}", "code": status}})
    fake.script(CHAT, *[echo] * FAST["max_attempts"])
    with pytest.raises(MediaConduitError) as info:
        ask(provider)
    assert_secret_not_in_error(info.value, KEY, KEY[9:])
    assert "***" in str(info.value)


def test_the_key_never_appears_in_the_worker_logs(provider: ProviderHandle, fake: FakeOpenRouter,
                                                  module_cache: Path) -> None:
    fake.script(CHAT, error_reply(400, {"error": {"message": f"bad key {KEY}", "code": 400}}))
    with pytest.raises(MediaConduitError):
        ask(provider)
    assert Path(provider.health()["log"]).is_file()
    kept = [p for folder in ("catalogs", "refs") for p in (module_cache / folder).rglob("*")]
    assert_secret_not_logged(module_cache, KEY[9:], also=kept)


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="needs /proc")
def test_only_declared_variables_reach_the_worker(provider: ProviderHandle,
                                                  fake: FakeOpenRouter) -> None:
    environ = Path(f"/proc/{provider.health()['worker_pid']}/environ").read_bytes()
    names = {item.split(b"=", 1)[0].decode() for item in environ.split(b"\0") if item}
    assert {"OPENROUTER_API_KEY", "OPENROUTER_BASE_URL"} <= names
    assert UNDECLARED[0] not in names
    assert UNDECLARED[1].encode() not in environ
    ask(provider)
    assert not any(UNDECLARED[1] in str(r.headers) for r in fake.requests)


# --- the command line ---------------------------------------------------------------------


def test_cli_models_free_lists_exactly_the_free_set(fake: FakeOpenRouter, module_cache: Path,
                                                    commit: str,
                                                    declared_env: pytest.MonkeyPatch) -> None:
    done = run_host(cli("models", URL, "--free", "--json"), module_cache)
    assert done.returncode == 0, done.stderr
    listed = json.loads(done.stdout)
    assert sorted(m["id"] for m in listed) == sorted(FREE_DEFAULT)
    assert all(m["free"] for m in listed)
    assert fake.requests_to("models")  # discovered from the local server


def test_cli_run_streams_the_answer(seed_server: FakeOpenRouter, module_cache: Path, commit: str,
                                    declared_env: pytest.MonkeyPatch) -> None:
    seed_server.reset()
    answer = "Quantum computing uses qubits, which can be 0 and 1 at once."
    seed_server.script(CHAT, completion(answer))
    done = run_host(cli("run", URL, SEED_MODEL, "Explain quantum computing"), module_cache,
                    OPENROUTER_BASE_URL=seed_server.base_url)
    assert done.returncode == 0, done.stderr
    assert done.stdout == answer + "\n"
    (request,) = seed_server.requests_to(CHAT)
    assert request.body["stream"] is True
    assert request.body["model"] == SEED_MODEL


# --- a warm load in a new process, with the API and git down --------------------------------


WARM_LOAD = """
import json
from mediaconduit import get_provider_registry

registry = get_provider_registry()
provider = registry.get_provider("https://github.com/MediaConduit/openrouter-provider")
at_once = len(provider.models)
print(json.dumps({
    "offline": registry.offline, "at_once": at_once, "models": len(provider.wait_for_models()),
    "free": sorted(m.id for m in provider.get_free_models()),
    "gpt_oss_free": provider.is_model_free("openai/gpt-oss-20b:free"),
}))
"""


def test_warm_load_in_a_new_process_with_the_api_and_git_down(
    git_server: GitServer, module_cache: Path, commit: str, declared_env: pytest.MonkeyPatch,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    api = FakeOpenRouter(api_key=KEY).start()  # its own server, so it can be stopped
    monkeypatch.setenv("OPENROUTER_BASE_URL", api.base_url)
    with ProviderRegistry(module_cache, offline=False) as registry:
        assert len(registry.get_provider(URL).wait_for_models(timeout=120)) == 414
    api.stop()
    git_server.stop()
    try:
        runs = [run_host(python(WARM_LOAD), module_cache, MEDIACONDUIT_OFFLINE=offline)
                for offline in ("0", "1")]
    finally:
        git_server.start()
    for offline, done in zip((False, True), runs, strict=True):
        assert done.returncode == 0, done.stderr
        result = json.loads(done.stdout)
        assert result["offline"] is offline
        assert result["at_once"] == result["models"] == 414
        assert set(result["free"]) == FREE_DEFAULT
        assert result["gpt_oss_free"] is True
