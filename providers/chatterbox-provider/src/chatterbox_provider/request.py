"""One speech request, read from the call's input and params, checked."""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Mapping
from pathlib import Path, PurePath
from typing import Any

from mediaconduit.sdk import Audio, InvalidInputError, Text

#: params both servers take, with their allowed ranges (devnen's are narrower for some)
RANGES = {"exaggeration": (0.25, 2.0), "cfg_weight": (0.0, 1.0), "temperature": (0.05, 5.0)}
#: devnen `/tts` extras, and travisvn streaming extras, passed on as given
DEVNEN_EXTRAS = ("seed", "speed_factor", "language", "split_text", "chunk_size")
TRAVISVN_EXTRAS = ("model", "streaming_chunk_size", "streaming_strategy",
                   "streaming_buffer_size", "streaming_quality", "enable_pauses", "custom_pauses")
REFERENCE_SUFFIXES = {"audio/wav": ".wav", "audio/x-wav": ".wav", "audio/mpeg": ".mp3",
                      "audio/mp3": ".mp3", "audio/flac": ".flac", "audio/ogg": ".ogg",
                      "audio/mp4": ".m4a"}


@dataclasses.dataclass(frozen=True)
class Reference:
    """A voice to clone: the audio's bytes and a stable file name for the upload."""

    data: bytes = dataclasses.field(repr=False)
    filename: str
    mime_type: str


@dataclasses.dataclass(frozen=True)
class SpeechRequest:
    text: str
    voice: str | None
    reference: Reference | None
    response_format: str
    controls: Mapping[str, float]
    extras: Mapping[str, Any]


def speech_request(
    input: Any, params: Mapping[str, Any], default_voice: str | None
) -> SpeechRequest:
    """The request for `input` (Text or str) and the call's params."""
    text = input.text if isinstance(input, Text) else input
    if not isinstance(text, str) or not text.strip():
        raise InvalidInputError("Chatterbox speaks text: give a non-empty Text (or str) input")
    fmt = str(params.get("response_format") or params.get("format") or "wav")
    extras = {k: params[k] for k in (*DEVNEN_EXTRAS, *TRAVISVN_EXTRAS) if params.get(k) is not None}
    return SpeechRequest(text, params.get("voice") or default_voice,
                         reference(params.get("reference") or params.get("voice_reference")),
                         fmt, controls(params), extras)


def controls(params: Mapping[str, Any]) -> dict[str, float]:
    """`exaggeration`, `cfg_weight`, `temperature` that are set, each checked."""
    found = {}
    for name, (low, high) in RANGES.items():
        value = params.get(name)
        if value is None:
            continue
        number = isinstance(value, (int, float)) and not isinstance(value, bool)
        if not number or not low <= value <= high:
            raise InvalidInputError(f"{name} must be a number from {low} to {high}, not {value!r}")
        found[name] = float(value)
    return found


def reference(value: Any) -> Reference | None:
    """The voice to clone, as bytes with a content-addressed file name.

    An `Audio`, or (as params cross to the worker as JSON) a file path or URL of one.
    """
    if value is None:
        return None
    value = _as_audio(value)
    suffix = REFERENCE_SUFFIXES.get(value.mime_type)
    if suffix is None:
        raise InvalidInputError(f"a reference voice must be WAV or MP3 (or FLAC, OGG, M4A for "
                                f"travisvn), not {value.mime_type}")
    data = value.data
    digest = hashlib.sha256(data).hexdigest()[:16]
    return Reference(data, f"mediaconduit-{digest}{suffix}", value.mime_type)


def _as_audio(value: Any) -> Audio:
    if isinstance(value, Audio):
        return value
    if isinstance(value, (str, PurePath)):
        text = str(value)
        if text.startswith(("http://", "https://")):
            return Audio.from_url(text)
        if not Path(text).is_file():
            raise InvalidInputError(f"reference {text!r} is not a file: give the path of a "
                                    "WAV or MP3 of the voice to clone")
        return Audio.from_path(text)
    raise InvalidInputError("reference must be an Audio, or the path or URL of a WAV or MP3, "
                            f"not {type(value).__name__}")
