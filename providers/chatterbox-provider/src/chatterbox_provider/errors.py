"""The two servers' error answers as typed SDK errors.

devnen answers `{"detail": "<string>"}` (its `ErrorResponse`): 400 bad parameters,
404 a voice or reference file that is not there, 500 a failed generation, 503 the
model not loaded. travisvn's handler puts the detail dict at the top level,
`{"error": {"message", "type"}}` (`invalid_request_error`, `validation_error`,
`model_error`, `generation_error`, `voice_exists_error`, `internal_error`, ...);
some paths answer the same inside `{"detail": ...}`. Both answer FastAPI's 422
`{"detail": [{"loc", "msg", ...}]}` for a body that does not fit the schema.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mediaconduit.sdk import (
    InvalidInputError,
    MediaConduitError,
    ProviderUnavailableError,
    RateLimitError,
)
from mediaconduit.sdk.http import ErrorResponse

#: travisvn error types that mean the server, not the request, is at fault
SERVER_TYPES = ("model_error", "generation_error", "internal_error", "voice_library_error",
                "file_processing_error")


def map_error(response: ErrorResponse) -> MediaConduitError:
    """The `error_mapper` of the provider's HTTP client."""
    kind, message = error_detail(response.json(), response.text)
    text = f"Chatterbox answered {response.status} to {response.method} {response.path}: {message}"
    if response.status == 429:
        return RateLimitError(text, retry_after=response.retry_after)
    if response.status >= 500 or kind in SERVER_TYPES:
        return ProviderUnavailableError(text)
    return InvalidInputError(text)


def error_detail(body: Any, text: str = "") -> tuple[str, str]:
    """(error type, message) from any of the bodies above."""
    if isinstance(body, Mapping):
        inner = body.get("error", body.get("detail"))
        if isinstance(inner, Mapping) and "error" in inner:
            inner = inner["error"]
        if isinstance(inner, Mapping):
            return str(inner.get("type") or ""), str(inner.get("message") or inner)
        if isinstance(inner, list):
            return "validation_error", "; ".join(_field_problem(item) for item in inner)
        if isinstance(inner, str):
            return "", inner
    return "", text.strip()[:300] or "no details"


def _field_problem(item: Any) -> str:
    if not isinstance(item, Mapping):
        return str(item)
    where = ".".join(str(part) for part in item.get("loc") or [] if part != "body")
    return f"{where}: {item.get('msg', item)}" if where else str(item.get("msg", item))
