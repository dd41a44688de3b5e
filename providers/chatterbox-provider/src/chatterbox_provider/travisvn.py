"""travisvn/chatterbox-tts-api: `POST /v1/audio/speech`, WAV or server-sent events.

Voices are its voice library (`GET /voices`: names and aliases; OpenAI names such
as `alloy` mean its configured sample). A voice to clone goes with the request to
the upload route, `POST /v1/audio/speech/upload` (multipart, `voice_file`). With
`stream_format: "sse"` the answer is `speech.audio.info` (sample rate, channels,
bits), `speech.audio.delta` events of base64 16-bit PCM, and `speech.audio.done`
with token usage; the PCM is written to a WAV file as it arrives.
"""

from __future__ import annotations

import base64
import binascii
import json
from pathlib import Path
from typing import Any

import httpx

from chatterbox_provider.backend import Backend, Spoken
from chatterbox_provider.request import TRAVISVN_EXTRAS, SpeechRequest
from chatterbox_provider.transport import download
from chatterbox_provider.wav import WavWriter
from mediaconduit.sdk import InvalidInputError, ProviderUnavailableError, cancelled
from mediaconduit.sdk.http import iter_sse

OPENAI_VOICES = ("alloy", "echo", "fable", "onyx", "nova", "shimmer")


class Travisvn(Backend):
    api = "travisvn"

    def list_voices(self) -> list[str]:
        listed = self.transport.get("voices")
        voices = listed.get("voices") if isinstance(listed, dict) else None
        names: list[str] = []
        for voice in voices if isinstance(voices, list) else []:
            if isinstance(voice, dict) and voice.get("name"):
                names += [str(voice["name"]), *map(str, voice.get("aliases") or [])]
        return names

    def server_facts(self) -> dict[str, Any]:
        health = self.transport.get("health")
        return {"status": health.get("status"), "device": health.get("device"),
                "model_loaded": health.get("model_loaded")} if isinstance(health, dict) else {}

    def speak(self, request: SpeechRequest, target: Path) -> Spoken:
        if request.response_format != "wav":
            raise InvalidInputError(
                f"travisvn's server always answers WAV, not {request.response_format!r}: ask for "
                "wav (convert it with the ffmpeg provider's convert-audio)")
        fields = self.fields(request)
        voice = fields.get("voice", "default")
        if request.reference is None:
            stream = self.transport.stream("v1/audio/speech", json=fields)
        else:
            ref = request.reference
            form = {k: v if isinstance(v, str) else json.dumps(v) for k, v in fields.items()}
            stream = self.transport.stream("v1/audio/speech/upload", data=form,
                                           files={"voice_file": (ref.filename, ref.data,
                                                                 ref.mime_type)})
            voice = f"clone of {ref.filename}"
        with stream as response:
            return self._receive(response, target, {"voice": voice})

    def fields(self, request: SpeechRequest) -> dict[str, Any]:
        fields: dict[str, Any] = {"input": request.text, "stream_format": self.stream_format,
                                  **request.controls}
        fields.update((k, v) for k, v in request.extras.items() if k in TRAVISVN_EXTRAS)
        if request.voice and request.reference is None:
            fields["voice"] = self.resolve_voice(request.voice, OPENAI_VOICES)
        return fields

    def _receive(self, response: httpx.Response, target: Path, facts: dict[str, Any]) -> Spoken:
        facts["stream_format"] = self.stream_format
        if self.stream_format != "sse":
            return Spoken(download(response, target), "audio/wav", facts)
        seconds, usage = sse_to_wav(response, target)
        return Spoken(target.stat().st_size, "audio/wav", {**facts, "server_usage": usage}, seconds)


def sse_to_wav(response: httpx.Response, target: Path) -> tuple[float, dict[str, Any]]:
    """Write the PCM of a `speech.audio.*` event stream to a WAV; (seconds, usage)."""
    wav: WavWriter | None = None
    try:
        for event in iter_sse(response):
            data = _event(event.data)
            kind = data.get("type")
            if kind == "speech.audio.info":
                wav = WavWriter(target, int(data["sample_rate"]), int(data.get("channels", 1)),
                                int(data.get("bits_per_sample", 16)))
            elif kind == "speech.audio.delta":
                _require(wav).write(_pcm(data))
            elif kind == "speech.audio.done":
                return _require(wav).seconds, dict(data.get("usage") or {})
    except ProviderUnavailableError:
        if cancelled():
            raise ProviderUnavailableError("cancelled: the stream was closed") from None
        raise
    finally:
        if wav is not None:
            wav.close()
    raise ProviderUnavailableError("the travisvn event stream ended before speech.audio.done")


def _event(text: str) -> dict[str, Any]:
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise ProviderUnavailableError(f"travisvn sent an event that is not JSON: {text[:200]!r}")
    return data


def _pcm(data: dict[str, Any]) -> bytes:
    try:
        return base64.b64decode(str(data.get("audio", "")), validate=True)
    except binascii.Error:
        raise ProviderUnavailableError("travisvn sent a speech.audio.delta that is not "
                                       "base64") from None


def _require(wav: WavWriter | None) -> WavWriter:
    if wav is None:
        raise ProviderUnavailableError("travisvn sent audio before its speech.audio.info event")
    return wav
