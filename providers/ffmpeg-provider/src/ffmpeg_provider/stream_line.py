"""Read one `Stream #0:1...: Audio: aac (LC), 44100 Hz, mono, fltp, 69 kb/s` line."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from typing import Any

from ffmpeg_provider.mediainfo import Stream

_STREAM = re.compile(
    r"^Stream #\d+:(?P<index>\d+)(?:\[[^\]]*\])?(?:\((?P<lang>[^)]*)\))?: "
    r"(?P<type>\w+): (?P<desc>.*)$"
)
_SIZE = re.compile(r"^(\d+)x(\d+)(?:\s|$)")
_FPS = re.compile(r"^(\d+(?:\.\d+)?)(k?) fps$")
_BIT_RATE = re.compile(r"^(\d+) kb/s")
_SAMPLE_RATE = re.compile(r"^(\d+) Hz$")
_NAME = re.compile(r"^[A-Za-z][\w]*")
_NAMED_LAYOUTS = {
    "mono": 1, "stereo": 2, "downmix": 2, "binaural": 2, "quad": 4,
    "hexagonal": 6, "octagonal": 8, "cube": 8, "hexadecagonal": 16,
}


def parse_stream(text: str, tags: Mapping[str, str]) -> Stream | None:
    """The stream a line describes, or None when the line is not a stream line."""
    match = _STREAM.match(text)
    if match is None:
        return None
    fields = split_fields(match["desc"])
    kind = match["type"].lower()
    stream = Stream(
        index=int(match["index"]), type=kind, codec=(fields[0].split() or ["unknown"])[0],
        language=match["lang"], bit_rate=_bit_rate(fields),
        default="(default)" in fields[-1], tags=dict(tags),
    )
    details = _video(fields) if kind == "video" else _audio(fields) if kind == "audio" else {}
    return dataclasses.replace(stream, **details)


def split_fields(text: str) -> list[str]:
    """Split at commas that are not inside parentheses or brackets."""
    fields: list[str] = []
    current: list[str] = []
    depth = 0
    for char in text:
        depth += (char in "([") - (char in ")]")
        if char == "," and depth == 0:
            fields.append("".join(current).strip())
            current = []
        else:
            current.append(char)
    fields.append("".join(current).strip())
    return fields


def channel_count(layout: str) -> int | None:
    """Channels in a layout: `mono` 1, `5.1(side)` 6, `7.1.4` 12, `3 channels` 3."""
    base = layout.split("(", maxsplit=1)[0].strip()
    if base in _NAMED_LAYOUTS:
        return _NAMED_LAYOUTS[base]
    if re.fullmatch(r"\d+(?:\.\d+)+", base):
        return sum(int(part) for part in base.split("."))
    counted = re.fullmatch(r"(\d+) channels?", base)
    return int(counted[1]) if counted else None


def _video(fields: list[str]) -> dict[str, Any]:
    size = _first(_SIZE, fields)
    fps = _first(_FPS, fields)
    pixel = _NAME.match(fields[1]) if len(fields) > 1 else None
    return {
        "width": int(size[1]) if size else None,
        "height": int(size[2]) if size else None,
        "fps": float(fps[1]) * (1000 if fps[2] else 1) if fps else None,
        "pixel_format": pixel[0] if pixel else None,
    }


def _audio(fields: list[str]) -> dict[str, Any]:
    at = next((i for i, f in enumerate(fields) if _SAMPLE_RATE.match(f)), None)
    if at is None:
        return {}
    layout = fields[at + 1] if at + 1 < len(fields) else ""
    sample_format = fields[at + 2] if at + 2 < len(fields) else ""
    channels = channel_count(layout)
    return {
        "sample_rate": int(fields[at].split()[0]),
        "channels": channels,
        "channel_layout": layout if channels else None,
        "sample_format": sample_format.split()[0] if _NAME.match(sample_format) else None,
    }


def _bit_rate(fields: list[str]) -> int | None:
    found = _first(_BIT_RATE, fields[1:])
    return int(found[1]) * 1000 if found else None


def _first(pattern: re.Pattern[str], fields: list[str]) -> re.Match[str] | None:
    return next((m for m in map(pattern.match, fields) if m), None)
