"""The FFmpeg provider loaded from its repository through the real host, every model run.

`providers/ffmpeg-provider` is published to the loopback git server as
`MediaConduit/ffmpeg-provider` and loaded by its GitHub URL: cloned, its environment
built by uv, run in a worker. Each output is probed with FFmpeg here, not taken on the
provider's word. The FFmpeg binary is the one in the provider's environment: the host
itself never has imageio-ffmpeg. The provider's own test suite runs here too, in an
environment with its dependencies, as the provider's CI would run it.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mediaconduit import Audio, Image, InvalidInputError, MediaConduitError, Text, Video
from mediaconduit.cache import Layout
from mediaconduit.handles import ProviderHandle
from mediaconduit.registry import ProviderRegistry
from tests.conftest import publish
from tests.helpers import media
from tests.helpers.gitserver import GitServer
from tests.helpers.media import FFMPEG_PROVIDER, Facts, Samples
from tests.helpers.provider_suite import run_provider_suite

URL = "https://github.com/MediaConduit/ffmpeg-provider"
MODELS = ["extract-audio", "convert-audio", "extract-frame", "transcode", "probe"]
#: what the provider's own tests import beyond its dependencies
TEST_TOOLS = ["pytest>=8", "pyyaml>=6"]


@pytest.fixture(scope="module")
def ffmpeg(tmp_path_factory: pytest.TempPathFactory) -> str:
    return media.provider_ffmpeg(tmp_path_factory.mktemp("ffmpeg-env"))


@pytest.fixture(scope="module")
def samples(tmp_path_factory: pytest.TempPathFactory, ffmpeg: str) -> Samples:
    return media.make_samples(ffmpeg, tmp_path_factory.mktemp("media"))


@pytest.fixture(scope="module")
def cache_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("ffmpeg-cache") / "cache"


@pytest.fixture(scope="module")
def published(git_server: GitServer) -> str:
    """The commit of `MediaConduit/ffmpeg-provider` on the loopback server."""
    return publish(git_server, str(FFMPEG_PROVIDER), "MediaConduit/ffmpeg-provider")


@pytest.fixture(scope="module")
def provider(published: str, cache_root: Path) -> Iterator[ProviderHandle]:
    """One registry and one worker for the module: the environment is built once."""
    with pytest.MonkeyPatch.context() as patch, ProviderRegistry(cache_root) as registry:
        patch.delenv("FFMPEG_BINARY", raising=False)  # the bundled FFmpeg, whatever the shell says
        yield registry.get_provider(URL)


def run(provider: ProviderHandle, model_id: str, asset: Any, **params: Any) -> Any:
    return provider.get_model(model_id).transform(asset, **params)


def checked(ffmpeg: str, output: Any, cache_root: Path) -> tuple[Path, Facts]:
    """An output's file, checked to be real and under the cache's outputs, and its facts."""
    assert isinstance(output, (Audio, Image, Video))
    assert output.path is not None
    assert output.path.is_file()
    assert output.path.is_relative_to(cache_root / "outputs")
    return output.path, media.probe(ffmpeg, output.path)


def output_files(cache_root: Path) -> list[Path]:
    outputs = cache_root / "outputs"
    return sorted(p for p in outputs.rglob("*") if p.is_file()) if outputs.exists() else []


# --- loading ------------------------------------------------------------------------------


def test_the_provider_loads_from_its_repository(provider: ProviderHandle, published: str,
                                                cache_root: Path) -> None:
    assert (provider.id, provider.name, provider.type) == ("ffmpeg", "FFmpeg", "local")
    assert provider.commit == published
    assert provider.source.repo == Layout(cache_root).checkout(provider.source.dirname, published)
    assert [m.id for m in provider.wait_for_models(timeout=60)] == MODELS
    assert [m.id for m in provider.get_free_models()] == MODELS


def test_each_model_is_its_own_task(provider: ProviderHandle) -> None:
    tasks = {m.id: m.tasks for m in provider.wait_for_models(timeout=60)}
    assert tasks == {model: (model,) for model in MODELS}
    assert not any("automatic-speech-recognition" in t for t in tasks.values())  # probe is a probe


def test_results_carry_compute_seconds_and_no_cost(provider: ProviderHandle,
                                                   samples: Samples) -> None:
    audio = run(provider, "extract-audio", Video.from_path(samples.clip))
    assert audio.usage.compute_seconds is not None and 0 < audio.usage.compute_seconds < 30
    assert audio.cost.usd == 0 and not audio.cost.estimated


def test_its_ffmpeg_lives_in_its_environment_not_in_the_host(provider: ProviderHandle,
                                                              cache_root: Path) -> None:
    report = provider.health()
    assert report["ok"] is True
    assert report["version"].startswith("ffmpeg version")
    assert Path(report["ffmpeg"]).is_relative_to(cache_root / "envs")
    assert importlib.util.find_spec("imageio_ffmpeg") is None
    assert "imageio_ffmpeg" not in sys.modules


# --- every model, its output probed -------------------------------------------------------


@pytest.mark.parametrize(("fmt", "mime_type", "codec"), [
    ("wav", "audio/wav", "pcm_s16le"), ("mp3", "audio/mpeg", "mp3"),
    ("flac", "audio/flac", "flac"), ("ogg", "audio/ogg", "vorbis"),
])
def test_extract_audio(provider: ProviderHandle, samples: Samples, ffmpeg: str, cache_root: Path,
                       fmt: str, mime_type: str, codec: str) -> None:
    audio = run(provider, "extract-audio", Video.from_path(samples.clip), format=fmt)
    path, facts = checked(ffmpeg, audio, cache_root)
    assert isinstance(audio, Audio)
    assert (audio.mime_type, path.name) == (mime_type, f"clip.{fmt}")
    assert facts.kinds() == ["audio"]
    assert (facts.audio.codec, facts.audio.sample_rate, facts.audio.channels) == (codec, 44100, 1)
    assert facts.duration == pytest.approx(2.0, abs=0.1)
    assert facts.decoded == pytest.approx(2.0, abs=0.1)
    assert audio.metadata["audio_codec"] == codec
    assert audio.metadata["duration"] == pytest.approx(facts.duration, abs=0.01)


def test_extract_audio_resamples_and_remixes(provider: ProviderHandle, samples: Samples,
                                             ffmpeg: str, cache_root: Path) -> None:
    audio = run(provider, "extract-audio", Video.from_path(samples.clip), format="flac",
                sample_rate=22050, channels=2)
    _, facts = checked(ffmpeg, audio, cache_root)
    assert (facts.audio.codec, facts.audio.sample_rate, facts.audio.channels) == (
        "flac", 22050, 2)
    assert facts.decoded == pytest.approx(2.0, abs=0.1)


@pytest.mark.parametrize(("params", "codec", "rate", "channels"), [
    ({}, "pcm_s16le", 48000, 2),
    ({"format": "mp3", "sample_rate": 44100, "channels": 1, "bitrate": "96k"}, "mp3", 44100, 1),
    ({"format": "ogg", "sample_rate": 24000}, "vorbis", 24000, 2),
])
def test_convert_audio(provider: ProviderHandle, samples: Samples, ffmpeg: str, cache_root: Path,
                       params: dict[str, Any], codec: str, rate: int, channels: int) -> None:
    audio = run(provider, "convert-audio", Audio.from_path(samples.tone), **params)
    _, facts = checked(ffmpeg, audio, cache_root)
    assert isinstance(audio, Audio)
    assert (facts.audio.codec, facts.audio.sample_rate, facts.audio.channels) == (
        codec, rate, channels)
    assert facts.duration == pytest.approx(2.0, abs=0.1)
    assert facts.decoded == pytest.approx(2.0, abs=0.1)


@pytest.mark.parametrize(("fmt", "mime_type", "codec"), [
    ("png", "image/png", "png"), ("jpg", "image/jpeg", "mjpeg"),
])
def test_extract_frame(provider: ProviderHandle, samples: Samples, ffmpeg: str, cache_root: Path,
                       fmt: str, mime_type: str, codec: str) -> None:
    image = run(provider, "extract-frame", Video.from_path(samples.clip), time=1.0, format=fmt)
    path, facts = checked(ffmpeg, image, cache_root)
    assert isinstance(image, Image)
    assert (image.mime_type, path.name) == (mime_type, f"clip.{fmt}")
    assert (facts.video.codec, facts.video.size) == (codec, (320, 240))
    assert (image.metadata["width"], image.metadata["height"]) == (320, 240)
    assert_same_picture(ffmpeg, path, 0.0, samples.clip, 1.0)


def assert_same_picture(ffmpeg: str, path: Path, at: float, original: Path, want: float) -> None:
    """The picture at `at` in `path` is the original's at `want`, not its first one."""
    got = media.gray_thumbnail(ffmpeg, path, at)
    to_wanted = media.difference(got, media.gray_thumbnail(ffmpeg, original, want))
    to_first = media.difference(got, media.gray_thumbnail(ffmpeg, original, 0.0))
    assert to_wanted < 2, f"not the picture at {want} s (differs by {to_wanted:.2f})"
    assert want < 0.2 or to_first > 3, f"still the first picture (differs by {to_first:.2f})"


def test_transcode_to_mp4_keeps_everything(provider: ProviderHandle, samples: Samples,
                                           ffmpeg: str, cache_root: Path) -> None:
    video = run(provider, "transcode", Video.from_path(samples.clip))
    path, facts = checked(ffmpeg, video, cache_root)
    assert isinstance(video, Video)
    assert (video.mime_type, path.name) == ("video/mp4", "clip.mp4")
    assert [(s.type, s.codec) for s in facts.streams] == [("video", "h264"), ("audio", "aac")]
    assert (facts.video.size, facts.video.fps) == ((320, 240), 25.0)
    assert facts.duration == pytest.approx(2.0, abs=0.1)
    assert facts.decoded == pytest.approx(2.0, abs=0.1)


def test_transcode_to_webm_cut_resized_retimed(provider: ProviderHandle, samples: Samples,
                                               ffmpeg: str, cache_root: Path) -> None:
    video = run(provider, "transcode", Video.from_path(samples.clip), format="webm", width=160,
                start=0.5, duration=1.0, fps=10)
    path, facts = checked(ffmpeg, video, cache_root)
    assert (video.mime_type, facts.format) == ("video/webm", "matroska,webm")
    assert [(s.type, s.codec) for s in facts.streams] == [("video", "vp9"), ("audio", "opus")]
    assert (facts.video.size, facts.video.fps) == ((160, 120), 10.0)
    assert facts.duration == pytest.approx(1.0, abs=0.1)
    assert facts.decoded == pytest.approx(1.0, abs=0.1)
    assert (video.metadata["width"], video.metadata["height"]) == (160, 120)
    assert_same_picture(ffmpeg, path, 0.0, samples.clip, 0.5)


def test_transcode_a_video_without_sound(provider: ProviderHandle, samples: Samples, ffmpeg: str,
                                         cache_root: Path) -> None:
    video = run(provider, "transcode", Video.from_path(samples.silent), height=120)
    _, facts = checked(ffmpeg, video, cache_root)
    assert facts.kinds() == ["video"]
    assert facts.video.size == (160, 120)
    assert facts.decoded == pytest.approx(1.0, abs=0.1)


@pytest.mark.parametrize("sample", ["clip", "tone"])
def test_probe_reports_what_ffmpeg_reads(provider: ProviderHandle, samples: Samples, ffmpeg: str,
                                         sample: str) -> None:
    path: Path = getattr(samples, sample)
    text = run(provider, "probe", Video.from_path(path) if sample == "clip" else
               Audio.from_path(path))
    assert isinstance(text, Text)
    reported, facts = json.loads(text.text), media.probe(ffmpeg, path)
    assert (reported["name"], reported["size"]) == (path.name, path.stat().st_size)
    assert reported["format"] == facts.format
    assert reported["duration"] == pytest.approx(2.0, abs=0.1)
    assert [(s["type"], s["codec"]) for s in reported["streams"]] == [
        (s.type, s.codec) for s in facts.streams]
    for stream, fact in zip(reported["streams"], facts.streams, strict=True):
        assert (stream.get("width"), stream.get("height")) == fact.size
        assert (stream.get("sample_rate"), stream.get("channels")) == (
            fact.sample_rate, fact.channels)


# --- errors cross the process boundary typed ------------------------------------------------


@pytest.mark.parametrize("model_id", ["extract-audio", "extract-frame", "transcode", "probe"])
@pytest.mark.parametrize(("sample", "reason"), [
    ("noise", "Invalid data found when processing input"), ("truncated", "moov atom not found"),
])
def test_a_broken_file_is_invalid_input_naming_it(provider: ProviderHandle, samples: Samples,
                                                  cache_root: Path, model_id: str, sample: str,
                                                  reason: str) -> None:
    path: Path = getattr(samples, sample)
    before = output_files(cache_root)
    with pytest.raises(InvalidInputError) as caught:
        run(provider, model_id, Video.from_path(path))
    assert type(caught.value) is InvalidInputError
    assert isinstance(caught.value, MediaConduitError)
    assert str(path) in str(caught.value)
    assert reason in str(caught.value)
    assert output_files(cache_root) == before


@pytest.mark.parametrize(("model_id", "params", "words"), [
    ("extract-audio", {"sample_rate": 10}, "sample_rate"),
    ("extract-audio", {"channels": 9}, "channels"),
    ("extract-frame", {"time": 5}, "time"),
    ("extract-frame", {"time": -1}, "time"),
    ("transcode", {"width": 3}, "width"),
    ("transcode", {"fps": 0}, "fps"),
    ("transcode", {"start": 2.5}, "start"),
])
def test_an_out_of_range_parameter_is_invalid_input(provider: ProviderHandle, samples: Samples,
                                                    cache_root: Path, model_id: str,
                                                    params: dict[str, Any], words: str) -> None:
    before = output_files(cache_root)
    with pytest.raises(InvalidInputError, match=words):
        run(provider, model_id, Video.from_path(samples.clip), **params)
    assert output_files(cache_root) == before


def test_a_video_without_sound_has_no_audio_to_extract(provider: ProviderHandle,
                                                       samples: Samples) -> None:
    with pytest.raises(InvalidInputError, match="audio") as caught:
        run(provider, "extract-audio", Video.from_path(samples.silent))
    assert str(samples.silent) in str(caught.value)


def test_the_worker_survives_errors(provider: ProviderHandle, samples: Samples) -> None:
    pid = provider.health()["worker_pid"]
    with pytest.raises(InvalidInputError):
        run(provider, "probe", Video.from_path(samples.noise))
    assert provider.health()["worker_pid"] == pid


# --- the provider's own suite, in its own environment ---------------------------------------



def test_the_providers_own_suite_passes_in_its_environment(
        tmp_path_factory: pytest.TempPathFactory) -> None:
    """What the provider's CI runs: its tests, with its dependencies and the SDK, no host."""
    suite = run_provider_suite(FFMPEG_PROVIDER, tmp_path_factory.mktemp("suite-env") / "cache",
                               tools=TEST_TOOLS, extra_path=[FFMPEG_PROVIDER / "src"])
    assert suite.passed >= 100
    assert set(suite.counts) == {"passed"}, suite.output
