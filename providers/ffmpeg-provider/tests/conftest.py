"""Fixtures: the provider's `src/` on sys.path, sample media made by FFmpeg, an output folder."""

from __future__ import annotations

import dataclasses
import random
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

# These tests run in the provider's own environment, where imageio-ffmpeg is installed.
# MediaConduit's dev venv deliberately lacks it, so there they skip; the host's
# tests/test_ffmpeg_provider.py runs them in an environment with this provider's deps.
pytest.importorskip("imageio_ffmpeg")

if TYPE_CHECKING:
    from ffmpeg_provider import FFmpegProvider

PROVIDER_ROOT = Path(__file__).resolve().parents[1]
if str(PROVIDER_ROOT / "src") not in sys.path:
    sys.path.insert(0, str(PROVIDER_ROOT / "src"))


@dataclasses.dataclass(frozen=True)
class Samples:
    """Media generated for the tests (all 2 s unless said otherwise)."""

    clip: Path  # 320x240 @ 25 fps H.264 + 440 Hz mono AAC 44.1 kHz, moov at the end
    faststart: Path  # the same with the moov atom first
    tone: Path  # 48 kHz stereo 16-bit WAV
    silent: Path  # 1 s of video without audio
    noise: Path  # random bytes (always the same ones)
    truncated: Path  # the first half of `clip`: no moov atom
    damaged: Path  # the first half of `faststart`: headers fine, data cut off


def generate(ffmpeg: str, target: Path, *args: str) -> Path:
    command = [ffmpeg, "-nostdin", "-y", "-hide_banner", "-loglevel", "error", *args, str(target)]
    subprocess.run(command, check=True)
    return target


def half_of(source: Path, target: Path) -> Path:
    data = source.read_bytes()
    target.write_bytes(data[: len(data) // 2])
    return target


@pytest.fixture(scope="session")
def ffmpeg() -> str:
    import imageio_ffmpeg

    return str(imageio_ffmpeg.get_ffmpeg_exe())


@pytest.fixture(scope="session")
def media(tmp_path_factory: pytest.TempPathFactory, ffmpeg: str) -> Samples:
    folder = tmp_path_factory.mktemp("media")
    video = ("-f", "lavfi", "-i", "testsrc=size=320x240:rate=25:duration=2")
    sound = ("-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100:duration=2")
    codecs = ("-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest")
    clip = generate(ffmpeg, folder / "clip.mp4", *video, *sound, *codecs)
    faststart = generate(ffmpeg, folder / "faststart.mp4", *video, *sound, *codecs,
                         "-movflags", "+faststart")
    tone = generate(ffmpeg, folder / "tone.wav", "-f", "lavfi", "-i",
                    "sine=frequency=440:sample_rate=48000:duration=2", "-ac", "2")
    silent = generate(ffmpeg, folder / "silent.mp4", "-f", "lavfi", "-i",
                      "testsrc=size=320x240:rate=25:duration=1", "-pix_fmt", "yuv420p")
    noise = folder / "noise.mp4"
    noise.write_bytes(random.Random(2024).randbytes(20_000))  # fixed, so never a fluke format
    truncated = half_of(clip, folder / "truncated.mp4")
    damaged = half_of(faststart, folder / "damaged.mp4")
    return Samples(clip, faststart, tone, silent, noise, truncated, damaged)


@dataclasses.dataclass(frozen=True)
class Outputs:
    """The root under which each call made in the test gets its output folder."""

    root: Path

    def files(self) -> list[Path]:
        """Every file under the root, hidden temp files included."""
        return sorted(p for p in self.root.rglob("*") if p.is_file()) if self.root.exists() else []


@pytest.fixture
def outputs(tmp_path: Path) -> Iterator[Outputs]:
    from mediaconduit.sdk.assets import call_outputs

    root = tmp_path / "outputs"
    with call_outputs(root):
        yield Outputs(root)


@pytest.fixture
def provider() -> FFmpegProvider:
    from ffmpeg_provider import FFmpegProvider

    return FFmpegProvider(config={}, env={})


@pytest.fixture
def no_ffmpeg(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """Fail the test if FFmpeg would run; the list holds what was attempted."""
    from ffmpeg_provider import runner

    attempted: list[list[str]] = []

    def refuse(command: list[str], **kwargs: object) -> None:
        attempted.append(command)
        raise AssertionError(f"FFmpeg must not run: {command}")

    monkeypatch.setattr(runner.subprocess, "run", refuse)
    return attempted


@pytest.fixture
def ffmpeg_runs(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """Every command FFmpeg runs during the test (they still run)."""
    from ffmpeg_provider import runner

    seen: list[list[str]] = []
    real = subprocess.run

    def record(command: list[str], **kwargs: object) -> object:
        seen.append(command)
        return real(command, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(runner.subprocess, "run", record)
    return seen
