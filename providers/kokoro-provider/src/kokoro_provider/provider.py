"""`KokoroProvider` and `KokoroModel`."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import openai

from kokoro_provider.errors import map_error
from kokoro_provider.settings import load_settings
from kokoro_provider.speech import speech_request, synthesize
from kokoro_provider.voices import mix_names, parse_voices, unknown_voice
from mediaconduit.sdk import Audio, Model, ModelInfo, ModelNotFoundError, Provider

#: the model ids Kokoro-FastAPI accepts (`openai_mappings.json`); all are the one Kokoro 82M
MODEL_IDS = ("kokoro", "tts-1", "tts-1-hd", "gpt-4o-mini-tts")


class KokoroProvider(Provider):
    """Text to speech through a Kokoro-FastAPI server. Constructing it does no I/O."""

    def __init__(
        self, config: Mapping[str, Any] | None = None, env: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(config, env)
        self.settings = load_settings(self.config, self.env)
        self.client = openai.OpenAI(
            api_key="not-needed", base_url=self.settings.api_url,
            timeout=openai.Timeout(self.settings.timeout, connect=self.settings.connect_timeout),
            max_retries=self.settings.max_retries,
        )
        self._voices: list[str] | None = None
        self._lock = threading.Lock()

    @contextmanager
    def errors(self, model_id: str = "") -> Iterator[None]:
        """Turn what the openai client raises into typed SDK errors."""
        try:
            yield
        except openai.OpenAIError as error:
            raise map_error(error, self.settings, model_id) from None

    def voices(self, refresh: bool = False) -> list[str]:
        """The server's voices (`GET /v1/audio/voices`, either shape), fetched once."""
        with self._lock:
            if self._voices is None or refresh:
                with self.errors():
                    body = self.client.get("/audio/voices", cast_to=object)
                self._voices = parse_voices(body)
            return list(self._voices)

    def check_voice(self, voice: str) -> None:
        """An `InvalidInputError` with close matches for a voice the server lacks."""
        known = self.voices()
        for name in mix_names(voice):
            if name not in known:
                raise unknown_voice(name, known)

    def discover_models(self) -> list[ModelInfo]:
        """The models `GET /v1/models` lists, each with the voices in its metadata."""
        with self.errors():
            listed = [m.id for m in self.client.models.list()]
        voices = self.voices(refresh=True)
        return [model_info(model_id, voices) for model_id in listed]

    def get_model(self, model_id: str) -> KokoroModel:
        if model_id not in MODEL_IDS:
            raise ModelNotFoundError(
                model_id, f"Kokoro has no model {model_id!r}; its models: {', '.join(MODEL_IDS)}")
        return KokoroModel(model_info(model_id, self._voices or []), self)

    def health(self) -> dict[str, Any]:
        """Whether the server answers, and how many voices it has."""
        try:
            voices = self.voices(refresh=True)
        except Exception as error:
            return {"ok": False, "base_url": self.settings.base_url, "error": str(error)}
        return {"ok": True, "base_url": self.settings.base_url, "voices": len(voices)}

    def close(self) -> None:
        self.client.close()


class KokoroModel(Model):
    provider: KokoroProvider

    def transform(self, input: Any, **params: Any) -> Audio:
        """Speak `input` (Text): `voice`, `speed`, `response_format` (or `format`), and
        Kokoro's `lang_code`, `volume_multiplier`, `normalization_options`."""
        request = speech_request(input, params, self.provider.settings)
        with self.provider.errors(self.id):
            return synthesize(self.provider.client, self.id, request)


def model_info(model_id: str, voices: list[str]) -> ModelInfo:
    """One Kokoro model: text in, audio out, free; its voices in metadata and parameters."""
    voice: dict[str, Any] = {"type": "string", "default": "af_heart",
                             "description": "a voice, or a mix such as af_bella(2)+af_sky(1)"}
    if voices:
        voice["examples"] = voices
    return ModelInfo(
        id=model_id, name="Kokoro 82M" if model_id == "kokoro" else f"Kokoro 82M (as {model_id})",
        capabilities=("text-to-audio",), tasks=("text-to-speech",), pricing={"request": "0"},
        free=True, metadata={"voices": voices},
        parameters={
            "voice": voice,
            "speed": {"type": "number", "minimum": 0.25, "maximum": 4.0, "default": 1.0},
            "response_format": {"type": "string", "default": "mp3",
                                "enum": ["mp3", "opus", "aac", "flac", "wav", "pcm"]},
        },
    )
