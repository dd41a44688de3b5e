"""devnen/Chatterbox-TTS-Server: `POST /tts` (every parameter) or `POST /v1/audio/speech`.

Voices are the files of its predefined-voices folder (`GET /get_predefined_voices`);
a voice to clone is uploaded with `POST /upload_reference` (multipart `files`) and
then named by `reference_audio_filename` with `voice_mode: clone`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from chatterbox_provider.backend import Backend, Spoken
from chatterbox_provider.request import DEVNEN_EXTRAS, Reference, SpeechRequest
from chatterbox_provider.transport import download
from mediaconduit.sdk import InvalidInputError

FORMATS = {"wav": "audio/wav", "opus": "audio/opus", "mp3": "audio/mp3"}
DEFAULT_VOICE = "Emily.wav"  # the server's own config.yaml default_voice_id


class Devnen(Backend):
    api = "devnen"

    def list_voices(self) -> list[str]:
        listed = self.transport.get("get_predefined_voices")
        return [str(v["filename"]) for v in listed if isinstance(v, dict) and v.get("filename")]

    def server_facts(self) -> dict[str, Any]:
        info = self.transport.get("api/model-info")
        return {"server_model": info.get("type"), "device": info.get("device"),
                "sample_rate": info.get("sample_rate")} if isinstance(info, dict) else {}

    def speak(self, request: SpeechRequest, target: Path) -> Spoken:
        if request.response_format not in FORMATS:
            raise InvalidInputError(f"devnen's server makes {', '.join(FORMATS)}, not "
                                    f"{request.response_format!r}")
        if request.reference is not None:
            mode, voice = "clone", self.upload(request.reference)
        else:
            mode, voice = "predefined", self.resolve_voice(request.voice or self.default_voice())
        path, body = self.body(request, mode, voice)
        with self.transport.stream(path, json=body) as response:
            written = download(response, target)
            mime = response.headers.get("content-type", FORMATS[request.response_format])
        return Spoken(written, mime.split(";")[0],
                      {"voice": voice, "voice_mode": mode, "route": self.route})

    def default_voice(self) -> str:
        voices = self.voices()
        return DEFAULT_VOICE if DEFAULT_VOICE in voices or not voices else voices[0]

    def body(self, request: SpeechRequest, mode: str, voice: str) -> tuple[str, dict[str, Any]]:
        if self.route == "openai":
            return "v1/audio/speech", self._openai_body(request, voice)
        named = "reference_audio_filename" if mode == "clone" else "predefined_voice_id"
        extras = {k: v for k, v in request.extras.items() if k in DEVNEN_EXTRAS}
        return "tts", {"text": request.text, "voice_mode": mode, named: voice,
                       "output_format": request.response_format, **request.controls, **extras}

    def _openai_body(self, request: SpeechRequest, voice: str) -> dict[str, Any]:
        if request.controls:
            raise InvalidInputError(
                f"devnen's /v1/audio/speech takes no {', '.join(request.controls)}: "
                "use config route='tts' (the default) for them")
        body = {"model": "chatterbox", "input": request.text, "voice": voice,
                "response_format": request.response_format}
        if "seed" in request.extras:
            body["seed"] = request.extras["seed"]
        return body

    def upload(self, reference: Reference) -> str:
        """Upload the voice to clone (once per content: the name is its hash)."""
        if reference.filename.rsplit(".", 1)[-1] not in ("wav", "mp3"):
            raise InvalidInputError(f"devnen takes WAV or MP3 voices to clone, not "
                                    f"{reference.mime_type}")
        answer = self.transport.post_form(
            "upload_reference", {},
            {"files": (reference.filename, reference.data, reference.mime_type)})
        if reference.filename not in (answer.get("uploaded_files") or []):
            raise InvalidInputError(f"devnen refused the voice to clone: {answer.get('errors')}")
        return reference.filename
