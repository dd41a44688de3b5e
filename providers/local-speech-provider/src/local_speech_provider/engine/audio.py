"""Audio in and out: any file FFmpeg decodes, read as a stream of 16 kHz mono PCM; WAV out.

FFmpeg comes from the imageio-ffmpeg wheel (or `binary=`). Decoding runs as a
child process writing raw 16-bit samples to a pipe, so an hour of audio is never
held in memory: `pcm_chunks` yields it a few seconds at a time.
Nothing here imports MediaConduit: the host's tests reuse it for their fake servers.
"""

from __future__ import annotations

import io
import subprocess
import wave
from collections.abc import Iterator
from pathlib import Path

SAMPLE_RATE = 16_000
CHUNK_SECONDS = 0.5  # a cancelled call stops within one chunk (plus one utterance)
# How FFmpeg resamples to 16 kHz: soxr (high quality, steep low-pass), swresample's default,
# or FFmpeg's choice. For espeak's 22050 Hz speech the word error rates differ by at most
# 0.02 (README); soxr is the default as the cleanest.
RESAMPLERS = {
    "soxr": "aresample=resampler=soxr:precision=28",
    "swr": "aresample=resampler=swr",
    "none": "",
}
DEFAULT_RESAMPLER = "soxr"


class AudioError(RuntimeError):
    """FFmpeg is missing, or the input is not audio it can decode."""


def ffmpeg_binary(binary: str | None = None) -> str:
    """`binary` if given, else the FFmpeg of the imageio-ffmpeg wheel."""
    if binary:
        return binary
    try:
        import imageio_ffmpeg  # type: ignore[import-untyped]
    except ImportError as error:
        raise AudioError("imageio-ffmpeg is not installed (pip install imageio-ffmpeg)") from error
    return str(imageio_ffmpeg.get_ffmpeg_exe())


def decode_command(source: str, binary: str, resampler: str = DEFAULT_RESAMPLER) -> list[str]:
    """FFmpeg reading `source` ("-" for stdin) and writing 16 kHz mono s16le to stdout."""
    if resampler not in RESAMPLERS:
        raise AudioError(f"unknown resampler {resampler!r}; use one of {', '.join(RESAMPLERS)}")
    filters = ["-af", RESAMPLERS[resampler]] if RESAMPLERS[resampler] else []
    return [binary, "-nostdin", "-hide_banner", "-loglevel", "error", "-i", source, "-vn",
            "-map", "0:a:0", *filters, "-ac", "1", "-ar", str(SAMPLE_RATE), "-f", "s16le", "-"]


class PcmStream:
    """FFmpeg decoding `source` to 16 kHz mono s16le; iterate for `chunk_seconds` pieces.

    `close()` (from any thread, e.g. a cancel hook) kills FFmpeg at once; the
    iteration then ends quietly. Raises `AudioError` with FFmpeg's message when the
    source has no audio it can decode.
    """

    def __init__(self, source: str | Path, binary: str | None = None,
                 resampler: str = DEFAULT_RESAMPLER, chunk_seconds: float = CHUNK_SECONDS) -> None:
        self.source = str(source)
        command = decode_command(self.source, ffmpeg_binary(binary), resampler)
        self.size = int(SAMPLE_RATE * chunk_seconds) * 2
        self.stopped = False
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def __iter__(self) -> Iterator[bytes]:
        assert self.process.stdout is not None
        while chunk := self.process.stdout.read(self.size):
            yield chunk
        if not self.stopped:
            self._check()

    def _check(self) -> None:
        assert self.process.stderr is not None
        message = self.process.stderr.read().decode(errors="replace").strip()
        if self.process.wait() != 0:
            detail = message.splitlines()[-1] if message else f"exit {self.process.returncode}"
            name = Path(self.source).name or self.source
            raise AudioError(f"FFmpeg cannot decode audio from {name}: {detail}")

    def close(self) -> None:
        """Stop FFmpeg (idempotent)."""
        self.stopped = True
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()

    def __enter__(self) -> PcmStream:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()
        for stream in (self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()


def pcm_chunks(source: str | Path, binary: str | None = None,
               resampler: str = DEFAULT_RESAMPLER,
               chunk_seconds: float = CHUNK_SECONDS) -> Iterator[bytes]:
    """The audio of `source` as 16 kHz mono s16le, `chunk_seconds` at a time.

    Closing the iterator early stops FFmpeg.
    """
    with PcmStream(source, binary, resampler, chunk_seconds) as stream:
        yield from stream


def duration_seconds(path: str | Path, binary: str | None = None) -> float | None:
    """The container's duration as FFmpeg reports it (None when it cannot tell)."""
    result = subprocess.run([ffmpeg_binary(binary), "-hide_banner", "-nostdin", "-i", str(path)],
                            capture_output=True, text=True, errors="replace", check=False)
    for line in result.stderr.splitlines():
        if "Duration:" in line and "N/A" not in line.split("Duration:")[1][:12]:
            return _clock(line.split("Duration:")[1].split(",")[0].strip())
    return None


def _clock(value: str) -> float:
    hours, minutes, seconds = value.split(":")
    return int(hours) * 3600 + int(minutes) * 60 + float(seconds)


def wav_bytes(pcm: bytes, sample_rate: int, channels: int = 1) -> bytes:
    """16-bit PCM wrapped in a WAV header."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(2)
        out.setframerate(sample_rate)
        out.writeframes(pcm)
    return buffer.getvalue()
