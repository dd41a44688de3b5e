"""Probe a media file with FFmpeg alone: `ffmpeg -i FILE` describes its input on stderr.

imageio-ffmpeg ships no ffprobe, so this reads the human-readable dump:

    Input #0, mov,mp4,m4a,3gp,3g2,mj2, from 'clip.mp4':
      Metadata:
        major_brand     : isom
      Duration: 00:00:02.00, start: 0.000000, bitrate: 127 kb/s
      Stream #0:0[0x1](und): Video: h264 (High) (avc1 / 0x31637661), yuv420p, 320x240, 25 fps
      Stream #0:1[0x2](und): Audio: aac (LC) (mp4a / 0x6134706D), 44100 Hz, mono, fltp, 69 kb/s

Older FFmpeg indents streams and their metadata by two more spaces; both read the same.
"""

from __future__ import annotations

import re
from pathlib import Path

from ffmpeg_provider.mediainfo import MediaInfo
from ffmpeg_provider.runner import FFmpegError, execute, explain, input_arg
from ffmpeg_provider.stream_line import parse_stream

_HEADER = re.compile(r"^Input #0, (?P<format>.+), from '.*':$")
_DURATION = re.compile(r"Duration: (\d+):(\d{2}):(\d{2}(?:\.\d+)?)")
_START = re.compile(r"start: (-?\d+(?:\.\d+)?)")
_BIT_RATE = re.compile(r"bitrate: (\d+) kb/s")
_TAG = re.compile(r"^(?P<key>[^:]+?)\s*: ?(?P<value>.*)$")


def probe(binary: str, path: Path) -> MediaInfo:
    """The facts about the file at `path`; `FFmpegError` when FFmpeg cannot read it."""
    command = [binary, "-nostdin", "-hide_banner", "-i", input_arg(path)]
    result = execute(command)
    info = parse_input(result.stderr, path.name, path.stat().st_size)
    if info is None:
        raise FFmpegError(explain(result.stderr), command, result.stderr)
    return info


def parse_input(stderr: str, name: str, size: int) -> MediaInfo | None:
    """The `Input #0` description in FFmpeg's log, or None when there is none."""
    lines = input_lines(stderr)
    header = _HEADER.match(lines[0].strip()) if lines else None
    if header is None:
        return None
    reader = _Reader()
    for line in lines[1:]:
        reader.feed(line)
    overview = next((line for line in lines if "Duration:" in line), "")
    streams = (parse_stream(text, tags) for text, tags in reader.streams)
    return MediaInfo(
        name=name, format=header["format"], size=size, duration=_duration(overview),
        start=_number(_START, overview), bit_rate=_bit_rate(overview),
        streams=tuple(s for s in streams if s is not None), tags=reader.container,
    )


def input_lines(stderr: str) -> list[str]:
    """The `Input #0` line and the indented lines that belong to it."""
    lines = stderr.splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith("Input #0")), None)
    if start is None:
        return []
    section = [lines[start]]
    for line in lines[start + 1:]:
        if line.startswith(("Input #", "Output #", "Stream mapping")):
            break
        if line.startswith(" "):
            section.append(line)
    return section


class _Reader:
    """Walks the indented dump and hands each `Metadata:` block to its owner."""

    def __init__(self) -> None:
        self.container: dict[str, str] = {}
        self.streams: list[tuple[str, dict[str, str]]] = []
        self._owner: dict[str, str] | None = None
        self._block: dict[str, str] | None = None
        self._depth = 0
        self._key = ""

    def feed(self, line: str) -> None:
        indent, text = len(line) - len(line.lstrip()), line.strip()
        if self._block is not None and indent > self._depth:
            self._tag(self._block, text)
            return
        self._block = None
        if text == "Metadata:":
            self._block = self.container if indent <= 2 else self._owner
            self._depth = indent
        elif text.startswith("Stream #"):
            self.streams.append((text, {}))
            self._owner = self.streams[-1][1]
        else:
            self._owner = None

    def _tag(self, block: dict[str, str], text: str) -> None:
        if text.startswith(":") and self._key in block:
            block[self._key] += "\n" + text[1:].strip()
        elif match := _TAG.match(text):
            self._key = match["key"]
            block[self._key] = match["value"]


def _duration(overview: str) -> float | None:
    match = _DURATION.search(overview)
    if match is None:
        return None
    hours, minutes, seconds = match.groups()
    return int(hours) * 3600 + int(minutes) * 60 + float(seconds)


def _number(pattern: re.Pattern[str], text: str) -> float | None:
    match = pattern.search(text)
    return float(match[1]) if match else None


def _bit_rate(overview: str) -> int | None:
    match = _BIT_RATE.search(overview)
    return int(match[1]) * 1000 if match else None
