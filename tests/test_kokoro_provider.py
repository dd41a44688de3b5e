"""The Kokoro provider loaded through the host, against a local Kokoro-FastAPI that speaks.

`providers/kokoro-provider` is published to the loopback git server as
`MediaConduit/kokoro-provider` and loaded by its GitHub URL: real git, a real uv
environment (the official `openai` client), a real worker, and the provider's own
fake Kokoro-FastAPI (`providers/kokoro-provider/tests/fake_kokoro.py`), whose audio
is real espeak-ng speech. What comes back is recognised here with pocketsphinx
(`tests/helpers/speech.py`), not taken on the provider's word. The host never
imports `openai`. The provider's own suite runs too, in an environment with its
dependencies, as its CI would run it. And provider to provider: Kokoro's speech is
recognised by the embedded `local-speech` provider and by the Whisper provider (on
its own fake whisper-asr-webservice and speaches), each loaded by its URL too.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from mediaconduit import (
    Audio,
    InvalidInputError,
    ModelNotFoundError,
    ProviderUnavailableError,
    Text,
    TransformTimeoutError,
)
from mediaconduit.handles import ProviderHandle
from mediaconduit.registry import ProviderRegistry
from tests.conftest import publish
from tests.helpers import speech
from tests.helpers.gitserver import GitServer
from tests.helpers.kokoro import MODELS, PROVIDER, TEST_TOOLS, VOICES, FakeKokoro, Reply
from tests.helpers.provider_suite import run_provider_suite
from tests.helpers.whisper import PROVIDER as WHISPER_PROVIDER
from tests.helpers.whisper import FakeWhisper

pytestmark = [pytest.mark.slow, speech.requires_engines]

URL = "https://github.com/MediaConduit/kokoro-provider"
LOCAL_SPEECH = "https://github.com/MediaConduit/local-speech-provider"
WHISPER = "https://github.com/MediaConduit/whisper-provider"
#: the two Whisper APIs: (the fake's flavour, the provider's config for it)
WHISPER_APIS = {"asr-webservice": {}, "speaches": {"model": "Systran/faster-whisper-small"}}
LOCAL_SPEECH_DIR = Path(__file__).resolve().parents[1] / "providers" / "local-speech-provider"
SEVEN = "one two three four five six seven"
#: a voice the fake speaks clearly (plain en-us at its own pitch, like every voice)
VOICE = "bf_emma"
FAST = {"max_retries": 0, "timeout": 30, "connect_timeout": 2}


@pytest.fixture(scope="module")
def server() -> Iterator[FakeKokoro]:
    with FakeKokoro() as fake:
        yield fake


@pytest.fixture
def fake(server: FakeKokoro) -> FakeKokoro:
    server.reset()
    return server


@pytest.fixture(scope="module")
def cache_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("kokoro") / "cache"


@pytest.fixture(scope="module")
def host(git_server: GitServer, cache_root: Path,
         server: FakeKokoro) -> Iterator[ProviderRegistry]:
    """One registry for the module: the environment is built once; the URL in the env."""
    publish(git_server, str(PROVIDER), "MediaConduit/kokoro-provider")
    with pytest.MonkeyPatch.context() as patch, ProviderRegistry(cache_root) as registry:
        patch.setenv("KOKORO_BASE_URL", server.base_url)
        yield registry


@pytest.fixture(scope="module")
def provider(host: ProviderRegistry) -> ProviderHandle:
    handle = host.get_provider(URL, config=FAST)
    handle.wait_for_models(timeout=300)
    return handle


@pytest.fixture(scope="module")
def local_speech(host: ProviderRegistry, git_server: GitServer) -> ProviderHandle:
    """The embedded local-speech provider, by its URL too: it does the listening."""
    publish(git_server, str(LOCAL_SPEECH_DIR), "MediaConduit/local-speech-provider")
    return host.get_provider(LOCAL_SPEECH)


@pytest.fixture(scope="module")
def whisper_published(git_server: GitServer) -> str:
    return publish(git_server, str(WHISPER_PROVIDER), "MediaConduit/whisper-provider")


@pytest.fixture(scope="module", params=list(WHISPER_APIS))
def whisper(request: pytest.FixtureRequest, host: ProviderRegistry,
            whisper_published: str) -> Iterator[ProviderHandle]:
    """The Whisper provider by its URL, on a local whisper-asr-webservice or speaches."""
    with FakeWhisper(request.param) as fake:
        config = {"max_retries": 0, "connect_timeout": 2, "base_url": fake.base_url}
        yield host.get_provider(WHISPER, config={**config, **WHISPER_APIS[request.param]})


def say(provider: ProviderHandle, text: str = SEVEN, **params: Any) -> Audio:
    audio = provider.get_model("kokoro").transform(Text(text), **params)
    assert isinstance(audio, Audio) and audio.path is not None and audio.path.is_file()
    return audio


# --- loading and discovery ------------------------------------------------------------------


def test_it_loads_by_url_and_lists_four_free_speech_models(provider: ProviderHandle) -> None:
    assert (provider.id, provider.name, provider.type) == ("kokoro", "Kokoro", "local")
    assert provider.capabilities == ["text-to-audio"]
    infos = provider.wait_for_models()
    assert [m.id for m in infos] == list(MODELS)
    assert all(m.tasks == ("text-to-speech",) and m.free for m in infos)
    assert infos[0].metadata["voices"] == list(VOICES)
    assert [m.id for m in provider.get_free_models()] == list(MODELS)
    report = provider.health()
    assert (report["ok"], report["voices"]) == (True, len(VOICES))


def test_the_host_never_imports_the_openai_client(provider: ProviderHandle) -> None:
    say(provider, "hi", response_format="wav")
    assert "openai" not in sys.modules


# --- round trips: text -> Kokoro -> speech recognised -----------------------------------------


@pytest.mark.parametrize("fmt", ["wav", "mp3"])
def test_text_to_kokoro_to_text_recovers_most_words(provider: ProviderHandle, cache_root: Path,
                                                    fmt: str) -> None:
    audio = say(provider, voice=VOICE, response_format=fmt)
    assert audio.path is not None and audio.path.is_relative_to(cache_root / "outputs")
    assert audio.mime_type == ("audio/wav" if fmt == "wav" else "audio/mpeg")
    heard, words = speech.recognize(audio.path)
    assert speech.words_recovered(SEVEN, heard) >= 4, heard  # most of the seven
    assert words and all(w["end"] >= w["start"] for w in words)


@pytest.mark.parametrize("fmt", ["wav", "mp3"])
def test_text_to_kokoro_to_local_speech_recovers_most_words(
        provider: ProviderHandle, local_speech: ProviderHandle, fmt: str) -> None:
    """Provider to provider, both by URL: Kokoro speaks, local-speech listens."""
    audio = say(provider, voice=VOICE, response_format=fmt)
    text = local_speech.get_model("pocketsphinx-en-us").transform(audio)
    assert isinstance(text, Text)
    assert speech.words_recovered(SEVEN, text.text) >= 4, text.text


@pytest.mark.parametrize("fmt", ["wav", "mp3"])
def test_text_to_kokoro_to_whisper_recovers_most_words(
        provider: ProviderHandle, whisper: ProviderHandle, fmt: str) -> None:
    """Provider to provider, both by URL: Kokoro speaks, Whisper (either API) listens."""
    audio = say(provider, voice=VOICE, response_format=fmt)
    text = whisper.get_model("whisper").transform(audio, language="en")
    assert isinstance(text, Text)
    assert speech.words_recovered(SEVEN, text.text) >= 4, text.text


def test_a_voice_mix_and_speed_reach_the_server(provider: ProviderHandle,
                                                fake: FakeKokoro) -> None:
    audio = say(provider, "hello", voice="af_bella(2)+af_sky(1)", speed=1.25, format="flac")
    body = fake.requests_to("/v1/audio/speech")[-1].body
    assert (body["voice"], body["speed"], body["response_format"]) == (
        "af_bella(2)+af_sky(1)", 1.25, "flac")
    assert audio.path is not None and audio.path.read_bytes()[:4] == b"fLaC"


def test_usage_and_cost_cross_the_boundary(provider: ProviderHandle) -> None:
    audio = say(provider, "count these characters", response_format="wav")
    assert audio.usage.characters == len("count these characters")
    assert audio.cost.usd == Decimal(0) and audio.cost.estimated is False


# --- errors ---------------------------------------------------------------------------------


def test_an_unknown_voice_is_invalid_with_close_matches(provider: ProviderHandle) -> None:
    with pytest.raises(InvalidInputError, match="no voice 'af_bela'; did you mean af_bella"):
        say(provider, voice="af_bela")


def test_an_unknown_model_is_not_found(provider: ProviderHandle) -> None:
    with pytest.raises(ModelNotFoundError, match="its models: kokoro"):
        provider.get_model("kokoro-v2")


def test_a_server_error_crosses_typed(provider: ProviderHandle, fake: FakeKokoro) -> None:
    fake.script(Reply(status=500, body={"detail": {"error": "processing_error",
                                                   "message": "Kokoro model exploded",
                                                   "type": "server_error"}}))
    with pytest.raises(ProviderUnavailableError, match="Kokoro model exploded"):
        say(provider)


def test_a_service_that_is_not_running_says_how_to_start_it(host: ProviderRegistry) -> None:
    handle = host.get_provider(URL, config={**FAST, "base_url": "http://127.0.0.1:9"})
    with pytest.raises(ProviderUnavailableError, match=re.escape(
            "docker run -p 8880:8880 ghcr.io/remsky/kokoro-fastapi-cpu:latest")):
        handle.get_model("kokoro").transform("hello")


def test_a_timeout_closes_the_download_and_the_server_sees_it(provider: ProviderHandle,
                                                              fake: FakeKokoro) -> None:
    fake.script(Reply(hold=20))
    with pytest.raises(TransformTimeoutError):
        say(provider, response_format="wav", timeout=1.0)
    assert fake.disconnected.wait(10)


# --- the provider's own suite, in its own environment ---------------------------------------


def test_the_providers_own_suite_passes_in_its_environment(
        tmp_path_factory: pytest.TempPathFactory) -> None:
    """What the provider's CI runs: its tests with `openai`, the SDK and the speech engines."""
    result = run_provider_suite(PROVIDER, tmp_path_factory.mktemp("kokoro-suite") / "cache",
                                tools=TEST_TOOLS, extra_path=[PROVIDER / "src"])
    assert result.passed >= 50
    assert set(result.counts) == {"passed"}, result.output
