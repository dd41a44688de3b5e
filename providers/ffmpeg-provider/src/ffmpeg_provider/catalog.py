"""The models: their ids, capabilities and parameters, and the plan each one makes."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from ffmpeg_provider.audio import AudioPlan
from ffmpeg_provider.formats import AUDIO_FORMATS, IMAGE_FORMATS, VIDEO_FORMATS
from ffmpeg_provider.frame import FramePlan
from ffmpeg_provider.inspect_media import ProbePlan
from ffmpeg_provider.params import Bitrate, Choice, Number, Param, validate
from ffmpeg_provider.source import Plan
from ffmpeg_provider.transcode import TranscodePlan
from mediaconduit.sdk import ModelInfo, Pricing

#: Local work costs nothing per request.
FREE = Pricing(request=Decimal(0))


@dataclasses.dataclass(frozen=True)
class ModelSpec:
    """One model: what it is, what it takes, and how it plans a call."""

    id: str
    name: str
    capabilities: tuple[str, ...]
    params: tuple[Param, ...]
    planner: Callable[[str, Mapping[str, Any]], Plan]
    description: str = ""

    @property
    def kinds(self) -> tuple[str, ...]:
        """The input kinds it takes (`video`, `audio`)."""
        return tuple(dict.fromkeys(c.split("-to-")[0] for c in self.capabilities))

    def plan(self, params: Mapping[str, Any]) -> Plan:
        """Check `params` (`InvalidInputError` if wrong) and plan the call."""
        return self.planner(self.id, validate(self.id, self.params, params))

    def info(self) -> ModelInfo:
        return ModelInfo(
            id=self.id, name=self.name, capabilities=self.capabilities, pricing=FREE,
            description=self.description, tasks=(self.id,),  # each model is its own task
            parameters={p.name: p.schema() for p in self.params},
        )


def _audio_params(default: str) -> tuple[Param, ...]:
    return (
        Choice("format", tuple(AUDIO_FORMATS), default, "file format of the audio"),
        Number("sample_rate", integer=True, minimum=1000, maximum=384000,
               description="samples per second, e.g. 44100 (default: the input's)"),
        Number("channels", integer=True, minimum=1, maximum=8,
               description="1 for mono, 2 for stereo... (default: the input's)"),
        Bitrate("bitrate", "mp3 and ogg only, e.g. 128k (default: the encoder's)"),
    )


MODELS = (
    ModelSpec(
        "extract-audio", "Extract audio", ("video-to-audio",), _audio_params("wav"),
        AudioPlan.from_params, "The first audio stream of a video, as wav, mp3, flac or ogg.",
    ),
    ModelSpec(
        "convert-audio", "Convert audio", ("audio-to-audio",), _audio_params("wav"),
        AudioPlan.from_params, "Audio re-encoded: format, sample rate, channels, bit rate.",
    ),
    ModelSpec(
        "extract-frame", "Extract frame", ("video-to-image",),
        (
            Number("time", default=0, description="seconds from the start"),
            Choice("format", tuple(IMAGE_FORMATS), "png", "image file format",
                   aliases={"jpeg": "jpg"}),
        ),
        FramePlan.from_params, "The video frame at a given time, as PNG or JPEG.",
    ),
    ModelSpec(
        "transcode", "Transcode", ("video-to-video",),
        (
            Choice("format", tuple(VIDEO_FORMATS), "mp4", "mp4 (H.264/AAC) or webm (VP9/Opus)"),
            Number("start", default=0, description="seconds to skip at the start"),
            Number("duration", above=True, description="seconds to keep (default: to the end)"),
            Number("width", integer=True, minimum=2, maximum=16384, multiple_of=2,
                   description="pixels; alone, the height follows the aspect ratio"),
            Number("height", integer=True, minimum=2, maximum=16384, multiple_of=2,
                   description="pixels; alone, the width follows the aspect ratio"),
            Number("fps", above=True, maximum=240, description="frames per second"),
        ),
        TranscodePlan.from_params, "A video re-encoded as MP4 or WebM: cut, resized, re-timed.",
    ),
    ModelSpec(
        "probe", "Probe", ("video-to-text", "audio-to-text"), (), ProbePlan.from_params,
        "The facts about a media file (duration, streams, codecs, size) as JSON.",
    ),
)

MODELS_BY_ID = {spec.id: spec for spec in MODELS}
