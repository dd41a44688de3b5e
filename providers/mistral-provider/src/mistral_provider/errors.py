"""The mistralai client's exceptions as typed SDK errors, with Mistral's own message.

Mistral answers errors as `{"object": "error", "message", "type", "param",
"code"}`, a 401 as `{"message", "request_id"}` or `{"detail": "Unauthorized"}`,
a 422 as `{"detail": [{"loc", "msg", "type"}]}`; the client raises them as
`SDKError`/`HTTPValidationError` with the body as text. An error event inside a
200 stream fails the client's chunk parsing (`ResponseValidationError`, the
event in `body`). The API key is scrubbed from every message.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from mistralai.client import errors

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
from mediaconduit.sdk.upstream import ErrorContext, parse_retry_after

BILLING_URL = "https://console.mistral.ai/billing"
KEYS_URL = "https://console.mistral.ai/api-keys"
NO_ROUTE = "no route matched"


#: the model, the listed ids and the key a message needs (the key is scrubbed from it)
Context = ErrorContext


def is_transport_error(error: Exception) -> bool:
    """A connection or timeout error of the client's HTTP library (httpx2 or httpx)."""
    return type(error).__module__.split(".")[0] in ("httpx", "httpx2", "httpcore", "httpcore2")


def map_error(error: Exception, context: Context) -> MediaConduitError:
    """The typed error for an exception the mistralai client raised."""
    if isinstance(error, errors.ResponseValidationError):
        return _validation(error, context)
    if isinstance(error, errors.MistralError):
        retry_after = parse_retry_after(error.headers.get("retry-after"))
        return for_status(error.status_code, _body(error.body), context, retry_after)
    if isinstance(error, errors.NoResponseError) or is_transport_error(error):
        return ProviderUnavailableError(context.scrub(f"cannot reach Mistral: {error!r}"))
    return ProviderError(context.scrub(f"the mistralai client failed: {error!r}"))


def _validation(error: errors.ResponseValidationError, context: Context) -> MediaConduitError:
    """A 200 answer the client could not read: an in-stream error event, or a bad body."""
    body = _body(error.body)
    event = body.get("data") if isinstance(body.get("data"), Mapping) else body
    found = event.get("error") if isinstance(event.get("error"), Mapping) else event
    if found.get("message") or found.get("object") == "error":
        return for_status(_stream_status(found), found, context, None)
    return ProviderUnavailableError(context.scrub(
        f"Mistral answered with something its client cannot read: {error.message[:300]}"))


def for_status(status: int, body: Mapping[str, Any], context: Context,
               retry_after: float | None) -> MediaConduitError:
    """The typed error for an HTTP status and Mistral's error body."""
    text = context.scrub(message(body) or f"HTTP {status}")
    kind = str(body.get("type") or "")
    if status == 402:
        return PaymentRequiredError(f"Mistral needs payment ({text}); see {BILLING_URL}")
    if status in (401, 403):
        return AuthenticationError(f"Mistral refused the API key ({status}: {text}); check "
                                   f"MISTRAL_API_KEY (keys are at {KEYS_URL})")
    if status == 404 and NO_ROUTE in text.lower():
        return ProviderUnavailableError(f"Mistral has no such endpoint ({text}); check that "
                                        "MISTRAL_BASE_URL is the API origin, e.g. "
                                        "https://api.mistral.ai")
    if status == 404 or kind == "invalid_model" or body.get("code") == "unknown_model":
        return ModelNotFoundError(context.model_id, context.not_found("Mistral", text))
    if status == 429:
        return RateLimitError(f"Mistral rate limit: {text}", retry_after=retry_after)
    if status in (400, 409, 413, 422):
        return InvalidInputError(f"Mistral rejected the request ({status}): {text}")
    if status == 408 or status >= 500:
        return ProviderUnavailableError(f"Mistral failed ({status}): {text}")
    return ProviderError(f"Mistral error ({status}): {text}")


def message(body: Mapping[str, Any]) -> str:
    """The message of any of Mistral's error bodies."""
    detail = body.get("detail")
    if isinstance(detail, list):  # 422: [{"loc": [...], "msg": "...", "type": "..."}]
        return "; ".join(_field_problem(d) for d in detail if isinstance(d, Mapping))
    text = body.get("message") or detail or ""
    return str(text).strip()


def _field_problem(detail: Mapping[str, Any]) -> str:
    where = ".".join(str(part) for part in detail.get("loc") or [] if part != "body")
    return f"{where}: {detail.get('msg')}" if where else str(detail.get("msg"))




def _body(text: Any) -> Mapping[str, Any]:
    try:
        body = json.loads(text) if isinstance(text, (str, bytes)) else text
    except ValueError:
        body = None
    return body if isinstance(body, Mapping) else {"message": str(text or "")[:500]}


def _stream_status(body: Mapping[str, Any]) -> int:
    """The HTTP status an in-stream error would have had, from its `type`/`code`."""
    kind = f"{body.get('type')} {body.get('code')}".lower()
    for words, status in ((("rate_limit", "rate limit"), 429), (("credit", "payment"), 402),
                          (("auth", "api_key"), 401), (("invalid_request",), 400)):
        if any(word in kind for word in words):
            return status
    code = body.get("code")
    return code if isinstance(code, int) and 400 <= code < 600 else 502
