"""Sample media for the host's tests, made and checked by the FFmpeg provider's own FFmpeg.

The host never has imageio-ffmpeg: only the FFmpeg provider's environment does. So the
FFmpeg binary here comes from an environment that the host's own `ensure_environment`
builds from the provider's dependency list, and it runs as a subprocess. The samples
match the provider's own test media (its `tests/conftest.py`, which imports imageio_ffmpeg
and so cannot be imported here): lavfi `testsrc` plus `sine`.

`probe` reads what FFmpeg says about a file, independently of the provider's code: the
container's duration, each stream's codec, frame size, rate and channels, and how many
seconds really decode.
"""

from __future__ import annotations

import dataclasses
import random
import re
import subprocess
from collections.abc import Sequence
from pathlib import Path

from mediaconduit.cache import Layout
from mediaconduit.environment import Environment, ensure_environment
from mediaconduit.manifest.repo import read_repo_manifest

FFMPEG_PROVIDER = Path(__file__).resolve().parents[2] / "providers" / "ffmpeg-provider"
_EXE = "import imageio_ffmpeg; print(imageio_ffmpeg.get_ffmpeg_exe())"


def provider_dependencies(extra: Sequence[str] = ()) -> list[str]:
    """The FFmpeg provider's dependencies, as the host reads them, plus `extra`."""
    _facts, dependencies, error = read_repo_manifest(FFMPEG_PROVIDER)
    assert error is None, error
    return [*dependencies, *extra]


def provider_environment(cache_root: Path, extra: Sequence[str] = ()) -> Environment:
    """An environment with the provider's dependencies (and `extra`), built by the host."""
    return ensure_environment(Layout(cache_root), provider_dependencies(extra),
                              label="ffmpeg-provider (tests)")


def ffmpeg_of(env: Environment) -> str:
    """The path of the FFmpeg binary that imageio-ffmpeg installed into `env`."""
    done = subprocess.run([str(env.python), "-I", "-c", _EXE], capture_output=True, text=True,
                          check=True)
    return done.stdout.strip()


def provider_ffmpeg(cache_root: Path) -> str:
    """The provider environment's FFmpeg (the environment built under `cache_root` if new)."""
    return ffmpeg_of(provider_environment(cache_root))


# --- making media ---------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Samples:
    """Media made by FFmpeg (2 s unless said otherwise)."""

    clip: Path  # 320x240 @ 25 fps H.264 + 440 Hz mono AAC at 44.1 kHz
    tone: Path  # 440 Hz, 48 kHz stereo 16-bit WAV
    silent: Path  # 1 s of 320x240 video without audio
    noise: Path  # random bytes named .mp4 (always the same ones)
    truncated: Path  # the first half of `clip`: no moov atom


def generate(ffmpeg: str, target: Path, *args: str) -> Path:
    """Run FFmpeg with `args` and write `target`."""
    command = [ffmpeg, "-nostdin", "-y", "-hide_banner", "-loglevel", "error", *args, str(target)]
    subprocess.run(command, check=True, capture_output=True)
    return target


def testsrc(size: str = "320x240", rate: int = 25, seconds: float = 2) -> tuple[str, ...]:
    return ("-f", "lavfi", "-i", f"testsrc=size={size}:rate={rate}:duration={seconds}")


def sine(sample_rate: int = 44100, seconds: float = 2, frequency: int = 440) -> tuple[str, ...]:
    return ("-f", "lavfi", "-i",
            f"sine=frequency={frequency}:sample_rate={sample_rate}:duration={seconds}")


def make_clip(ffmpeg: str, target: Path, *, size: str = "320x240", seconds: float = 2,
              extra: Sequence[str] = ()) -> Path:
    """An mp4 of `testsrc` with a 440 Hz mono AAC sine."""
    codecs = ("-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", "-ac", "1", "-shortest")
    return generate(ffmpeg, target, *testsrc(size, seconds=seconds), *sine(seconds=seconds),
                    *codecs, *extra)


def make_samples(ffmpeg: str, folder: Path) -> Samples:
    folder.mkdir(parents=True, exist_ok=True)
    clip = make_clip(ffmpeg, folder / "clip.mp4")
    tone = generate(ffmpeg, folder / "tone.wav", *sine(48000), "-ac", "2", "-c:a", "pcm_s16le")
    silent = generate(ffmpeg, folder / "silent.mp4", *testsrc(seconds=1), "-pix_fmt", "yuv420p")
    noise = folder / "noise.mp4"
    noise.write_bytes(random.Random(2024).randbytes(20_000))
    truncated = folder / "truncated.mp4"
    truncated.write_bytes(clip.read_bytes()[: clip.stat().st_size // 2])
    return Samples(clip, tone, silent, noise, truncated)


# --- checking media ---------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Stream:
    """One stream as FFmpeg describes it."""

    type: str  # "video" or "audio"
    codec: str
    width: int | None = None
    height: int | None = None
    fps: float | None = None
    sample_rate: int | None = None
    channels: int | None = None

    @property
    def size(self) -> tuple[int | None, int | None]:
        return self.width, self.height


@dataclasses.dataclass(frozen=True)
class Facts:
    """What FFmpeg reads from a file: its container and streams, and what really decodes."""

    format: str
    duration: float | None  # from the container's header
    decoded: float  # seconds of media that decode
    streams: tuple[Stream, ...]

    def kinds(self) -> list[str]:
        return [stream.type for stream in self.streams]

    def first(self, kind: str) -> Stream:
        found = [stream for stream in self.streams if stream.type == kind]
        assert found, f"no {kind} stream in {self}"
        return found[0]

    @property
    def video(self) -> Stream:
        return self.first("video")

    @property
    def audio(self) -> Stream:
        return self.first("audio")


_INPUT = re.compile(r"^Input #0, (.+), from '", re.MULTILINE)
_DURATION = re.compile(r"Duration: (\d+):(\d\d):(\d\d(?:\.\d+)?)")
_STREAM = re.compile(r"^\s*Stream #0:\d+\S*: (Video|Audio): (\w+)(.*)$", re.MULTILINE)
_SIZE = re.compile(r"(?<![\w/])([1-9]\d*)x([1-9]\d*)(?!\w)")
_FPS = re.compile(r"([\d.]+) fps")
_AUDIO = re.compile(r"(\d+) Hz, ([^,]+)")
_LAYOUTS = {"mono": 1, "stereo": 2}
_DECODED = re.compile(r"^out_time_us=(\d+)$", re.MULTILINE)


def probe(ffmpeg: str, path: Path) -> Facts:
    """Decode `path` to nothing and read FFmpeg's own description of it."""
    command = [ffmpeg, "-nostdin", "-hide_banner", "-i", str(path), "-map", "0:v?", "-map",
               "0:a?", "-f", "null", "-progress", "pipe:1", "-nostats", "-"]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    header = _INPUT.search(done.stderr)
    assert done.returncode == 0 and header is not None, f"FFmpeg cannot read {path}:\n{done.stderr}"
    decoded = [int(us) for us in _DECODED.findall(done.stdout)]
    streams = tuple(_stream(*match) for match in _STREAM.findall(done.stderr.split("Output #")[0]))
    return Facts(header[1], _duration(done.stderr), max(decoded, default=0) / 1e6, streams)


def _duration(log: str) -> float | None:
    found = _DURATION.search(log)
    if found is None:
        return None
    hours, minutes, seconds = found.groups()
    return int(hours) * 3600 + int(minutes) * 60 + float(seconds)


def _stream(kind: str, codec: str, rest: str) -> Stream:
    if kind == "Video":
        size, fps = _SIZE.search(rest), _FPS.search(rest)
        return Stream("video", codec, width=int(size[1]) if size else None,
                      height=int(size[2]) if size else None, fps=float(fps[1]) if fps else None)
    audio = _AUDIO.search(rest)
    layout = audio[2].strip() if audio else ""
    channels = _LAYOUTS.get(layout) or (int(layout.split()[0]) if "channels" in layout else None)
    return Stream("audio", codec, sample_rate=int(audio[1]) if audio else None, channels=channels)


def gray_thumbnail(ffmpeg: str, path: Path, at: float = 0.0) -> bytes:
    """The frame at `at` seconds as 32x24 8-bit gray pixels, for comparing pictures."""
    seek = ("-ss", str(at)) if at else ()  # a still image has no time to seek to
    command = [ffmpeg, "-nostdin", "-hide_banner", "-loglevel", "error", *seek, "-i", str(path),
               "-frames:v", "1", "-vf", "scale=32:24,format=gray", "-f", "rawvideo", "-"]
    pixels = subprocess.run(command, capture_output=True, check=True).stdout
    assert len(pixels) == 32 * 24, f"no frame at {at} s in {path}"
    return pixels


def difference(a: bytes, b: bytes) -> float:
    """Mean absolute difference of two gray thumbnails (0 = the same picture)."""
    return sum(abs(x - y) for x, y in zip(a, b, strict=True)) / len(a)
