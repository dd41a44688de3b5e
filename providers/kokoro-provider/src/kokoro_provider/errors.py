"""Kokoro-FastAPI's error answers, as the openai client raises them, as typed SDK errors.

The server raises FastAPI `HTTPException`s with a dict detail:
`{"detail": {"error": "validation_error", "message": "...", "type": "invalid_request_error"}}`
(400 `validation_error` / `invalid_model`, 403 `permission_denied`, 404
`model_not_found` / `not_found`, 500 `processing_error` / `server_error`), and
FastAPI's own 422 `{"detail": [{"loc": [...], "msg": "..."}]}` for a body that
does not fit the schema.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import openai

from kokoro_provider.settings import Settings
from kokoro_provider.voices import missing_voice, unknown_voice
from mediaconduit.sdk import (
    InvalidInputError,
    MediaConduitError,
    ModelNotFoundError,
    ProviderError,
    ProviderUnavailableError,
    RateLimitError,
)


def map_error(error: openai.OpenAIError, settings: Settings, model_id: str) -> MediaConduitError:
    """The typed error for anything the openai client raised."""
    if isinstance(error, openai.APITimeoutError):
        return ProviderUnavailableError(
            f"Kokoro at {settings.base_url} gave no answer within {settings.timeout:g} s")
    if isinstance(error, openai.APIConnectionError):
        return ProviderUnavailableError(f"cannot reach Kokoro: {settings.start_hint()}")
    if isinstance(error, openai.APIStatusError):
        return status_error(error.status_code, error.body, model_id)
    return ProviderError(f"Kokoro client error: {error}")


def status_error(status: int, body: Any, model_id: str) -> MediaConduitError:
    """The typed error for one error answer (`body` is its JSON, or its text)."""
    code, message = detail(body)
    text = f"Kokoro answered {status}: {message}"
    if code in ("invalid_model", "model_not_found"):
        return ModelNotFoundError(model_id, f"{text} (its models: kokoro, tts-1, tts-1-hd, "
                                            "gpt-4o-mini-tts)")
    found = missing_voice(message)
    if status == 400 and found is not None:
        return unknown_voice(found[0], found[1])
    return _by_status(status)(text)


def _by_status(status: int) -> Callable[[str], MediaConduitError]:
    if status == 429:
        return RateLimitError
    if status == 404:
        return lambda text: ModelNotFoundError("", text)
    if 400 <= status < 500:
        return InvalidInputError
    return ProviderUnavailableError


def detail(body: Any) -> tuple[str, str]:
    """(error code, message) from `{"detail": ...}` in any of its shapes."""
    value = body.get("detail", body) if isinstance(body, Mapping) else body
    if isinstance(value, Mapping):
        return str(value.get("error") or ""), str(value.get("message") or value)
    if isinstance(value, list):
        return "validation_error", "; ".join(_field_problem(item) for item in value)
    return "", str(value or "no details")


def _field_problem(item: Any) -> str:
    if not isinstance(item, Mapping):
        return str(item)
    where = ".".join(str(part) for part in item.get("loc") or [] if part != "body")
    return f"{where}: {item.get('msg', item)}" if where else str(item.get("msg", item))
