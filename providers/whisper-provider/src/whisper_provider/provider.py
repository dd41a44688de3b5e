"""`WhisperProvider` and `WhisperModel`: speech to text through a Whisper service."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any

import openai

from mediaconduit.sdk import (
    Asset,
    Cost,
    MediaConduitError,
    Model,
    ModelInfo,
    ModelNotFoundError,
    Provider,
    ProviderUnavailableError,
    Text,
    Usage,
)
from mediaconduit.sdk.http import HTTPClient
from whisper_provider import asr_webservice, openai_api
from whisper_provider.detect import detect_api
from whisper_provider.request import PARAMETERS, check_media, parse_request, upload
from whisper_provider.results import Transcript
from whisper_provider.settings import ASR_WEBSERVICE, OPENAI, OPENAI_CLOUD_URL, load_settings

TRANSCRIBE, DETECT = "whisper", "detect-language"
#: OpenAI's list price for whisper-1 and its kin, per minute of audio
CLOUD_PRICE_PER_MINUTE = {"whisper-1": Decimal("0.006"), "gpt-4o-transcribe": Decimal("0.006"),
                          "gpt-4o-mini-transcribe": Decimal("0.003")}


class WhisperProvider(Provider):
    """Settings: WHISPER_BASE_URL, WHISPER_API, WHISPER_API_KEY (or `base_url`, `api`,
    `api_key` in config); config only: `model`, `timeout`, `connect_timeout`,
    `max_retries`. Constructing it does no I/O; the API is detected on first use."""

    def __init__(self, config: Mapping[str, Any] | None = None,
                 env: Mapping[str, str] | None = None) -> None:
        super().__init__(config, env)
        self.settings = load_settings(self.config, self.env)
        self._api: str | None = self.settings.api
        self._lock = threading.Lock()

    @property
    def api(self) -> str:
        """`asr-webservice` or `openai` (detected once)."""
        with self._lock:
            if self._api is None:
                self._api = detect_api(self.settings)
            return self._api

    @property
    def base_url(self) -> str:
        return self.settings.url_for(self.api)

    def discover_models(self) -> list[ModelInfo]:
        names: list[str] = []
        if self.api == OPENAI:
            with self.openai_client() as api, self.openai_errors(""):
                names = openai_api.list_models(api)
        return [model_info(TRANSCRIBE, self.api), model_info(DETECT, self.api)] + [
            model_info(name, self.api) for name in names if name not in (TRANSCRIBE, DETECT)]

    def get_model(self, model_id: str) -> Model:
        if model_id in (TRANSCRIBE, DETECT) or self.api == OPENAI:
            return WhisperModel(model_info(model_id, self._api or "unknown"), self)
        raise ModelNotFoundError(model_id, f"whisper-asr-webservice serves the models "
                                           f"{TRANSCRIBE!r} and {DETECT!r}, not {model_id!r}")

    def upstream_model(self, model_id: str) -> str:
        """The model id sent to an OpenAI-compatible server."""
        if model_id in (TRANSCRIBE, DETECT):
            return self.settings.model or openai_api.DEFAULT_MODEL
        return model_id

    @contextlib.contextmanager
    def openai_client(self) -> Iterator[openai.OpenAI]:
        api = openai_api.client(self.settings)  # a cancelled call hangs up on the service
        try:
            yield api
        finally:
            api.close()

    @contextlib.contextmanager
    def asr_client(self) -> Iterator[HTTPClient]:
        """A client for one call; an unreachable service says how to start it."""
        http = asr_webservice.client(self.settings)  # a cancelled call hangs up on it
        try:
            yield http
        except ProviderUnavailableError as error:
            if not str(error).startswith("cannot reach"):
                raise
            raise ProviderUnavailableError(
                f"{error}; {self.settings.start_hint(ASR_WEBSERVICE)}") from None
        finally:
            http.close()

    @contextlib.contextmanager
    def openai_errors(self, model: str) -> Iterator[None]:
        try:
            yield
        except openai.OpenAIError as error:
            raise openai_api.map_error(error, self.settings, model) from None

    def health(self) -> dict[str, Any]:
        try:
            return {"ok": True, "api": self.api, "base_url": self.base_url}
        except MediaConduitError as error:
            return {"ok": False, "error": str(error)}


class WhisperModel(Model):
    provider: WhisperProvider

    def transform(self, input: Asset, **params: Any) -> Text:
        media = check_media(self.id, input)
        if self.id == DETECT:
            with upload(media) as file:
                return _language_text(self._detect(file))
        request = parse_request(self.id, params)
        with upload(media) as file:
            transcript = self._transcribe(request, file)
        return self._text(transcript, request.format)

    def _transcribe(self, request: Any, file: tuple[str, Any, str]) -> Transcript:
        provider = self.provider
        if provider.api == ASR_WEBSERVICE:
            with provider.asr_client() as http:
                return asr_webservice.transcribe(http, request, file)
        model = provider.upstream_model(self.id)
        with provider.openai_client() as api, provider.openai_errors(model):
            return openai_api.transcribe(api, model, request, file)

    def _detect(self, file: tuple[str, Any, str]) -> dict[str, Any]:
        provider = self.provider
        if provider.api == ASR_WEBSERVICE:
            with provider.asr_client() as http:
                return asr_webservice.detect_language(http, file)
        model = provider.upstream_model(self.id)
        with provider.openai_client() as api, provider.openai_errors(model):
            return openai_api.detect_language(api, model, file)

    def _text(self, transcript: Transcript, fmt: str) -> Text:
        usage = Usage(audio_seconds=transcript.duration, requests=1)
        return Text(transcript.text, metadata=transcript.metadata(self.provider.api, fmt),
                    usage=usage, cost=self._cost(transcript.duration))

    def _cost(self, seconds: float | None) -> Cost:
        if self.provider.base_url != OPENAI_CLOUD_URL:
            return Cost(usd=Decimal(0))  # a service of one's own
        price = CLOUD_PRICE_PER_MINUTE.get(self.provider.upstream_model(self.id))
        if price is None or seconds is None:
            return Cost(usd=None)
        return Cost(usd=(price * Decimal(str(seconds)) / 60).quantize(Decimal("0.000001")),
                    estimated=True)


def _language_text(found: dict[str, Any]) -> Text:
    return Text(str(found.get("language") or ""), metadata=found, usage=Usage(requests=1),
                cost=Cost(usd=Decimal(0)))


def model_info(model_id: str, api: str) -> ModelInfo:
    """A speech-to-text model (or the language detector) of the service."""
    if model_id == DETECT:
        return ModelInfo(id=DETECT, name="Whisper language detection",
                         capabilities=("audio-to-text", "video-to-text"),
                         tasks=("x-language-identification",), pricing={"request": "0"},
                         free=True, metadata={"api": api},
                         description="The spoken language, as a whisper code (metadata: "
                                     "name, confidence).")
    name = "Whisper (the service's model)" if model_id == TRANSCRIBE else model_id
    return ModelInfo(id=model_id, name=name, capabilities=("audio-to-text", "video-to-text"),
                     tasks=("automatic-speech-recognition",), pricing={"request": "0"},
                     free=True, parameters=PARAMETERS, metadata={"api": api},
                     description="Speech to text with segments, language and (optionally) "
                                 "word timings; srt / vtt subtitles as format.")
