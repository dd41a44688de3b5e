"""The Whisper provider loaded through the host, against local Whisper services.

`providers/whisper-provider` is published to the loopback git server as
`MediaConduit/whisper-provider` and loaded by its GitHub URL: real git, a real uv
environment (openai, httpx), a real worker, and the provider's own fake
(`providers/whisper-provider/tests/fake_whisper.py`) as whisper-asr-webservice, as
speaches and as OpenAI. The speech uploaded is real (espeak-ng) and the fake really
recognises it (pocketsphinx), so the words that come back were heard.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mediaconduit import (
    Audio,
    AuthenticationError,
    InvalidInputError,
    ModelNotFoundError,
    PaymentRequiredError,
    ProviderUnavailableError,
    RateLimitError,
    Text,
    TransformTimeoutError,
    Video,
)
from mediaconduit.cache import Layout
from mediaconduit.environment import ensure_environment, ensure_sdk
from mediaconduit.handles import ProviderHandle
from mediaconduit.manifest.repo import read_repo_manifest
from mediaconduit.registry import ProviderRegistry
from tests.conftest import publish
from tests.helpers import speech
from tests.helpers.gitserver import GitServer
from tests.helpers.whisper import PROVIDER, FakeWhisper, Reply, openai_error

pytestmark = [pytest.mark.slow, speech.requires_engines]

URL = "https://github.com/MediaConduit/whisper-provider"
KEY = "sk-whisper-test-0123456789abcdef"
SEVEN = "one two three four five six seven"
FAST = {"max_retries": 0, "connect_timeout": 2}
SPEACHES_MODEL = "Systran/faster-whisper-small"
_SUMMARY = re.compile(r"(\d+) (passed|failed|errors?|skipped|xfailed|xpassed)")


@pytest.fixture(scope="module")
def registry(git_server: GitServer, tmp_path_factory: pytest.TempPathFactory
             ) -> Iterator[ProviderRegistry]:
    publish(git_server, str(PROVIDER), "MediaConduit/whisper-provider")
    with ProviderRegistry(tmp_path_factory.mktemp("whisper-cache") / "cache") as host:
        yield host


@pytest.fixture(scope="module")
def asr() -> Iterator[FakeWhisper]:
    with FakeWhisper("asr-webservice") as fake:
        yield fake


@pytest.fixture(scope="module")
def speaches() -> Iterator[FakeWhisper]:
    with FakeWhisper("speaches") as fake:
        yield fake


@pytest.fixture(scope="module")
def cloud() -> Iterator[FakeWhisper]:
    with FakeWhisper("openai", api_key=KEY) as fake:
        yield fake


@pytest.fixture(autouse=True)
def _clean_fakes(request: pytest.FixtureRequest) -> None:
    for name in ("asr", "speaches", "cloud"):
        if name in request.fixturenames:
            request.getfixturevalue(name).reset()


@pytest.fixture(scope="module")
def seven() -> bytes:
    return speech.synthesize(SEVEN)


def handle(registry: ProviderRegistry, fake: FakeWhisper, **config: Any) -> ProviderHandle:
    return registry.get_provider(URL, config={**FAST, "base_url": fake.base_url, **config})


def transcribe(provider: ProviderHandle, media: Any, model: str = "whisper",
               **params: Any) -> Text:
    result = provider.get_model(model).transform(media, **params)
    assert isinstance(result, Text)
    return result


def wav(data: bytes) -> Audio:
    return Audio.from_bytes(data, "audio/wav")


def heard(text: str) -> int:
    return speech.words_recovered(SEVEN, text)


# --- whisper-asr-webservice -----------------------------------------------------------------


def test_asr_webservice_is_detected_and_lists_its_two_models(registry: ProviderRegistry,
                                                             asr: FakeWhisper) -> None:
    provider = handle(registry, asr)
    assert (provider.id, provider.type) == ("whisper", "local")
    models = {m.id: m for m in provider.wait_for_models(timeout=120)}
    assert list(models) == ["whisper", "detect-language"]
    assert models["whisper"].tasks == ("automatic-speech-recognition",)
    assert models["whisper"].metadata["api"] == "asr-webservice"
    assert provider.health()["api"] == "asr-webservice"
    assert ("GET", "/openapi.json") in [(r.method, r.path) for r in asr.requests]


def test_asr_transcription_has_segments_language_and_the_words(
        registry: ProviderRegistry, asr: FakeWhisper, seven: bytes) -> None:
    result = transcribe(handle(registry, asr), wav(seven), language="en", prompt="Numbers.")
    assert heard(result.text) >= 5, result.text
    assert result.metadata["language"] == "en"
    assert result.metadata["engine"] == "openai_whisper"
    segments = result.metadata["segments"]
    assert segments and " ".join(s["text"] for s in segments) == result.text
    assert segments[0]["start"] < segments[-1]["end"]
    assert result.usage.audio_seconds == pytest.approx(segments[-1]["end"])
    assert result.cost.usd == 0
    sent = asr.requests[-1]
    assert (sent.method, sent.path) == ("POST", "/asr")
    assert sent.query == {"encode": "true", "task": "transcribe", "output": "json",
                          "word_timestamps": "false", "language": "en",
                          "initial_prompt": "Numbers."}
    assert sent.files["audio_file"][0].endswith(".wav")


def test_asr_word_timestamps(registry: ProviderRegistry, asr: FakeWhisper,
                             seven: bytes) -> None:
    result = transcribe(handle(registry, asr), wav(seven), word_timestamps=True)
    words = result.metadata["words"]
    assert [w["word"] for w in words] == result.text.split()
    assert all(w["start"] < w["end"] for w in words)
    assert asr.requests[-1].query["word_timestamps"] == "true"


@pytest.mark.parametrize(("fmt", "start"), [
    ("srt", "1\n00:00:00,"), ("vtt", "WEBVTT\n\n00:00."), ("tsv", "start\tend\ttext\n")])
def test_asr_subtitle_formats(registry: ProviderRegistry, asr: FakeWhisper, seven: bytes,
                              fmt: str, start: str) -> None:
    result = transcribe(handle(registry, asr), wav(seven), format=fmt)
    assert result.text.startswith(start)
    assert asr.requests[-1].query["output"] == fmt
    segments = result.metadata["segments"]
    assert segments and heard(" ".join(s["text"] for s in segments)) >= 5
    assert 0 <= segments[0]["start"] < segments[0]["end"] < 4
    assert result.metadata["format"] == fmt


def test_asr_translate_and_a_video_upload(registry: ProviderRegistry, asr: FakeWhisper,
                                          seven: bytes, tmp_path: Path) -> None:
    soundtrack = tmp_path / "seven.wav"
    soundtrack.write_bytes(seven)
    video = tmp_path / "talk.mp4"
    subprocess.run([speech.ffmpeg(), "-nostdin", "-loglevel", "error", "-f", "lavfi", "-i",
                    "testsrc=size=160x120:rate=10:duration=3", "-i", str(soundtrack), "-c:v",
                    "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", str(video)], check=True)
    result = transcribe(handle(registry, asr), Video.from_path(video), task="translate")
    assert heard(result.text) >= 5, result.text
    sent = asr.requests[-1]
    assert sent.query["task"] == "translate"
    assert sent.files["audio_file"][:2] == ("talk.mp4", "video/mp4")


def test_asr_detect_language(registry: ProviderRegistry, asr: FakeWhisper,
                             seven: bytes) -> None:
    result = transcribe(handle(registry, asr), wav(seven), model="detect-language")
    assert result.text == "en"
    assert result.metadata == {"language": "en", "language_name": "english",
                               "confidence": 0.97}
    assert (asr.requests[-1].path, asr.requests[-1].query) == ("/detect-language",
                                                               {"encode": "true"})


def test_asr_has_no_other_models(registry: ProviderRegistry, asr: FakeWhisper) -> None:
    with pytest.raises(ModelNotFoundError, match="whisper-asr-webservice serves"):
        transcribe(handle(registry, asr), wav(b"x"), model="whisper-1")


# --- OpenAI-compatible servers --------------------------------------------------------------


def test_speaches_is_detected_and_its_models_listed(registry: ProviderRegistry,
                                                    speaches: FakeWhisper) -> None:
    provider = handle(registry, speaches, model=SPEACHES_MODEL)
    ids = [m.id for m in provider.wait_for_models(timeout=120)]
    assert ids == ["whisper", "detect-language", SPEACHES_MODEL,
                   "Systran/faster-distil-whisper-large-v3"]
    assert provider.health()["api"] == "openai"


def test_speaches_transcription_through_the_openai_client(
        registry: ProviderRegistry, speaches: FakeWhisper, seven: bytes) -> None:
    provider = handle(registry, speaches, model=SPEACHES_MODEL)
    result = transcribe(provider, wav(seven), language="en", word_timestamps=True)
    assert heard(result.text) >= 5, result.text
    assert result.metadata["language"] == "en"
    assert [w["word"] for w in result.metadata["words"]] == result.text.split()
    assert result.metadata["segments"][0]["text"]
    sent = speaches.requests[-1]
    assert (sent.method, sent.path) == ("POST", "/v1/audio/transcriptions")
    assert sent.fields == {"model": SPEACHES_MODEL, "response_format": "verbose_json",
                           "language": "en", "timestamp_granularities[]": ["segment", "word"]}
    assert sent.headers["content-type"].startswith("multipart/form-data")
    assert sent.headers["user-agent"].startswith("OpenAI/Python")


@pytest.mark.parametrize(("fmt", "start"), [("srt", "1\n00:00:00,"), ("vtt", "WEBVTT")])
def test_openai_subtitle_formats(registry: ProviderRegistry, speaches: FakeWhisper,
                                 seven: bytes, fmt: str, start: str) -> None:
    provider = handle(registry, speaches, model=SPEACHES_MODEL)
    result = transcribe(provider, wav(seven), format=fmt)
    assert result.text.startswith(start)
    assert heard(" ".join(s["text"] for s in result.metadata["segments"])) >= 5
    assert speaches.requests[-1].fields["response_format"] == fmt


def test_a_listed_model_is_used_by_its_id_and_translation_has_its_endpoint(
        registry: ProviderRegistry, speaches: FakeWhisper, seven: bytes) -> None:
    provider = handle(registry, speaches, model=SPEACHES_MODEL)
    result = transcribe(provider, wav(seven), model="Systran/faster-distil-whisper-large-v3",
                        task="translate")
    assert heard(result.text) >= 5
    sent = speaches.requests[-1]
    assert (sent.path, sent.fields["model"]) == ("/v1/audio/translations",
                                                 "Systran/faster-distil-whisper-large-v3")
    assert "language" not in sent.fields


def test_openai_with_its_key_and_the_host_never_imports_openai(
        registry: ProviderRegistry, cloud: FakeWhisper, seven: bytes) -> None:
    provider = handle(registry, cloud, api="openai", api_key=KEY)
    result = transcribe(provider, wav(seven))
    assert heard(result.text) >= 5
    assert cloud.requests[-1].headers["authorization"] == f"Bearer {KEY}"
    assert cloud.requests[-1].fields["model"] == "whisper-1"
    language = transcribe(provider, wav(seven), model="detect-language")
    assert language.text == "en" and language.metadata["language_name"] == "english"
    assert "openai" not in sys.modules


def test_tsv_is_asr_webservice_only(registry: ProviderRegistry, speaches: FakeWhisper,
                                    seven: bytes) -> None:
    with pytest.raises(InvalidInputError, match="tsv is whisper-asr-webservice's"):
        transcribe(handle(registry, speaches, model=SPEACHES_MODEL), wav(seven), format="tsv")


# --- every upstream error, typed --------------------------------------------------------------


def test_asr_missing_upload_422_is_invalid_input(registry: ProviderRegistry,
                                                 asr: FakeWhisper, seven: bytes) -> None:
    asr.script(Reply(422, {"detail": [{"type": "missing", "loc": ["body", "audio_file"],
                                       "msg": "Field required", "input": None}]}))
    with pytest.raises(InvalidInputError, match="422 to /asr: audio_file: Field required"):
        transcribe(handle(registry, asr), wav(seven))


def test_asr_undecodable_upload_500_is_invalid_input(registry: ProviderRegistry,
                                                     asr: FakeWhisper) -> None:
    with pytest.raises(InvalidInputError, match="FFmpeg cannot decode the upload"):
        transcribe(handle(registry, asr), wav(bytes(range(256)) * 20))
    assert len([r for r in asr.requests if r.path == "/asr"]) == 1  # a 500 is not retried


@pytest.mark.parametrize(("reply", "error", "words"), [
    (Reply(503, "Service Unavailable"), ProviderUnavailableError, "503"),
    (Reply(429, {"detail": "Too Many Requests"}, {"Retry-After": "7"}), RateLimitError,
     "Too Many Requests"),
])
def test_asr_service_errors(registry: ProviderRegistry, asr: FakeWhisper, seven: bytes,
                            reply: Reply, error: type[Exception], words: str) -> None:
    asr.script(reply)
    with pytest.raises(error, match=words) as caught:
        transcribe(handle(registry, asr), wav(seven))
    if isinstance(caught.value, RateLimitError):
        assert caught.value.retry_after == 7


def test_a_retried_503_then_success(registry: ProviderRegistry, asr: FakeWhisper,
                                    seven: bytes) -> None:
    asr.script(Reply(503, "Service Unavailable"))
    result = transcribe(handle(registry, asr, max_retries=1), wav(seven))
    assert heard(result.text) >= 5
    assert len([r for r in asr.requests if r.path == "/asr"]) == 2


def test_the_wrong_api_for_the_server_is_unavailable_saying_which(
        registry: ProviderRegistry, asr: FakeWhisper, speaches: FakeWhisper,
        seven: bytes) -> None:
    with pytest.raises(ProviderUnavailableError, match="set WHISPER_API=openai"):
        transcribe(handle(registry, speaches, api="asr-webservice"), wav(seven))
    with pytest.raises(ProviderUnavailableError, match="set WHISPER_API=asr-webservice"):
        transcribe(handle(registry, asr, api="openai"), wav(seven))


def test_a_wrong_key_is_authentication_error_without_the_key(
        registry: ProviderRegistry, cloud: FakeWhisper, seven: bytes) -> None:
    wrong = "sk-wrong-key-9876543210fedcba"
    with pytest.raises(AuthenticationError) as caught:
        transcribe(handle(registry, cloud, api="openai", api_key=wrong), wav(seven))
    assert "Incorrect API key" in str(caught.value)
    assert wrong not in str(caught.value) and wrong[-4:] not in str(caught.value)
    with pytest.raises(AuthenticationError, match="set WHISPER_API_KEY"):
        transcribe(handle(registry, cloud, api="openai"), wav(seven))


def test_an_unknown_model_is_model_not_found(registry: ProviderRegistry, cloud: FakeWhisper,
                                             seven: bytes) -> None:
    provider = handle(registry, cloud, api="openai", api_key=KEY)
    with pytest.raises(ModelNotFoundError, match="does not exist"):
        transcribe(provider, wav(seven), model="whisper-9")


def test_openai_undecodable_upload_is_invalid_input(registry: ProviderRegistry,
                                                    cloud: FakeWhisper) -> None:
    provider = handle(registry, cloud, api="openai", api_key=KEY)
    with pytest.raises(InvalidInputError, match="Invalid file format"):
        transcribe(provider, wav(bytes(range(256)) * 20))


@pytest.mark.parametrize(("reply", "error", "words"), [
    (Reply(429, openai_error("Rate limit reached for whisper-1", "requests",
                             code="rate_limit_exceeded"), {"retry-after": "3"}),
     RateLimitError, "Rate limit reached"),
    (Reply(429, openai_error("You exceeded your current quota", "insufficient_quota",
                             code="insufficient_quota")), PaymentRequiredError, "quota"),
    (Reply(500, openai_error("The server had an error", "server_error")),
     ProviderUnavailableError, "server had an error"),
    (Reply(400, openai_error("Audio file is too short", param="file")), InvalidInputError,
     "too short"),
])
def test_openai_errors(registry: ProviderRegistry, cloud: FakeWhisper, seven: bytes,
                       reply: Reply, error: type[Exception], words: str) -> None:
    cloud.script(reply)
    with pytest.raises(error, match=words) as caught:
        transcribe(handle(registry, cloud, api="openai", api_key=KEY), wav(seven))
    if isinstance(caught.value, RateLimitError):
        assert caught.value.retry_after == 3
    assert KEY not in str(caught.value)


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize(("api", "command"), [
    (None, "onerahmet/openai-whisper-asr-webservice"),
    ("asr-webservice", "docker run -d -p 9000:9000"),
    ("openai", "ghcr.io/speaches-ai/speaches"),
])
def test_a_service_not_running_says_how_to_start_it(registry: ProviderRegistry, seven: bytes,
                                                     api: str | None, command: str) -> None:
    config: dict[str, Any] = {**FAST, "base_url": f"http://127.0.0.1:{_closed_port()}"}
    if api:
        config["api"] = api
    provider = registry.get_provider(URL, config=config)
    with pytest.raises(ProviderUnavailableError, match=re.escape(command)):
        transcribe(provider, wav(seven))


def test_a_server_of_neither_kind_asks_for_whisper_api(registry: ProviderRegistry,
                                                       seven: bytes) -> None:
    # OpenAI's own API has no /openapi.json; without a key nothing says what it is
    with FakeWhisper("openai", api_key=KEY) as bare, \
            pytest.raises(ProviderUnavailableError, match="set WHISPER_API"):
        transcribe(handle(registry, bare), wav(seven))


@pytest.mark.parametrize(("params", "words"), [
    ({"format": "docx"}, "format must be one of text, srt, vtt, tsv"),
    ({"task": "summarise"}, "task must be one of transcribe, translate"),
    ({"word_timestamps": "yes"}, "word_timestamps must be true or false"),
    ({"langauge": "en"}, "did you mean 'language'"),
])
def test_bad_parameters_are_invalid_input(registry: ProviderRegistry, asr: FakeWhisper,
                                          seven: bytes, params: dict[str, Any],
                                          words: str) -> None:
    with pytest.raises(InvalidInputError, match=words):
        transcribe(handle(registry, asr), wav(seven), **params)
    assert not [r for r in asr.requests if r.path == "/asr"]


def test_text_input_is_invalid_input(registry: ProviderRegistry, asr: FakeWhisper) -> None:
    with pytest.raises(InvalidInputError, match="takes Audio or Video"):
        transcribe(handle(registry, asr), Text("hello"))


# --- cancellation -----------------------------------------------------------------------------


@pytest.mark.parametrize("flavor", ["asr", "speaches"])
def test_a_timeout_hangs_up_on_the_service(registry: ProviderRegistry, flavor: str,
                                           request: pytest.FixtureRequest, seven: bytes) -> None:
    fake: FakeWhisper = request.getfixturevalue(flavor)
    provider = handle(registry, fake, **({"model": SPEACHES_MODEL} if flavor == "speaches"
                                         else {}))
    provider.wait_for_models(timeout=120)  # detected and warm: the limit is the call's
    fake.script(Reply(hold=30))
    started = time.monotonic()
    with pytest.raises(TransformTimeoutError):
        transcribe(provider, wav(seven), timeout=1.5)
    assert fake.disconnected.wait(5), "the service never saw the client hang up"
    assert time.monotonic() - started < 6
    assert heard(transcribe(provider, wav(seven)).text) >= 5  # and the next call works


# --- the provider's own suite, in its own environment ---------------------------------------


def test_the_providers_own_suite_passes_in_its_environment(
        tmp_path_factory: pytest.TempPathFactory) -> None:
    """What the provider's CI runs: its tests, with its dependencies and the SDK, no host."""
    _facts, dependencies, error = read_repo_manifest(PROVIDER)
    assert error is None, error
    layout = Layout(tmp_path_factory.mktemp("whisper-suite") / "cache")
    env = ensure_environment(layout, [*dependencies, "pytest>=8"],
                             label="whisper-provider (tests)")
    path = [str(ensure_sdk(layout)), str(PROVIDER / "src")]
    done = subprocess.run(
        [str(env.python), "-m", "pytest", "-q", "-p", "no:cacheprovider", "--import-mode=importlib",
         "--rootdir", str(PROVIDER), "-c", str(PROVIDER / "pyproject.toml"),
         str(PROVIDER / "tests")],
        cwd=PROVIDER, capture_output=True, text=True, check=False, timeout=300,
        env={"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/"),
             "PYTHONPATH": os.pathsep.join(path), "PYTHONDONTWRITEBYTECODE": "1"},
    )
    counts = {kind.rstrip("s"): int(n) for n, kind in _SUMMARY.findall(done.stdout)}
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert counts.get("passed", 0) >= 10
    assert set(counts) == {"passed"}, done.stdout[-2000:]
