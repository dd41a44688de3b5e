"""The local-speech provider loaded from its repository through the real host.

`providers/local-speech-provider` is published to the loopback git server as
`MediaConduit/local-speech-provider` and loaded by its GitHub URL: real git, a real uv
environment (espeakng-loader, pocketsphinx, imageio-ffmpeg from their wheels), a real
worker. Nothing runs but the provider; nothing is downloaded at run time. The audio it
writes is read back here with `wave`; test inputs (long speech, a video with speech on
its sound track) are made here with the same engines and FFmpeg
(`tests/helpers/speech.py`).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import wave
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from mediaconduit import (
    Audio,
    InvalidInputError,
    ModelNotFoundError,
    Text,
    TransformTimeoutError,
    Video,
)
from mediaconduit.cache import Layout
from mediaconduit.environment import ensure_environment, ensure_sdk
from mediaconduit.handles import ProviderHandle
from mediaconduit.manifest.repo import read_repo_manifest
from mediaconduit.registry import ProviderRegistry
from mediaconduit.sdk import Progress
from tests.conftest import publish
from tests.helpers import speech
from tests.helpers.gitserver import GitServer

pytestmark = [pytest.mark.slow, speech.requires_engines]

PROVIDER = Path(__file__).resolve().parents[1] / "providers" / "local-speech-provider"
URL = "https://github.com/MediaConduit/local-speech-provider"
TTS, ASR = "espeak-ng", "pocketsphinx-en-us"
SEVEN = "one two three four five six seven"
#: what the provider's own tests import beyond its dependencies
TEST_TOOLS = ["pytest>=8"]
_SUMMARY = re.compile(r"(\d+) (passed|failed|errors?|skipped|xfailed|xpassed)")


@pytest.fixture(scope="module")
def cache_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("local-speech-cache") / "cache"


@pytest.fixture(scope="module")
def provider(git_server: GitServer, cache_root: Path) -> Iterator[ProviderHandle]:
    """One registry and one worker for the module: the environment is built once."""
    publish(git_server, str(PROVIDER), "MediaConduit/local-speech-provider")
    with ProviderRegistry(cache_root) as registry:
        yield registry.get_provider(URL)


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("speech-inputs")


def speak(provider: ProviderHandle, text: str, **params: Any) -> Audio:
    result = provider.get_model(TTS).transform(Text(text), **params)
    assert isinstance(result, Audio) and result.path is not None
    return result


def hear(provider: ProviderHandle, media: Audio | Video, **params: Any) -> Text:
    result = provider.get_model(ASR).transform(media, **params)
    assert isinstance(result, Text)
    return result


def wav_facts(path: Path) -> tuple[int, int, int, float]:
    """(channels, sample width, rate, seconds) as the `wave` module reads the file."""
    with wave.open(str(path), "rb") as wav:
        rate = wav.getframerate()
        return wav.getnchannels(), wav.getsampwidth(), rate, wav.getnframes() / rate


def ffmpeg_make(target: Path, *args: str) -> Path:
    command = [speech.ffmpeg(), "-nostdin", "-y", "-hide_banner", "-loglevel", "error", *args,
               str(target)]
    subprocess.run(command, check=True, capture_output=True)
    return target


def speech_with_silence(inputs: Path, name: str, text: str, seconds: float) -> Path:
    """`text` spoken, padded with silence to `seconds` (silence decodes fast)."""
    spoken = inputs / f"{name}-speech.wav"
    spoken.write_bytes(speech.synthesize(text))
    return ffmpeg_make(inputs / f"{name}.wav", "-i", str(spoken), "-af",
                       f"apad=whole_dur={seconds}", "-ar", "16000", "-ac", "1")


# --- loading --------------------------------------------------------------------------------


def test_it_loads_by_url_with_two_free_models(provider: ProviderHandle) -> None:
    assert (provider.id, provider.type) == ("local-speech", "local")
    models = {m.id: m for m in provider.wait_for_models(timeout=120)}
    assert list(models) == [TTS, ASR]
    assert models[TTS].tasks == ("text-to-speech",)
    assert models[ASR].tasks == ("automatic-speech-recognition",)
    assert set(models[ASR].capabilities) == {"audio-to-text", "video-to-text"}
    assert [m.id for m in provider.get_free_models()] == [TTS, ASR]


def test_the_voices_are_listed_from_the_engine(provider: ProviderHandle) -> None:
    tts = {m.id: m for m in provider.wait_for_models(timeout=120)}[TTS]
    voices = tts.metadata["voices"]
    names = [v["name"] for v in voices]
    assert names == tts.parameters["voice"]["enum"]
    assert names == speech.voices()  # what espeak-ng itself lists
    assert {"en-US", "en-us+f5", "fr", "de"} <= set(names)
    assert len(names) > 100
    assert {v["language"] for v in voices} >= {"en-us", "fr-fr"}


def test_the_manifest_models_match_the_catalog(provider: ProviderHandle) -> None:
    manifest = yaml.safe_load((PROVIDER / "MediaConduit.provider.yml").read_text())
    listed = {m.id: m for m in provider.wait_for_models(timeout=120)}
    assert [m["id"] for m in manifest["models"]] == list(listed)
    for static in manifest["models"]:
        model = listed[static["id"]]
        assert (tuple(static["capabilities"]), tuple(static["tasks"])) == (
            model.capabilities, model.tasks)
        assert static["free"] is model.free is True
        for name, schema in static["parameters"].items():
            dynamic = {k: v for k, v in model.parameters[name].items() if k != "enum" or
                       name != "voice"}  # the voices come from the engine
            assert schema == dynamic, name
        assert set(static["parameters"]) == set(model.parameters)


def test_an_unknown_model_is_model_not_found(provider: ProviderHandle) -> None:
    with pytest.raises(ModelNotFoundError):
        provider.get_model("whisper-large").transform(Text("x"))


# --- text to speech -------------------------------------------------------------------------


def test_text_becomes_a_wav_with_usage_and_no_cost(provider: ProviderHandle,
                                                   cache_root: Path) -> None:
    audio = speak(provider, SEVEN)
    assert audio.path is not None and audio.path.is_relative_to(cache_root / "outputs")
    assert audio.mime_type == "audio/wav"
    channels, width, rate, seconds = wav_facts(audio.path)
    assert (channels, width, rate) == (1, 2, 22050)
    assert 1.0 < seconds < 4.0
    assert audio.metadata["duration"] == pytest.approx(seconds, abs=0.01)
    assert (audio.metadata["voice"], audio.metadata["rate"]) == ("en-us+f5", 175)
    assert audio.usage.characters == len(SEVEN)
    assert audio.cost.usd == 0 and not audio.cost.estimated


def test_voice_rate_and_pitch_change_the_speech(provider: ProviderHandle) -> None:
    base = speak(provider, SEVEN).data
    assert speak(provider, SEVEN, voice="en-us+m3").data != base
    assert speak(provider, SEVEN, pitch=90).data != base
    slow = speak(provider, SEVEN, rate=100).metadata["duration"]
    fast = speak(provider, SEVEN, rate=350).metadata["duration"]
    assert slow > 2 * fast


@pytest.mark.parametrize(("params", "words"), [
    ({"voice": "en-zz"}, "no voice 'en-zz'"),
    ({"rate": 20}, "rate must be a whole number from 80 to 450"),
    ({"pitch": "high"}, "pitch must be a whole number"),
    ({"speed": 1.5}, "no parameter 'speed'"),
])
def test_a_bad_parameter_is_invalid_input_saying_what(provider: ProviderHandle,
                                                      params: dict[str, Any], words: str) -> None:
    with pytest.raises(InvalidInputError, match=words):
        speak(provider, "hello", **params)


def test_nothing_to_say_is_invalid_input(provider: ProviderHandle) -> None:
    with pytest.raises(InvalidInputError, match="empty"):
        speak(provider, "   ")


# --- the round trip, and recognition ------------------------------------------------------


def test_seven_words_to_wav_and_back_keep_at_least_five(provider: ProviderHandle) -> None:
    heard = hear(provider, speak(provider, SEVEN))
    assert speech.words_recovered(SEVEN, heard.text) >= 5, heard.text


def test_recognition_gives_word_timings_usage_and_no_cost(provider: ProviderHandle) -> None:
    audio = speak(provider, SEVEN)
    heard = hear(provider, audio)
    words = heard.metadata["words"]
    assert [w["word"] for w in words] == heard.text.split()
    starts = [w["start"] for w in words]
    assert starts == sorted(starts)
    assert all(w["start"] < w["end"] <= audio.metadata["duration"] + 0.1 for w in words)
    assert heard.metadata["language"] == "en"
    assert heard.usage.audio_seconds == pytest.approx(audio.metadata["duration"], abs=0.05)
    assert heard.cost.usd == 0


def test_inline_mp3_bytes_are_decoded(provider: ProviderHandle) -> None:
    mp3 = speech.synthesize(SEVEN, format="mp3", sample_rate=44100)
    heard = hear(provider, Audio.from_bytes(mp3, "audio/mpeg"))
    assert speech.words_recovered(SEVEN, heard.text) >= 4, heard.text


def test_a_video_with_speech_on_its_sound_track_becomes_text(provider: ProviderHandle,
                                                             inputs: Path) -> None:
    spoken = inputs / "soundtrack.wav"
    spoken.write_bytes(speech.synthesize(SEVEN))
    video = ffmpeg_make(inputs / "talk.mp4", "-f", "lavfi", "-i",
                        "testsrc=size=160x120:rate=10:duration=3", "-i", str(spoken),
                        "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", "-ar", "44100",
                        "-ac", "2")
    heard = hear(provider, Video.from_path(video))
    assert speech.words_recovered(SEVEN, heard.text) >= 5, heard.text


def test_a_long_input_reports_progress_in_order(provider: ProviderHandle, inputs: Path) -> None:
    long = speech_with_silence(inputs, "long", SEVEN, 14.0)
    seen: list[Progress] = []
    heard = hear(provider, Audio.from_path(long), on_progress=seen.append)
    fractions = [p.fraction for p in seen]
    assert len(fractions) >= 4
    assert fractions == sorted(fractions) and fractions[-1] == pytest.approx(1.0, abs=0.02)
    assert all(0 < f <= 1 for f in fractions if f is not None)
    assert seen[-1].message == "recognised 14 s of 14 s"
    assert speech.words_recovered(SEVEN, heard.text) >= 5, heard.text


def test_a_short_input_reports_no_progress(provider: ProviderHandle) -> None:
    seen: list[Progress] = []
    hear(provider, speak(provider, SEVEN), on_progress=seen.append)
    assert seen == []


def _decoders_of(name: str) -> list[int]:
    """Process ids of FFmpeg processes reading a file called `name`."""
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            argv = cmdline.read_bytes().split(b"\0")
        except OSError:
            continue
        if any(arg.endswith(name.encode()) for arg in argv) and b"-f" in argv:
            found.append(int(cmdline.parent.name))
    return found


def _cmdlines(pids: list[int]) -> list[str]:
    return [Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
            for pid in pids]


def test_a_timeout_stops_ffmpeg_and_the_worker_keeps_serving(provider: ProviderHandle,
                                                             inputs: Path) -> None:
    spoken = inputs / "chatter.wav"
    spoken.write_bytes(speech.synthesize(" ".join([SEVEN] * 6)))
    hour = ffmpeg_make(inputs / "hour-of-chatter.wav", "-stream_loop", "-1", "-i", str(spoken),
                       "-t", "600", "-ar", "16000", "-ac", "1")  # 10 minutes of speech
    speak(provider, "warm up")  # the worker is up: the time limit is the call's alone
    started = time.monotonic()
    with pytest.raises(TransformTimeoutError):
        hear(provider, Audio.from_path(hour), timeout=3)
    assert time.monotonic() - started < 5
    # pocketsphinx holds the GIL while it decodes one utterance (5 s of speech at most),
    # so the cancel may wait for that decode (seconds on a loaded machine)
    deadline = time.monotonic() + 20
    while _decoders_of(hour.name) and time.monotonic() < deadline:
        time.sleep(0.05)
    left = _decoders_of(hour.name)
    assert left == [], f"FFmpeg still decodes the cancelled input: {_cmdlines(left)}"
    heard = hear(provider, speak(provider, SEVEN), timeout=60)
    assert speech.words_recovered(SEVEN, heard.text) >= 5


@pytest.mark.parametrize("make", ["text", "noise", "silent-video"])
def test_input_without_speech_to_decode_is_invalid_input(provider: ProviderHandle, inputs: Path,
                                                         make: str) -> None:
    if make == "text":
        media: Any = Text("not audio")
        words = "takes Audio or Video"
    elif make == "noise":
        media = Audio.from_bytes(bytes(range(256)) * 40, "audio/wav")
        words = "FFmpeg cannot decode audio"
    else:
        media = Video.from_path(ffmpeg_make(inputs / "silent.mp4", "-f", "lavfi", "-i",
                                            "testsrc=size=160x120:rate=10:duration=1",
                                            "-pix_fmt", "yuv420p"))
        words = "FFmpeg cannot decode audio from silent.mp4"
    with pytest.raises(InvalidInputError, match=words):
        provider.get_model(ASR).transform(media)


def test_an_unknown_resampler_is_invalid_input(provider: ProviderHandle) -> None:
    with pytest.raises(InvalidInputError, match="resampler must be one of soxr, swr, none"):
        hear(provider, speak(provider, "hello"), resampler="linear")


# --- the README's speech example -------------------------------------------------------------


def test_the_offline_speech_example_runs_as_written(tmp_path: Path) -> None:
    """`python examples/speech.py` from the repository root, in a fresh cache."""
    root = PROVIDER.parents[1]
    env = {**os.environ, "MEDIACONDUIT_CACHE_DIR": str(tmp_path / "cache")}
    done = subprocess.run([sys.executable, str(root / "examples" / "speech.py")], cwd=root,
                          env=env, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    heard = re.search(r"^heard:  '(.*)'$", done.stdout, re.MULTILINE)
    assert heard is not None, done.stdout
    assert speech.words_recovered(SEVEN, heard[1]) >= 5, done.stdout
    assert re.search(r"^speech: .+\.wav \d+\.\d+ s, voice en-us\+f5$", done.stdout, re.MULTILINE)


# --- the provider's own suite, in its own environment ---------------------------------------


def test_the_providers_own_suite_passes_in_its_environment(cache_root: Path) -> None:
    """What the provider's CI runs: its tests, with its dependencies and the SDK, no host."""
    _facts, dependencies, error = read_repo_manifest(PROVIDER)
    assert error is None, error
    layout = Layout(cache_root)
    env = ensure_environment(layout, [*dependencies, *TEST_TOOLS],
                             label="local-speech-provider (tests)")
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
