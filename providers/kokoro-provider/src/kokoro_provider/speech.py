"""`POST /v1/audio/speech` through the openai client, streamed to a file.

The audio is never held whole in memory: the response is read in chunks with
`with_streaming_response` and written to a file in the call's output folder.
The cancel hook shuts the connection's socket down (`shutdown`, not `close`: closing
a socket another thread is reading does not wake that read), so the server sees the
client leave and stops generating (Kokoro-FastAPI checks `is_disconnected` per chunk).
"""

from __future__ import annotations

import dataclasses
import os
import tempfile
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import openai

from kokoro_provider.settings import Settings, check_format
from kokoro_provider.voices import mix_names
from mediaconduit.sdk import (
    Audio,
    Cost,
    InvalidInputError,
    ProviderUnavailableError,
    Text,
    Usage,
    cancelled,
    on_cancel,
    output_dir,
    report_progress,
)
from mediaconduit.sdk.hangup import hang_up

MIME_TYPES = {"mp3": "audio/mpeg", "opus": "audio/opus", "aac": "audio/aac",
              "flac": "audio/flac", "wav": "audio/wav", "pcm": "audio/pcm"}
SUFFIXES = {"opus": ".opus", "aac": ".aac", "pcm": ".pcm"}
#: Kokoro-FastAPI fields beyond OpenAI's, sent in the JSON body as given
EXTRA_FIELDS = ("lang_code", "volume_multiplier", "normalization_options", "stream")
CHUNK = 64 * 1024


@dataclasses.dataclass(frozen=True)
class SpeechRequest:
    """One request: what to say, how, and in which format."""

    text: str
    voice: str
    speed: float
    response_format: str
    extra: Mapping[str, Any]

    def body(self, model_id: str) -> dict[str, Any]:
        """The arguments of `client.audio.speech.create`."""
        return {"model": model_id, "input": self.text, "voice": self.voice,
                "response_format": self.response_format, "speed": self.speed,
                "extra_body": {"stream": True, **self.extra}}


def speech_request(input: Any, params: Mapping[str, Any], settings: Settings) -> SpeechRequest:
    """The request for `input` (Text or str) and the call's params, checked."""
    text = input.text if isinstance(input, Text) else input
    if not isinstance(text, str) or not text.strip():
        raise InvalidInputError("Kokoro speaks text: give a non-empty Text (or str) input")
    voice = str(params.get("voice") or settings.voice)
    mix_names(voice)
    fmt = check_format(params.get("response_format") or params.get("format")
                       or settings.response_format)
    extra = {k: params[k] for k in EXTRA_FIELDS if params.get(k) is not None}
    speed = 1.0 if params.get("speed") is None else params["speed"]
    return SpeechRequest(text, voice, _speed(speed), fmt, extra)


def _speed(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0.25 <= value <= 4:
        raise InvalidInputError(f"speed must be a number from 0.25 to 4.0, not {value!r}")
    return float(value)


def synthesize(client: openai.OpenAI, model_id: str, request: SpeechRequest) -> Audio:
    """Stream the speech into a new file; the `Audio` of that file."""
    path = _new_file(request.response_format)
    try:
        with client.audio.speech.with_streaming_response.create(
                **request.body(model_id)) as response:
            on_cancel(lambda: hang_up(response.http_response))
            written = _copy(response, path)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    report_progress(1.0, f"{written} bytes of {request.response_format}")
    return Audio.from_path(
        path, MIME_TYPES[request.response_format],
        usage=Usage(characters=len(request.text)), cost=Cost(usd=Decimal(0)),
        voice=request.voice, format=request.response_format, model=model_id, bytes=written,
    )


def _copy(response: Any, path: Path) -> int:
    written = 0
    try:
        with path.open("wb") as file:
            for chunk in response.iter_bytes(CHUNK):
                file.write(chunk)
                written += len(chunk)
                report_progress(None, f"{written} bytes received")
    except Exception as error:
        path.unlink(missing_ok=True)
        if cancelled():
            raise ProviderUnavailableError("cancelled: the download was closed") from error
        if isinstance(error, openai.OpenAIError):
            raise
        raise ProviderUnavailableError(f"the audio stream from Kokoro broke off: {error}") \
            from error
    return written


def _new_file(fmt: str) -> Path:
    suffix = SUFFIXES.get(fmt, f".{fmt}")
    fd, name = tempfile.mkstemp(prefix="speech-", suffix=suffix, dir=output_dir())
    os.close(fd)
    return Path(name)
