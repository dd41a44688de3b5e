"""The facts about a media file, as value types."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any


@dataclasses.dataclass(frozen=True)
class Stream:
    """One stream of a media file, as FFmpeg describes it."""

    index: int
    type: str
    codec: str
    language: str | None = None
    width: int | None = None
    height: int | None = None
    fps: float | None = None
    pixel_format: str | None = None
    sample_rate: int | None = None
    channels: int | None = None
    channel_layout: str | None = None
    sample_format: str | None = None
    bit_rate: int | None = None
    default: bool = False
    tags: Mapping[str, str] = dataclasses.field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return _without_none(dataclasses.asdict(self))


@dataclasses.dataclass(frozen=True)
class MediaInfo:
    """A media file: container, duration, size and streams."""

    name: str
    format: str
    size: int
    duration: float | None = None
    start: float | None = None
    bit_rate: int | None = None
    streams: tuple[Stream, ...] = ()
    tags: Mapping[str, str] = dataclasses.field(default_factory=dict)

    def first(self, kind: str) -> Stream | None:
        """The first stream of `kind` (`video`, `audio`, ...), if any."""
        return next((s for s in self.streams if s.type == kind), None)

    def describe_streams(self) -> str:
        """`video h264, audio aac`, or `no streams`."""
        return ", ".join(f"{s.type} {s.codec}" for s in self.streams) or "no streams"

    def to_dict(self) -> dict[str, Any]:
        data = _without_none(dataclasses.asdict(self))
        data["streams"] = [s.to_dict() for s in self.streams]
        return data


def summary(info: MediaInfo) -> dict[str, Any]:
    """The metadata an output asset carries: duration, size and its main streams' facts."""
    facts: dict[str, Any] = {"duration": info.duration, "size": info.size}
    video, audio = info.first("video"), info.first("audio")
    if video is not None:
        facts.update(width=video.width, height=video.height, fps=video.fps,
                     video_codec=video.codec)
    if audio is not None:
        facts.update(sample_rate=audio.sample_rate, channels=audio.channels,
                     audio_codec=audio.codec)
    return _without_none(facts)


def _without_none(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if v is not None}
