"""Text to speech: espeak-ng speaks the text; the WAV goes to the call's output folder."""

from __future__ import annotations

import tempfile
import time
from decimal import Decimal
from typing import Any

from local_speech_provider.catalog import TTS_PARAMS, tts_info
from local_speech_provider.engine import audio, espeak
from local_speech_provider.params import validate
from mediaconduit.sdk import (
    Asset,
    Audio,
    Cost,
    InvalidInputError,
    Model,
    Provider,
    Text,
    Usage,
    output_dir,
)


class SpeechSynthesisModel(Model):
    """`espeak-ng`: Text in, WAV (16-bit mono, 22050 Hz) out."""

    def __init__(self, provider: Provider) -> None:
        super().__init__(tts_info(), provider)

    def transform(self, input: Asset, **params: Any) -> Audio:
        text = _text_of(input)
        chosen = validate(self.id, TTS_PARAMS, params)
        started = time.monotonic()
        try:
            speech = espeak.synthesize(text, chosen["voice"], chosen["rate"], chosen["pitch"])
        except espeak.EspeakError as error:
            raise InvalidInputError(str(error)) from error
        path = _write(audio.wav_bytes(speech.pcm, speech.sample_rate))
        usage = Usage(characters=len(text), compute_seconds=round(time.monotonic() - started, 6))
        return Audio.from_path(path, "audio/wav", usage=usage, cost=Cost(usd=Decimal(0)),
                               duration=round(speech.seconds, 3), sample_rate=speech.sample_rate,
                               **chosen)


def _text_of(input: Asset) -> str:
    if not isinstance(input, Text):
        raise InvalidInputError(f"espeak-ng speaks Text, not {type(input).__name__}")
    if not input.text.strip():
        raise InvalidInputError("espeak-ng: the text is empty; give it something to say")
    return input.text


def _write(data: bytes) -> str:
    with tempfile.NamedTemporaryFile(prefix="speech-", suffix=".wav", dir=output_dir(),
                                     delete=False) as handle:
        handle.write(data)
    return handle.name
