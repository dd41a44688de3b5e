"""The together client's exceptions as typed SDK errors, with Together's own message.

HTTP errors answer `{"id", "error": {"message", "type", "param", "code"}}`; an
error inside a 200 stream is a `data:` object with the same `error`, which the
client raises as `together.APIError` with that object as `body`. The API key is
scrubbed from every message (the vendor might echo it).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import together

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

BILLING_URL = "https://api.together.ai/settings/billing"
KEYS_URL = "https://api.together.ai/settings/api-keys"
CREDIT_WORDS = ("credit", "balance", "billing", "payment", "insufficient funds")


#: the model, the listed ids and the key a message needs (the key is scrubbed from it)
Context = ErrorContext


def map_error(error: Exception, context: Context) -> MediaConduitError:
    """The typed error for an exception the together client raised."""
    if isinstance(error, together.APITimeoutError):
        return ProviderUnavailableError(context.scrub(f"Together did not answer in time: {error}"))
    if isinstance(error, together.APIConnectionError):
        return ProviderUnavailableError(context.scrub(f"cannot reach Together: {error}"))
    if isinstance(error, together.APIStatusError):
        retry_after = parse_retry_after(error.response.headers.get("retry-after"))
        return for_status(error.status_code, _error_object(error.body), context, retry_after)
    if isinstance(error, together.APIError):  # an error event inside a 200 stream
        body = _error_object(error.body)
        return for_status(_stream_status(body), body, context, None)
    return ProviderError(context.scrub(f"the together client failed: {error!r}"))


def for_status(status: int, body: Mapping[str, Any], context: Context,
               retry_after: float | None) -> MediaConduitError:
    """The typed error for an HTTP status and Together's error object."""
    text = context.scrub(str(body.get("message") or f"HTTP {status}").strip())
    if status == 402 or _about_credits(status, text):
        return PaymentRequiredError(f"Together credits ran out ({text}); add credits at "
                                    f"{BILLING_URL}")
    if status in (401, 403):
        return AuthenticationError(f"Together refused the API key ({status}: {text}); check "
                                   f"TOGETHER_API_KEY (keys are at {KEYS_URL})")
    if status == 404:
        return ModelNotFoundError(context.model_id, context.not_found("Together", text))
    if status == 429:
        return RateLimitError(f"Together rate limit: {text}", retry_after=retry_after)
    if status in (400, 409, 413, 422):
        return InvalidInputError(f"Together rejected the request ({status}): {text}")
    if status == 408 or status >= 500:
        return ProviderUnavailableError(f"Together failed ({status}): {text}")
    return ProviderError(f"Together error ({status}): {text}")




def _about_credits(status: int, text: str) -> bool:
    lowered = text.lower()
    return status in (400, 403) and any(word in lowered for word in CREDIT_WORDS)


def _error_object(body: Any) -> Mapping[str, Any]:
    """The `error` object of a body (or the body itself when it is the object)."""
    if isinstance(body, Mapping):
        inner = body.get("error")
        if isinstance(inner, Mapping):
            return inner
        return body
    return {"message": str(body)} if body else {}


def _stream_status(body: Mapping[str, Any]) -> int:
    """The HTTP status an in-stream error would have had, from its `type`/`code`."""
    kind = f"{body.get('type')} {body.get('code')}".lower()
    for words, status in ((("rate_limit", "rate limit"), 429), (("credit",), 402),
                          (("auth", "api_key"), 401), (("invalid_request",), 400)):
        if any(word in kind for word in words):
            return status
    code = body.get("code")
    return code if isinstance(code, int) and 400 <= code < 600 else 502
