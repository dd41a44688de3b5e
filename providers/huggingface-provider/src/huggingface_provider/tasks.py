"""The task API (`POST {router}/hf-inference/models/{id}`): one function per task.

- text-to-image: JSON `{"inputs": prompt, "parameters": {...}}` -> raw image bytes.
- text-to-speech: JSON `{"inputs": text}` -> raw audio bytes (`audio/flac`, ...).
- automatic-speech-recognition: the raw audio as the body (JSON with base64
  `inputs` when there are parameters) -> `{"text": ..., "chunks"?: [...]}`.
- image-to-text: the raw image as the body -> `[{"generated_text": ...}]`.

Raw answers are streamed into a file in the call's output folder. Each result
carries the router's `x-request-id` and HTTP status in its metadata, and its usage:
images made, characters read, audio seconds (of WAV audio, in or out), compute
seconds when the router reports `x-compute-time`.
"""

from __future__ import annotations

import base64
import contextlib
import io
import os
import tempfile
import wave
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import httpx

from huggingface_provider.client import RouterClient, patiently
from huggingface_provider.settings import Settings
from mediaconduit.sdk import (
    Audio,
    Image,
    InvalidInputError,
    Media,
    ProviderUnavailableError,
    Text,
    Usage,
    extension_for,
    output_dir,
)
from mediaconduit.sdk.hangup import hang_up_on_cancel
from mediaconduit.sdk.http import iter_chunks, json_body


class Call:
    """One task call of one model: the client, the settings and where to post."""

    def __init__(self, http: RouterClient, settings: Settings, model_id: str) -> None:
        self.http = http
        self.settings = settings
        self.model_id = model_id
        self.path = f"hf-inference/models/{model_id}"

    def headers(self, **extra: str) -> dict[str, str]:
        return {**self.settings.auth_headers(), **extra}

    def json(self, body: Mapping[str, Any]) -> tuple[Any, httpx.Response]:
        response = patiently(self.settings, self.model_id, lambda: self.http.request(
            "POST", self.path, json=dict(body), headers=self.headers()))
        return json_body(response), response

    def raw(self, media: Media) -> tuple[Any, httpx.Response]:
        headers = self.headers(**{"Content-Type": media.mime_type})
        response = patiently(self.settings, self.model_id, lambda: self.http.send_bytes(
            "POST", self.path, media.data, headers=headers))
        return json_body(response), response

    def to_file(self, body: Mapping[str, Any], accept: str) -> tuple[Path, str, httpx.Response]:
        """POST `body`; the raw answer streamed into a new file: (path, MIME type, response)."""
        def attempt() -> tuple[Path, str, httpx.Response]:
            with self.http.stream("POST", self.path, json=dict(body),
                                  headers=self.headers(Accept=accept)) as response:
                hang_up_on_cancel(response)
                mime = self._media_type(response)
                return write_file(iter_chunks(response), mime), mime, response
        return patiently(self.settings, self.model_id, attempt)

    def _media_type(self, response: httpx.Response) -> str:
        mime = (response.headers.get("content-type") or "").split(";")[0].strip()
        if mime.startswith(("application/json", "text/")):
            response.read()
            raise ProviderUnavailableError(f"Hugging Face answered {self.model_id} with "
                                           f"{mime}, not media: {response.text[:200]}")
        return mime or "application/octet-stream"


def text_to_image(call: Call, input: Any, params: Mapping[str, Any]) -> Image:
    path, mime, response = call.to_file(_json_inputs(text_of(input), params), "image/png")
    usage = Usage(images=1, requests=1, compute_seconds=compute_seconds(response))
    return Image.from_path(path, mime, usage=usage, **metadata(response, call))


def text_to_speech(call: Call, input: Any, params: Mapping[str, Any]) -> Audio:
    text = text_of(input)
    path, mime, response = call.to_file(_json_inputs(text, params), "audio/*")
    usage = Usage(characters=len(text), requests=1, audio_seconds=wav_seconds(path.read_bytes()
                  if mime in ("audio/wav", "audio/x-wav") else b""),
                  compute_seconds=compute_seconds(response))
    return Audio.from_path(path, mime, usage=usage, **metadata(response, call))


def speech_recognition(call: Call, input: Any, params: Mapping[str, Any]) -> Text:
    audio = media_of(input, Audio, "automatic-speech-recognition")
    if params:
        body, response = call.json({"inputs": _b64(audio), "parameters": dict(params)})
    else:
        body, response = call.raw(audio)
    if not isinstance(body, Mapping) or not isinstance(body.get("text"), str):
        raise ProviderUnavailableError(f"{call.model_id} answered without text: {body!r:.200}")
    usage = Usage(requests=1, audio_seconds=wav_seconds(audio.data),
                  compute_seconds=compute_seconds(response))
    meta = metadata(response, call)
    if body.get("chunks"):
        meta["chunks"] = body["chunks"]
    return Text(body["text"], metadata=meta, usage=usage)


def image_to_text(call: Call, input: Any, params: Mapping[str, Any]) -> Text:
    image = media_of(input, Image, "image-to-text")
    if params:
        body, response = call.json({"inputs": _b64(image), "parameters": dict(params)})
    else:
        body, response = call.raw(image)
    first = body[0] if isinstance(body, list) and body else body
    text = first.get("generated_text") if isinstance(first, Mapping) else None
    if not isinstance(text, str):
        raise ProviderUnavailableError(f"{call.model_id} answered without generated_text: "
                                       f"{body!r:.200}")
    usage = Usage(requests=1, compute_seconds=compute_seconds(response))
    return Text(text, metadata=metadata(response, call), usage=usage)


def _json_inputs(text: str, params: Mapping[str, Any]) -> dict[str, Any]:
    return {"inputs": text, **({"parameters": dict(params)} if params else {})}


def _b64(media: Media) -> str:
    return base64.b64encode(media.data).decode("ascii")


def text_of(input: Any) -> str:
    text = input if isinstance(input, str) else getattr(input, "text", None)
    if not isinstance(text, str) or not text.strip():
        raise InvalidInputError("this task takes a non-empty Text input")
    return text


def media_of(input: Any, kind: type[Media], task: str) -> Media:
    if not isinstance(input, kind):
        raise InvalidInputError(f"{task} takes {kind.__name__} input, not "
                                f"{type(input).__name__}")
    if input.path is None and input.inline is None and input.url is None:
        raise InvalidInputError(f"the {kind.__name__} input has no file, bytes or URL")
    return input


def metadata(response: httpx.Response, call: Call) -> dict[str, Any]:
    headers = response.headers
    return {"request_id": headers.get("x-request-id"), "status": response.status_code,
            "model": call.model_id, "compute_type": headers.get("x-compute-type")}


def compute_seconds(response: httpx.Response) -> float | None:
    try:
        return float(response.headers["x-compute-time"])
    except (KeyError, ValueError):
        return None


def wav_seconds(data: bytes) -> float | None:
    """The length of WAV audio, else None (other formats are not measured)."""
    if not data.startswith(b"RIFF"):
        return None
    with contextlib.suppress(wave.Error, EOFError), wave.open(io.BytesIO(data)) as audio:
        return audio.getnframes() / float(audio.getframerate())
    return None


def write_file(chunks: Iterator[bytes], mime_type: str) -> Path:
    fd, name = tempfile.mkstemp(prefix="hf-", suffix=extension_for(mime_type), dir=output_dir())
    with os.fdopen(fd, "wb") as file:
        for chunk in chunks:
            file.write(chunk)
    return Path(name)
