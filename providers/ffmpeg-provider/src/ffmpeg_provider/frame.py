"""`extract-frame`: one video frame as a PNG or JPEG image."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ffmpeg_provider.encoders import pick_encoder
from ffmpeg_provider.formats import IMAGE_FORMATS, Encoder, OutputFormat
from ffmpeg_provider.outputs import written
from ffmpeg_provider.runner import FFmpegError, input_arg, number_arg, run_ffmpeg
from ffmpeg_provider.source import Source, render
from mediaconduit.sdk import Image, InvalidInputError

#: How far before `time` to start decoding when no frame starts at or after it.
LOOKBACK = 1.0
_IMAGE_FACTS = ("width", "height", "size")


@dataclasses.dataclass(frozen=True)
class FramePlan:
    """The first frame at or after `time` seconds (within the last frame: that one)."""

    model_id: str
    time: float
    format: OutputFormat

    @classmethod
    def from_params(cls, model_id: str, values: Mapping[str, Any]) -> FramePlan:
        return cls(model_id, float(values["time"]), IMAGE_FORMATS[values["format"]])

    def run(self, source: Source) -> Image:
        source.stream("video")
        self.check_time(source)
        encoder = pick_encoder(source.binary, self.format.encoders, f"{self.format.name} images")
        rendered = render(source, self.format, lambda t: self.write(source, encoder, t), None)
        facts = {k: v for k, v in rendered.metadata().items() if k in _IMAGE_FACTS}
        return Image.from_path(rendered.path, self.format.mime_type, time=self.time, **facts)

    def check_time(self, source: Source) -> None:
        """`time` must fall inside the media."""
        duration = source.info.duration
        if duration is not None and self.time >= duration:
            raise InvalidInputError(
                f"{self.model_id}: time {self.time:g} s is beyond the end of {source.label} "
                f"({duration:.2f} s long)"
            )

    def write(self, source: Source, encoder: Encoder, temp: Path) -> str:
        """The first frame at or after `time`; else the last one before it (the clip's tail)."""
        try:
            log = run_ffmpeg(source.binary, self.args(source, encoder, temp, self.time, 1))
        except FFmpegError:
            if self.time == 0:
                raise
            temp.unlink(missing_ok=True)
            log = ""  # some encoders fail rather than write nothing when no frame is left
        return log if written(temp) or self.time == 0 else self.write_tail(source, encoder, temp)

    def write_tail(self, source: Source, encoder: Encoder, temp: Path) -> str:
        """The last frame before `time`: no frame starts after it, so decode to the end."""
        at = max(0.0, self.time - LOOKBACK)
        log = run_ffmpeg(source.binary, self.args(source, encoder, temp, at, None))
        if not written(temp):
            raise FFmpegError(f"no video frame at {self.time:g} s")
        return log

    def args(
        self, source: Source, encoder: Encoder, temp: Path, at: float, frames: int | None
    ) -> list[str]:
        """Decode from `at`: `frames` frames, or all to the end, each replacing the last."""
        limit = ["-frames:v", str(frames)] if frames else []
        return [
            "-ss", number_arg(at), "-i", source.arg, "-map", "0:v:0", *limit, "-update", "1",
            "-c:v", encoder.name, *encoder.options, "-f", self.format.muxer, input_arg(temp),
        ]
