"""`ChatterboxProvider` and `ChatterboxModel`."""

from __future__ import annotations

import os
import tempfile
import threading
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

from chatterbox_provider.backend import Backend, Spoken
from chatterbox_provider.detect import backend_for
from chatterbox_provider.request import SpeechRequest, speech_request
from chatterbox_provider.settings import load_settings
from mediaconduit.sdk import (
    Audio,
    Cost,
    Model,
    ModelInfo,
    ModelNotFoundError,
    Provider,
    Usage,
    output_dir,
    report_progress,
)

MODEL_ID = "chatterbox"
MIME_TYPES = {"audio/mp3": "audio/mpeg", "audio/x-wav": "audio/wav"}
SUFFIXES = {"wav": ".wav", "mp3": ".mp3", "opus": ".opus"}


class ChatterboxProvider(Provider):
    """Chatterbox through devnen's or travisvn's server. Constructing it does no I/O:
    the server is found (and its kind detected) on first use."""

    def __init__(
        self, config: Mapping[str, Any] | None = None, env: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(config, env)
        self.settings = load_settings(self.config, self.env)
        self._backend: Backend | None = None
        self._lock = threading.Lock()

    @property
    def backend(self) -> Backend:
        """The server's backend, found on first use."""
        with self._lock:
            if self._backend is None:
                self._backend = backend_for(self.settings)
            return self._backend

    def voices(self, refresh: bool = False) -> list[str]:
        return self.backend.voices(refresh)

    def discover_models(self) -> list[ModelInfo]:
        backend = self.backend
        facts = {"api": backend.api, "base_url": backend.transport.base_url,
                 **backend.server_facts()}
        return [model_info(backend.voices(refresh=True), facts)]

    def get_model(self, model_id: str) -> ChatterboxModel:
        if model_id != MODEL_ID:
            raise ModelNotFoundError(model_id, f"Chatterbox has one model, {MODEL_ID!r} (the "
                                               f"server's loaded model), not {model_id!r}")
        return ChatterboxModel(model_info([], {}), self)

    def health(self) -> dict[str, Any]:
        try:
            backend = self.backend
            voices = backend.voices(refresh=True)
        except Exception as error:
            return {"ok": False, "error": str(error)}
        return {"ok": True, "api": backend.api, "base_url": backend.transport.base_url,
                "voices": len(voices)}

    def close(self) -> None:
        if self._backend is not None:
            self._backend.transport.close()


class ChatterboxModel(Model):
    provider: ChatterboxProvider

    def transform(self, input: Any, **params: Any) -> Audio:
        """Speak `input` (Text): `voice`, or `reference` (an Audio, or its path, to clone);
        `exaggeration`, `cfg_weight`, `temperature`; `response_format`; server extras."""
        request = speech_request(input, params, self.provider.settings.voice)
        backend = self.provider.backend
        target = _new_file(request.response_format)
        try:
            spoken = backend.speak(request, target)
        except BaseException:
            target.unlink(missing_ok=True)
            raise
        report_progress(1.0, f"{spoken.written} bytes of audio")
        return _audio(target, request, spoken, backend.api)


def _audio(target: Path, request: SpeechRequest, spoken: Spoken, api: str) -> Audio:
    usage = Usage(characters=len(request.text), audio_seconds=spoken.audio_seconds)
    return Audio.from_path(
        target, MIME_TYPES.get(spoken.mime_type, spoken.mime_type), usage=usage,
        cost=Cost(usd=Decimal(0)), api=api, format=request.response_format,
        bytes=spoken.written, **request.controls, **spoken.facts,
    )


def _new_file(fmt: str) -> Path:
    fd, name = tempfile.mkstemp(prefix="speech-", suffix=SUFFIXES.get(fmt, f".{fmt}"),
                                dir=output_dir())
    os.close(fd)
    return Path(name)


def model_info(voices: list[str], facts: Mapping[str, Any]) -> ModelInfo:
    """The one model: text in, audio out, free; the server's voices and facts in metadata."""
    return ModelInfo(
        id=MODEL_ID, name="Chatterbox", capabilities=("text-to-audio",),
        tasks=("text-to-speech",), pricing={"request": "0"}, free=True,
        metadata={"voices": voices, **facts},
        parameters={
            "voice": {"type": "string", "examples": voices},
            "reference": {"type": "string", "description": "path or URL of a voice to clone"},
            "exaggeration": {"type": "number", "minimum": 0.25, "maximum": 2.0},
            "cfg_weight": {"type": "number", "minimum": 0.0, "maximum": 1.0},
            "temperature": {"type": "number", "minimum": 0.05, "maximum": 5.0},
            "response_format": {"type": "string", "enum": ["wav", "mp3", "opus"],
                                "default": "wav"},
        },
    )
