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

import asyncio
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
import tomllib

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
from mediaconduit.registry import ProviderRegistry
from tests.conftest import publish
from tests.helpers.gitserver import GitServer
from tests.helpers.openai_chat import (
    JPEG,
    TOGETHER,
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

URL = "https://github.com/MediaConduit/together-provider"
ENDPOINT = "chat/completions"


# --- fixtures: one cache, one registry, one environment for the module ---------------------


@pytest.fixture(scope="module")
def server() -> Iterator[FakeChat]:
    with FakeChat(TOGETHER, api_key=KEY) as fake:
        yield fake


@pytest.fixture
def fake(server: FakeChat) -> FakeChat:
    server.reset()
    return server


@pytest.fixture(scope="module")
def declared_env(server: FakeChat) -> Iterator[pytest.MonkeyPatch]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TOGETHER_BASE_URL", server.base_url)
        patch.setenv("TOGETHER_API_KEY", KEY)
        yield patch


@pytest.fixture(scope="module")
def commit(git_server: GitServer) -> str:
    return publish(git_server, str(PROVIDER), "MediaConduit/together-provider")


@pytest.fixture(scope="module")
def module_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("together") / "cache"


@pytest.fixture(scope="module")
def provider(module_cache: Path, commit: str,
             declared_env: pytest.MonkeyPatch) -> Iterator[ProviderHandle]:
    with ProviderRegistry(module_cache, offline=False) as registry:
        handle = registry.get_provider(URL, config=FAST)
        handle.wait_for_models(timeout=300)
        yield handle


def run_host(args: list[str], cache: Path) -> subprocess.CompletedProcess[str]:
    environ = {**os.environ, "MEDIACONDUIT_CACHE_DIR": str(cache)}
    return subprocess.run(args, env=environ, capture_output=True, text=True, timeout=300,
                          check=False)


def cli(*args: str) -> list[str]:
    script = Path(sys.executable).with_name("mediaconduit")
    prefix = [str(script)] if script.exists() else [sys.executable, "-m", "mediaconduit"]
    return [*prefix, *args]


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
    fake.script(ENDPOINT, completion("async answer"), completion("streamed async"))
    model = provider.get_model(CHAT)

    async def both() -> tuple[str, list[str]]:
        answer = await model.atransform("hi")
        assert isinstance(answer, Text)
        return answer.text, [chunk async for chunk in model.astream("hi")]

    assert asyncio.run(both()) == ("async answer", ["streamed", " async"])


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
    fake.script(ENDPOINT, reply)
    with pytest.raises(error, match=words) as caught:
        provider.get_model(CHAT).transform("hi")
    assert type(caught.value) is error


def test_429_keeps_retry_after(provider: ProviderHandle, fake: FakeChat) -> None:
    fake.script(ENDPOINT, rate_limited(TOGETHER, retry_after=12))
    with pytest.raises(RateLimitError) as caught:
        provider.get_model(CHAT).transform("hi")
    assert caught.value.retry_after == 12


def test_an_error_inside_a_200_stream_keeps_the_text_so_far(provider: ProviderHandle,
                                                            fake: FakeChat) -> None:
    error = {"error": {"message": "Rate limit reached", "type": "rate_limit_exceeded"}}
    fake.script(ENDPOINT, Reply(text="one two three", stream_error=error, error_after=2))
    stream = provider.get_model(CHAT).stream("go")
    got: list[str] = []
    with pytest.raises(RateLimitError, match="Rate limit reached") as caught:
        got.extend(stream)
    assert got == ["one", " two"] and caught.value.partial == "one two"


def test_the_key_never_appears_in_errors_or_logs(provider: ProviderHandle, fake: FakeChat,
                                                 module_cache: Path) -> None:
    fake.script(ENDPOINT, error_reply(400, {"error": {"message": f"bad key {KEY}", "type": "x"}}))
    with pytest.raises(MediaConduitError) as caught:
        provider.get_model(CHAT).transform("hi")
    assert KEY not in json.dumps(caught.value.to_dict()) and "***" in str(caught.value)
    logs = [p for p in (module_cache / "logs").rglob("*.log") if p.is_file()]
    assert logs and not any(KEY in p.read_text(errors="replace") for p in logs)


# --- cancellation --------------------------------------------------------------------------


def test_closing_a_stream_hangs_up_the_upstream(provider: ProviderHandle,
                                                fake: FakeChat) -> None:
    fake.script(ENDPOINT, held(after=2))
    stream = provider.get_model(CHAT).stream("go")
    assert [next(stream), next(stream)] == ["one", " two"]
    closed = time.monotonic()
    stream.close()
    seen = fake.wait_for_hangup()
    assert seen is not None and seen - closed < 1.0
    assert provider.get_model(CHAT).transform("still there?").text == "You said: still there?"


def test_a_timed_out_stream_hangs_up_the_upstream(provider: ProviderHandle,
                                                  fake: FakeChat) -> None:
    fake.script(ENDPOINT, held(after=1))
    got: list[str] = []
    with pytest.raises(TransformTimeoutError) as caught:
        got.extend(provider.get_model(CHAT).stream("go", timeout=0.5))
    assert got == ["one"] and caught.value.partial == "one"
    assert fake.wait_for_hangup() is not None


def test_a_timed_out_plain_request_hangs_up_the_upstream(provider: ProviderHandle,
                                                         fake: FakeChat) -> None:
    fake.script(ENDPOINT, held())
    started = time.monotonic()
    with pytest.raises(TransformTimeoutError):
        provider.get_model(CHAT).transform("go", timeout=0.5)
    assert time.monotonic() - started < 2.0
    seen = fake.wait_for_hangup()
    assert seen is not None and seen - started < 2.0


# --- isolation, the command line, the provider's own suite --------------------------------


def test_the_host_never_imports_the_together_client(provider: ProviderHandle) -> None:
    provider.get_model(FREE_CHAT).transform("hi")
    assert not [name for name in sys.modules if name == "together" or
                name.startswith("together.")]


def test_cli_models_free_and_task(fake: FakeChat, module_cache: Path, commit: str,
                                  declared_env: pytest.MonkeyPatch) -> None:
    free = run_host(cli("models", URL, "--free", "--json"), module_cache)
    assert free.returncode == 0, free.stderr
    assert {m["id"] for m in json.loads(free.stdout)} == FREE
    images = run_host(cli("models", URL, "--task", "text-to-image", "--json"), module_cache)
    assert images.returncode == 0, images.stderr
    assert {m["id"] for m in json.loads(images.stdout)} == {FREE_IMAGE, IMAGE}
    chat = run_host(cli("models", URL, "--task", "text-generation", "--free", "--json"),
                    module_cache)
    assert chat.returncode == 0, chat.stderr
    assert {m["id"] for m in json.loads(chat.stdout)} == {FREE_CHAT, FREE_VISION}


_SUMMARY = re.compile(r"(\d+) (passed|failed|errors?|skipped)")


def test_the_providers_own_suite_passes_in_its_environment(
        tmp_path_factory: pytest.TempPathFactory) -> None:
    """What the provider's CI runs: its tests with its dependencies and the SDK, no host."""
    from mediaconduit import cache
    from mediaconduit.environment import ensure_environment, ensure_sdk

    layout = cache.Layout(tmp_path_factory.mktemp("together-suite") / "cache")
    project = tomllib.loads((PROVIDER / "pyproject.toml").read_text(encoding="utf-8"))
    env = ensure_environment(layout, [*project["project"]["dependencies"], "pytest>=8"],
                             label="together-provider (tests)")
    done = subprocess.run(
        [str(env.python), "-m", "pytest", "-q", "-p", "no:cacheprovider", "--rootdir",
         str(PROVIDER), "-c", str(PROVIDER / "pyproject.toml"), str(PROVIDER / "tests")],
        cwd=PROVIDER, capture_output=True, text=True, check=False, timeout=300,
        env={"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/"),
             "PYTHONPATH": str(ensure_sdk(layout)), "PYTHONDONTWRITEBYTECODE": "1"})
    counts = {kind.rstrip("s"): int(n) for n, kind in _SUMMARY.findall(done.stdout)}
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert counts.get("passed", 0) >= 40 and set(counts) == {"passed"}, done.stdout[-2000:]
