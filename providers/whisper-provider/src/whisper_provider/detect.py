"""Which API a Whisper service speaks: `WHISPER_API`, else asked of the service itself.

Both servers are FastAPI apps, so `GET /openapi.json` lists their routes: `/asr` is
whisper-asr-webservice, `/v1/audio/transcriptions` an OpenAI-compatible server
(speaches, faster-whisper-server). OpenAI itself has no such document: with a key
and no answer there, the API is OpenAI's.
"""

from __future__ import annotations

from typing import Any

import httpx

from mediaconduit.sdk import ProviderUnavailableError
from whisper_provider.settings import ASR_WEBSERVICE, OPENAI, Settings


def detect_api(settings: Settings) -> str:
    """`asr-webservice` or `openai`; `ProviderUnavailableError` when nobody answers."""
    if settings.api:
        return settings.api
    if settings.base_url is None and settings.api_key:
        return OPENAI  # a key and no URL: OpenAI's own endpoint
    base = settings.url_for(None)
    paths = _openapi_paths(base, settings)
    if "/asr" in paths:
        return ASR_WEBSERVICE
    if "/v1/audio/transcriptions" in paths or settings.api_key:
        return OPENAI
    raise ProviderUnavailableError(
        f"{base} answers, but neither as whisper-asr-webservice (POST /asr) nor as an "
        "OpenAI-compatible server (POST /v1/audio/transcriptions); set WHISPER_API to "
        "asr-webservice or openai")


def _openapi_paths(base: str, settings: Settings) -> dict[str, Any]:
    try:
        response = httpx.get(f"{base}/openapi.json", timeout=settings.connect_timeout)
    except httpx.HTTPError as error:
        raise ProviderUnavailableError(
            f"cannot reach the Whisper service ({type(error).__name__}): "
            f"{settings.start_hint(None)}") from error
    try:
        body = response.json() if response.is_success else {}
    except ValueError:
        body = {}
    paths = body.get("paths") if isinstance(body, dict) else None
    return paths if isinstance(paths, dict) else {}
