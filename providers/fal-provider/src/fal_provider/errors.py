"""fal's error answers as typed SDK errors.

fal answers `{"detail": "..."}` (401, 400, 403, 404), FastAPI-style 422
`{"detail": [{"loc": [...], "msg": "...", "type": "..."}]}` from model apps, and a
404 may be `text/plain`. The `x-fal-request-id` header names the request. The
messages never carry the key: the SDK's HTTP client scrubs credential headers
from every error it raises, and the storage code scrubs its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fal_provider.settings import KEYS_URL
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
from mediaconduit.sdk.http import ErrorResponse

BILLING_URL = "https://fal.ai/dashboard/billing"
BALANCE_WORDS = ("balance", "locked", "billing", "credit")


def map_error(response: ErrorResponse) -> MediaConduitError:
    """The error for an HTTP error answer (the `error_mapper` of the provider's clients)."""
    where = _model_of(response.path)
    request_id = response.headers.get("x-fal-request-id")
    suffix = f" [fal request {request_id}]" if request_id else ""
    return error_for(response.status, detail(response), where, response.retry_after, suffix)


def error_for(
    status: int, text: str, model_id: str, retry_after: float | None = None, suffix: str = "",
) -> MediaConduitError:
    """The typed error for a fal status and message."""
    text = f"{text}{suffix}"
    if status == 429:
        return RateLimitError(f"fal rate limit for {model_id}: {text}", retry_after=retry_after)
    if status == 402 or (status == 403 and _about_money(text)):
        return PaymentRequiredError(f"fal refused {model_id} for billing ({status}: {text}); "
                                    f"top up at {BILLING_URL}")
    if status in (401, 403):
        return AuthenticationError(f"fal rejected the key ({status}: {text}); check FAL_KEY "
                                   f"(keys are at {KEYS_URL})")
    if status == 404:
        return ModelNotFoundError(model_id, f"fal has no app or request at {model_id!r}: {text}")
    if status == 408 or status >= 500:
        return ProviderUnavailableError(f"fal failed ({status}) on {model_id}: {text}")
    if 400 <= status < 500:
        return InvalidInputError(f"fal rejected the input of {model_id} ({status}): {text}")
    return ProviderError(f"fal error ({status}) on {model_id}: {text}")


def detail(response: ErrorResponse) -> str:
    """The `detail` of the body (a string, or 422's list of field errors), else its text."""
    body = response.json()
    value = body.get("detail") if isinstance(body, Mapping) else None
    if isinstance(value, list):
        return "; ".join(field_error(item) for item in value) or response.message()
    if isinstance(value, str) and value:
        return value
    return response.text.strip()[:300] or f"HTTP {response.status}"


def field_error(item: Any) -> str:
    """One FastAPI validation error: `body.prompt: field required (missing)`."""
    if not isinstance(item, Mapping):
        return str(item)
    loc = ".".join(str(part) for part in item.get("loc") or [])
    kind = f" ({item['type']})" if item.get("type") else ""
    return f"{loc or 'input'}: {item.get('msg') or 'invalid'}{kind}"


def _about_money(text: str) -> bool:
    lowered = text.lower()
    return any(word in lowered for word in BALANCE_WORDS)


def _model_of(path: str) -> str:
    """`/fal-ai/flux/requests/abc/status` -> `fal-ai/flux`; `/fal-ai/flux/dev` as is."""
    parts = [p for p in path.split("/") if p]
    if "requests" in parts:
        parts = parts[: parts.index("requests")]
    return "/".join(parts) or path
