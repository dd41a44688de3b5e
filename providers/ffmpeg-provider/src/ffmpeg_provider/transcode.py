"""`transcode`: re-encode a video (and its first audio stream) as MP4 or WebM."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from ffmpeg_provider.encoders import pick_encoder
from ffmpeg_provider.formats import VIDEO_FORMATS, Encoder, OutputFormat
from ffmpeg_provider.runner import number_arg
from ffmpeg_provider.source import Source, encode, render
from mediaconduit.sdk import InvalidInputError, Video


@dataclasses.dataclass(frozen=True)
class TranscodePlan:
    """Cut `[start, start + duration)`, resize, change the frame rate, re-encode."""

    model_id: str
    format: OutputFormat
    start: float = 0.0
    duration: float | None = None
    width: int | None = None
    height: int | None = None
    fps: float | None = None

    @classmethod
    def from_params(cls, model_id: str, values: Mapping[str, Any]) -> TranscodePlan:
        fmt = VIDEO_FORMATS[values["format"]]
        fields = ("start", "duration", "width", "height", "fps")
        return cls(model_id, fmt, **{name: values[name] for name in fields})

    def run(self, source: Source) -> Video:
        source.stream("video")
        expected = self.expected_duration(source)
        fmt = self.format
        video = pick_encoder(source.binary, fmt.encoders, f"{fmt.name} video")
        has_audio = source.info.first("audio") is not None
        audio = pick_encoder(source.binary, fmt.audio_encoders, f"{fmt.name} audio") \
            if has_audio else None
        rendered = render(source, fmt, encode(source, fmt, self.args(source, video, audio)),
                          expected)
        return Video.from_path(rendered.path, fmt.mime_type, **rendered.metadata())

    def expected_duration(self, source: Source) -> float | None:
        """How long the output should be; `start` must fall inside the media."""
        total = source.info.duration
        if total is None:
            return self.duration
        if self.start >= total:
            raise InvalidInputError(
                f"{self.model_id}: start {self.start:g} s is beyond the end of {source.label} "
                f"({total:.2f} s long)"
            )
        remaining = total - self.start
        return remaining if self.duration is None else min(self.duration, remaining)

    def args(self, source: Source, video: Encoder, audio: Encoder | None) -> list[str]:
        """FFmpeg arguments up to the output (which `encode` adds)."""
        seek = ["-ss", number_arg(self.start)] if self.start else []
        limit = ["-t", number_arg(self.duration)] if self.duration else []
        sound = ["-map", "0:a:0", "-c:a", audio.name, *audio.options] if audio else []
        return [
            *seek, "-i", source.arg, *limit, "-map", "0:v:0", "-vf", self.filters(),
            "-c:v", video.name, *video.options, "-pix_fmt", "yuv420p", *sound,
        ]

    def filters(self) -> str:
        """Frame rate, then size (always even, as yuv420p needs)."""
        fps = [f"fps={number_arg(self.fps)}"] if self.fps else []
        return ",".join([*fps, *self.scale()])

    def scale(self) -> list[str]:
        if self.width and self.height:
            return [f"scale={self.width}:{self.height}", "setsar=1"]
        if self.width or self.height:
            return [f"scale={self.width or -2}:{self.height or -2}"]
        return ["scale=trunc(iw/2)*2:trunc(ih/2)*2"]
