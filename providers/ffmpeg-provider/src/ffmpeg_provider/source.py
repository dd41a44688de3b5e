"""What every conversion works from, and the steps they share."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

from ffmpeg_provider.formats import OutputFormat
from ffmpeg_provider.mediainfo import MediaInfo, Stream, summary
from ffmpeg_provider.outputs import produce, written
from ffmpeg_provider.probe import probe
from ffmpeg_provider.runner import (
    FFmpegError,
    explain,
    input_arg,
    meaningful_lines,
    run_ffmpeg,
)
from mediaconduit.sdk import Asset, InvalidInputError

#: How much shorter than expected an output may be when FFmpeg logged errors.
SHORTFALL = 0.5


@dataclasses.dataclass(frozen=True)
class Source:
    """The probed input of one call."""

    model_id: str
    binary: str
    path: Path
    label: str
    stem: str
    info: MediaInfo

    @property
    def arg(self) -> str:
        return input_arg(self.path)

    def stream(self, kind: str) -> Stream:
        """The first `kind` stream, or `InvalidInputError` saying what the input holds."""
        found = self.info.first(kind)
        if found is None:
            held = self.info.describe_streams()
            raise InvalidInputError(
                f"{self.model_id}: {self.label} has no {kind} stream (it holds: {held})"
            )
        return found


class Plan(Protocol):
    """A checked request, ready to run on a source."""

    def run(self, source: Source) -> Asset: ...


@dataclasses.dataclass(frozen=True)
class Rendered:
    """A published output file and its facts."""

    path: Path
    info: MediaInfo
    warnings: tuple[str, ...]

    def metadata(self) -> dict[str, Any]:
        """What the output asset carries: `summary` of its facts, plus any warnings."""
        extra = {"warnings": list(self.warnings)} if self.warnings else {}
        return {**summary(self.info), **extra}


def render(
    source: Source, fmt: OutputFormat, write: Callable[[Path], str], expected: float | None
) -> Rendered:
    """Run `write(temp)` (FFmpeg into `temp`, returning its log), check and publish the file."""

    def make(temp: Path) -> tuple[MediaInfo, str]:
        log = write(temp)
        if not written(temp):
            raise FFmpegError(f"FFmpeg wrote no output ({explain(log, 'nothing to encode')})")
        info = probe(source.binary, temp)
        check_complete(info, expected, log)
        return info, log

    path, (info, log) = produce(f"{source.stem}{fmt.suffix}", make)
    return Rendered(path, dataclasses.replace(info, name=path.name), tuple(meaningful_lines(log)))


def encode(source: Source, fmt: OutputFormat, args: Sequence[str]) -> Callable[[Path], str]:
    """A `write` for `render`: one FFmpeg run with `args`, muxed as `fmt`."""
    return lambda temp: run_ffmpeg(
        source.binary, [*args, *fmt.muxer_options, "-f", fmt.muxer, input_arg(temp)]
    )


def check_complete(info: MediaInfo, expected: float | None, log: str) -> None:
    """A damaged input (errors logged, output clearly short) is an error, not a result."""
    errors = meaningful_lines(log)
    if not errors or expected is None or info.duration is None:
        return
    if info.duration < expected - SHORTFALL:
        raise FFmpegError(
            f"the input looks damaged: only {info.duration:.2f} s of {expected:.2f} s "
            f"could be read ({explain(log)})"
        )
