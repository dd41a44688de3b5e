"""The OpenAI-compatible `POST /v1/audio/transcriptions` (and `/translations`) through
the official `openai` client, pointed at the service's base URL."""

from __future__ import annotations

import re
from typing import Any

import httpx2  # the openai client's own httpx
import openai

from mediaconduit.sdk import (
    AuthenticationError,
    InvalidInputError,
    MediaConduitError,
    ModelNotFoundError,
    PaymentRequiredError,
    ProviderError,
    ProviderUnavailableError,
    RateLimitError,
)
from mediaconduit.sdk.hangup import track_calls
from mediaconduit.sdk.http import parse_retry_after
from whisper_provider.request import Request
from whisper_provider.results import Transcript, from_json, from_subtitles, language_code
from whisper_provider.settings import OPENAI, Settings

DEFAULT_MODEL = "whisper-1"
_MASKED_KEY = re.compile(r"\S{2,}\*{3,}\S*")  # OpenAI echoes a key as "sk-ab*****wxyz"


def client(settings: Settings) -> openai.OpenAI:
    """A client whose requests hang up when their call is cancelled."""
    transport = httpx2.HTTPTransport()
    track_calls(transport)
    api = openai.OpenAI(api_key=settings.api_key or "not-needed",
                        base_url=f"{settings.url_for(OPENAI)}/v1",
                        timeout=openai.Timeout(settings.timeout, connect=settings.connect_timeout),
                        max_retries=settings.max_retries,
                        http_client=openai.DefaultHttpxClient(transport=transport))
    return api


def transcribe(api: openai.OpenAI, model: str, request: Request,
               file: tuple[str, Any, str]) -> Transcript:
    """verbose_json for plain text (segments, language, words), else srt / vtt."""
    if request.format == "tsv":
        raise InvalidInputError("format tsv is whisper-asr-webservice's; the OpenAI API "
                                "makes text, srt or vtt")
    verbose = request.format == "text"
    kwargs: dict[str, Any] = {"model": model, "file": file,
                              "response_format": "verbose_json" if verbose else request.format}
    if request.prompt:
        kwargs["prompt"] = request.prompt
    if request.task == "translate":  # no language, no granularities: English, by segment
        return _parsed(api.audio.translations.create(**kwargs))
    if verbose:
        kwargs["timestamp_granularities"] = ["segment", "word"] if request.word_timestamps \
            else ["segment"]
    if request.language:
        kwargs["language"] = request.language
    return _parsed(api.audio.transcriptions.create(**kwargs))


def _parsed(result: Any) -> Transcript:
    if isinstance(result, str):
        return from_subtitles(result)
    body = result.model_dump() if hasattr(result, "model_dump") else dict(result)
    return from_json(body)


def detect_language(api: openai.OpenAI, model: str, file: tuple[str, Any, str]) -> dict[str, Any]:
    """The language verbose_json reports (the OpenAI API has no detection endpoint)."""
    result = api.audio.transcriptions.create(model=model, file=file,
                                             response_format="verbose_json")
    name = getattr(result, "language", None)
    return {"language": language_code(name), "language_name": name, "confidence": None}


def list_models(api: openai.OpenAI) -> list[str]:
    """The server's speech-to-text models (`GET /v1/models`, filtered by name)."""
    names = [m.id for m in api.models.list()]
    return [n for n in names if any(w in n.lower() for w in ("whisper", "transcribe"))]


def map_error(error: openai.OpenAIError, settings: Settings, model: str) -> MediaConduitError:
    """The typed error for anything the openai client raised (the key never shown)."""
    if isinstance(error, openai.APITimeoutError):
        return ProviderUnavailableError(f"the Whisper service at {settings.url_for(OPENAI)} "
                                        f"gave no answer within {settings.timeout:g} s")
    if isinstance(error, openai.APIConnectionError):
        return ProviderUnavailableError(f"cannot reach the Whisper service: "
                                        f"{settings.start_hint(OPENAI)}")
    if isinstance(error, openai.APIStatusError):
        return _status_error(error, settings, model)
    return ProviderError(f"openai client error: {_scrub(str(error), settings)}")


def _status_error(error: openai.APIStatusError, settings: Settings,
                  model: str) -> MediaConduitError:
    status, code, message = error.status_code, _code(error.body), _message(error, settings)
    text = f"the Whisper service answered {status}: {message}"
    if status in (401, 403):
        return AuthenticationError(f"{text} (set WHISPER_API_KEY / api_key)")
    if code == "insufficient_quota" or status == 402:
        return PaymentRequiredError(text)
    if status == 429:
        return RateLimitError(text, retry_after=parse_retry_after(
            error.response.headers.get("retry-after")))
    if status == 404 and (code == "model_not_found" or "model" in message.lower()):
        return ModelNotFoundError(model, text)
    if status == 404:
        return ProviderUnavailableError(f"{text}: {settings.url_for(OPENAI)} has no "
                                        "/v1/audio/transcriptions; set WHISPER_API=asr-webservice "
                                        "for whisper-asr-webservice")
    return ProviderUnavailableError(text) if status >= 500 else InvalidInputError(text)


def _code(body: Any) -> str | None:
    inner = body.get("error", body) if isinstance(body, dict) else None
    return inner.get("code") if isinstance(inner, dict) else None


def _message(error: openai.APIStatusError, settings: Settings) -> str:
    body = error.body
    inner = body.get("error", body) if isinstance(body, dict) else None
    message = None
    if isinstance(inner, dict):
        message = inner.get("message") or inner.get("detail")
    elif isinstance(body, dict):
        message = body.get("detail")
    return _scrub(str(message or error.message), settings)


def _scrub(text: str, settings: Settings) -> str:
    if settings.api_key:
        text = text.replace(settings.api_key, "***")
    return _MASKED_KEY.sub("***", text)
