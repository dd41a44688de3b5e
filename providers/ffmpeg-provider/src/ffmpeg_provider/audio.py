"""`extract-audio` and `convert-audio`: the first audio stream, re-encoded."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

from ffmpeg_provider.encoders import pick_encoder
from ffmpeg_provider.formats import AUDIO_FORMATS, Encoder, OutputFormat
from ffmpeg_provider.source import Source, encode, render
from mediaconduit.sdk import Audio, InvalidInputError

#: The sample rates MPEG audio (and so libmp3lame) can write.
MP3_SAMPLE_RATES = (8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000)


@dataclasses.dataclass(frozen=True)
class AudioPlan:
    """Re-encode the input's first audio stream as `format`."""

    model_id: str
    format: OutputFormat
    sample_rate: int | None = None
    channels: int | None = None
    bitrate: str | None = None

    @classmethod
    def from_params(cls, model_id: str, values: Mapping[str, Any]) -> AudioPlan:
        fmt = AUDIO_FORMATS[values["format"]]
        plan = cls(model_id, fmt, values["sample_rate"], values["channels"], values["bitrate"])
        plan.check()
        return plan

    def check(self) -> None:
        """Combinations the chosen format cannot write."""
        name = self.format.name
        if self.bitrate is not None and self.format.lossless:
            raise InvalidInputError(
                f"{self.model_id}: bitrate does not apply to {name}, which is lossless; "
                "leave it out or choose mp3 or ogg"
            )
        if name == "mp3" and self.sample_rate not in (None, *MP3_SAMPLE_RATES):
            rates = ", ".join(map(str, MP3_SAMPLE_RATES))
            raise InvalidInputError(f"{self.model_id}: mp3 sample_rate must be one of {rates}")
        if name == "mp3" and (self.channels or 0) > 2:
            raise InvalidInputError(f"{self.model_id}: mp3 holds at most 2 channels")

    def run(self, source: Source) -> Audio:
        source.stream("audio")
        encoder = pick_encoder(source.binary, self.format.encoders, f"{self.format.name} audio")
        write = encode(source, self.format, self.args(source, encoder))
        rendered = render(source, self.format, write, source.info.duration)
        return Audio.from_path(rendered.path, self.format.mime_type, **rendered.metadata())

    def args(self, source: Source, encoder: Encoder) -> list[str]:
        """FFmpeg arguments up to the output (which `encode` adds)."""
        chosen = [("-ar", self.sample_rate), ("-ac", self.channels), ("-b:a", self.bitrate)]
        return [
            "-i", source.arg, "-map", "0:a:0", "-c:a", encoder.name, *encoder.options,
            *_flags(chosen),
        ]


def _flags(pairs: Sequence[tuple[str, object]]) -> list[str]:
    return [part for flag, value in pairs if value is not None for part in (flag, str(value))]
