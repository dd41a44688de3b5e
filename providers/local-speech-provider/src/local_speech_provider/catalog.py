"""The two models: their ids, tasks and parameters."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from local_speech_provider.engine import audio, espeak
from local_speech_provider.params import Param
from mediaconduit.sdk import ModelInfo, Pricing

TTS_ID = "espeak-ng"
ASR_ID = "pocketsphinx-en-us"
FREE = Pricing(request=Decimal(0))  # local work costs nothing

TTS_PARAMS = (
    Param("voice", "an espeak-ng voice (see the model's metadata.voices), e.g. en-us+f2",
          espeak.DEFAULT_VOICE),
    Param("rate", "speaking rate in words per minute", espeak.DEFAULT_RATE, espeak.RATE_RANGE),
    Param("pitch", "base pitch, 0 (low) to 100 (high)", espeak.DEFAULT_PITCH, espeak.PITCH_RANGE),
)
ASR_PARAMS = (
    Param("resampler", "how FFmpeg resamples the input to 16 kHz",
          audio.DEFAULT_RESAMPLER, choices=tuple(audio.RESAMPLERS)),
)


def tts_info(voices: Sequence[espeak.Voice] = ()) -> ModelInfo:
    """The text-to-speech model; `voices` (from the engine) fill `voice`'s enum."""
    names = [v.name for v in voices]
    parameters = {p.name: p.schema(names if p.name == "voice" else ()) for p in TTS_PARAMS}
    metadata = {"engine": "espeak-ng", "sample_rate": 22050, "format": "wav",
                "voices": [v.__dict__ for v in voices]}
    return ModelInfo(id=TTS_ID, name="espeak-ng speech synthesis", capabilities=("text-to-audio",),
                     tasks=("text-to-speech",), pricing=FREE, free=True, parameters=parameters,
                     description="Text spoken by espeak-ng (offline, 100+ languages), as WAV.",
                     metadata=metadata)


def asr_info() -> ModelInfo:
    """The speech-recognition model (audio or video in, English text out)."""
    return ModelInfo(id=ASR_ID, name="pocketsphinx speech recognition (US English)",
                     capabilities=("audio-to-text", "video-to-text"),
                     tasks=("automatic-speech-recognition",), pricing=FREE, free=True,
                     parameters={p.name: p.schema() for p in ASR_PARAMS},
                     description="English speech in any audio or video FFmpeg decodes, as text "
                                 "with word timings (offline).",
                     metadata={"engine": "pocketsphinx", "language": "en-us",
                               "sample_rate": audio.SAMPLE_RATE})
