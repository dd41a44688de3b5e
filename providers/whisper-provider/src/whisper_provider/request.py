"""A transcription request: the call's parameters, checked once for both APIs."""

from __future__ import annotations

import contextlib
import dataclasses
import difflib
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from mediaconduit.sdk import InvalidInputError, Media

FORMATS = ("text", "srt", "vtt", "tsv")
TASKS = ("transcribe", "translate")
PARAMETERS: dict[str, dict[str, Any]] = {
    "format": {"type": "string", "enum": list(FORMATS), "default": "text",
               "description": "text (segments in metadata), or the subtitles srt / vtt "
                              "(tsv: asr-webservice only)"},
    "language": {"type": "string", "description": "the spoken language as a whisper code "
                                                  "(en, fr, ...); unset: detected"},
    "task": {"type": "string", "enum": list(TASKS), "default": "transcribe",
             "description": "translate: English text from speech in any language"},
    "word_timestamps": {"type": "boolean", "default": False,
                        "description": "time each word (metadata.words)"},
    "prompt": {"type": "string", "description": "text that guides the style or spelling"},
}


@dataclasses.dataclass(frozen=True)
class Request:
    format: str = "text"
    language: str | None = None
    task: str = "transcribe"
    word_timestamps: bool = False
    prompt: str | None = None


def parse_request(model: str, params: Mapping[str, Any]) -> Request:
    """`params` checked; a wrong one is an `InvalidInputError` saying how to fix it."""
    for name in params:
        if name not in PARAMETERS:
            close = difflib.get_close_matches(name, PARAMETERS, n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            raise InvalidInputError(f"{model} has no parameter {name!r}; {hint}it takes "
                                    f"{', '.join(PARAMETERS)}")
    request = Request(**{k: v for k, v in params.items() if v is not None})
    _choice("format", request.format, FORMATS)
    _choice("task", request.task, TASKS)
    if not isinstance(request.word_timestamps, bool):
        raise InvalidInputError(f"word_timestamps must be true or false, not "
                                f"{request.word_timestamps!r}")
    for name in ("language", "prompt"):
        value = getattr(request, name)
        if value is not None and not isinstance(value, str):
            raise InvalidInputError(f"{name} must be a string, not {value!r}")
    return request


def _choice(name: str, value: Any, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise InvalidInputError(f"{name} must be one of {', '.join(choices)}, not {value!r}")


def check_media(model: str, input: Any) -> Media:
    if not isinstance(input, Media) or input.kind not in ("audio", "video"):
        raise InvalidInputError(f"{model} takes Audio or Video, not {type(input).__name__}")
    return input


@contextlib.contextmanager
def upload(media: Media) -> Iterator[tuple[str, Any, str]]:
    """(file name, open binary file, content type) for a multipart upload; a file on disk
    is streamed from disk, never read whole."""
    if media.path is not None:
        path = Path(media.path)
        if not path.is_file():
            raise InvalidInputError(f"input file not found: {path}")
        with path.open("rb") as handle:
            yield path.name, handle, media.mime_type
        return
    with tempfile.TemporaryFile() as handle:
        handle.write(media.data)  # bytes in memory, or a URL read once
        handle.seek(0)
        yield f"audio{_suffix(media.mime_type)}", handle, media.mime_type


def _suffix(mime_type: str) -> str:
    return {"audio/mpeg": ".mp3", "audio/wav": ".wav", "audio/x-wav": ".wav",
            "audio/flac": ".flac", "audio/ogg": ".ogg", "video/mp4": ".mp4",
            "audio/mp4": ".m4a", "video/webm": ".webm", "audio/webm": ".webm"}.get(mime_type, "")
