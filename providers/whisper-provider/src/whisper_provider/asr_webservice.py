"""whisper-asr-webservice (ahmetoner), by hand with `mediaconduit.sdk.http`: it has no
Python client. `POST /asr` and `POST /detect-language`, multipart field `audio_file`;
every answer of `/asr` is `text/plain`, even `output=json`."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import httpx

from mediaconduit.sdk import (
    InvalidInputError,
    MediaConduitError,
    ProviderUnavailableError,
    RateLimitError,
)
from mediaconduit.sdk.hangup import track_calls
from mediaconduit.sdk.http import ErrorResponse, HTTPClient, RetryPolicy, Timeouts
from whisper_provider.request import Request
from whisper_provider.results import Transcript, from_json, from_subtitles, from_tsv
from whisper_provider.settings import ASR_WEBSERVICE, Settings


@dataclasses.dataclass(frozen=True)
class _Retry(RetryPolicy):
    """A 500 from `/asr` is an upload FFmpeg could not decode: no use sending it again."""

    def retries_status(self, status: int) -> bool:
        return status in (429, 502, 503, 504)


def client(settings: Settings) -> HTTPClient:
    """An HTTP client whose requests hang up when their call is cancelled."""
    transport = httpx.HTTPTransport()
    track_calls(transport)
    http = HTTPClient(settings.url_for(ASR_WEBSERVICE),
                      timeouts=Timeouts(connect=settings.connect_timeout, read=settings.timeout),
                      retry=_Retry(attempts=settings.max_retries + 1, backoff=0.05),
                      error_mapper=lambda e: map_error(e, settings), transport=transport)
    return http


def post_upload(http: HTTPClient, path: str, params: dict[str, Any],
                file: tuple[str, Any, str]) -> httpx.Response:
    """POST a multipart upload with the client's retries and typed errors.

    `HTTPClient.request` sends JSON only, so the request is built here with httpx's
    multipart encoder and sent through the client's own send path.
    """
    request = http.client.build_request("POST", path.lstrip("/"), params=params,
                                        files={"audio_file": file},
                                        timeout=http.timeouts.for_request())
    return http._send(request, None, stream=False)


def transcribe(http: HTTPClient, request: Request, file: tuple[str, Any, str]) -> Transcript:
    """`POST /asr`: json for plain text (segments, language), else the subtitle format."""
    output = "json" if request.format == "text" else request.format
    params: dict[str, Any] = {"encode": "true", "task": request.task, "output": output,
                              "word_timestamps": str(request.word_timestamps).lower()}
    if request.language:
        params["language"] = request.language
    if request.prompt:
        params["initial_prompt"] = request.prompt
    response = post_upload(http, "/asr", params, file)
    engine = response.headers.get("asr-engine")
    if output == "json":
        return from_json(_json(response.text), engine)
    return from_tsv(response.text, engine) if output == "tsv" else from_subtitles(
        response.text, engine)


def detect_language(http: HTTPClient, file: tuple[str, Any, str]) -> dict[str, Any]:
    """`POST /detect-language` -> {"detected_language", "language_code", "confidence"}."""
    body = _json(post_upload(http, "/detect-language", {"encode": "true"}, file).text)
    return {"language": body.get("language_code"), "language_name": body.get(
        "detected_language"), "confidence": body.get("confidence")}


def _json(text: str) -> dict[str, Any]:
    try:
        body = json.loads(text)
    except ValueError:
        raise ProviderUnavailableError(f"whisper-asr-webservice answered text that is not "
                                       f"JSON: {text[:200]!r}") from None
    if not isinstance(body, dict):
        raise ProviderUnavailableError(f"whisper-asr-webservice answered {text[:200]!r}")
    return body


def map_error(error: ErrorResponse, settings: Settings) -> MediaConduitError:
    """FastAPI's answers: 422 `{"detail": [...]}`, a bare 500, 404 for a missing route."""
    status, message = error.status, _detail(error)
    text = f"whisper-asr-webservice answered {status} to {error.path}: {message}"
    if status == 422:
        return InvalidInputError(text)
    if status == 500:
        return InvalidInputError(f"{text}; it answers 500 when FFmpeg cannot decode the upload "
                                 "(give it audio or video with a sound track)")
    if status == 404:
        return ProviderUnavailableError(
            f"{text}: {settings.url_for(ASR_WEBSERVICE)} is not whisper-asr-webservice; set "
            "WHISPER_API=openai for an OpenAI-compatible server")
    if status == 429:
        return RateLimitError(text, retry_after=error.retry_after)
    if status >= 500:
        return ProviderUnavailableError(text)
    return InvalidInputError(text)


def _detail(error: ErrorResponse) -> str:
    body = error.json()
    detail = body.get("detail") if isinstance(body, dict) else None
    if isinstance(detail, list):
        return "; ".join(f"{'.'.join(str(p) for p in d.get('loc', [])[1:])}: {d.get('msg')}"
                         for d in detail if isinstance(d, dict))
    if isinstance(detail, str):
        return detail
    return error.text.strip()[:300] or f"HTTP {error.status}"
