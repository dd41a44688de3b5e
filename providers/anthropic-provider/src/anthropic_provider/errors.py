"""Anthropic's errors as typed SDK errors, with the API's own message.

An error answer is `{"type":"error","error":{"type":"<kind>","message":"..."},
"request_id":"req_..."}`; the same JSON arrives as `event: error` inside a 200
stream, where the `anthropic` client raises it as an `APIStatusError` with
status 200. So the error's `type` decides first and the status only when the
type is missing. The API key never reaches a message: none of Anthropic's
bodies echo it, and the client's own messages carry the body, not the headers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import anthropic

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
from mediaconduit.sdk.upstream import did_you_mean

BILLING_URL = "https://console.anthropic.com/settings/billing"
KEYS_URL = "https://console.anthropic.com/settings/keys"
#: error type -> the HTTP status the API gives it (for an error that came inside a stream)
STATUS_OF = {
    "invalid_request_error": 400, "authentication_error": 401, "billing_error": 402,
    "permission_error": 403, "not_found_error": 404, "request_too_large": 413,
    "rate_limit_error": 429, "api_error": 500, "overloaded_error": 529,
}
CREDIT_WORDS = ("credit balance is too low", "purchase credits")


def error_body(error: anthropic.APIStatusError) -> Mapping[str, Any]:
    """The inner `{"type", "message"}` of an error answer or event."""
    body = error.body
    inner = body.get("error") if isinstance(body, Mapping) else None
    if isinstance(inner, Mapping):
        return inner
    return {"message": str(body or error.message)}


def status_of(error: anthropic.APIStatusError) -> int:
    kind = error_body(error).get("type")
    if isinstance(kind, str) and kind in STATUS_OF:
        return STATUS_OF[kind]
    return error.status_code


def map_status_error(error: anthropic.APIStatusError, model_id: str, known: Iterable[str] = (),
                     retry_after: float | None = None, secret: str | None = None
                     ) -> MediaConduitError:
    """The typed error for an error answer or a stream's `event: error`.

    `secret` (the API key) is blanked out of the message should the API echo it.
    """
    status, inner = status_of(error), error_body(error)
    text = str(inner.get("message") or "no message").strip()
    if secret:
        text = text.replace(secret, "***")
    request = f" [request-id {error.request_id}]" if error.request_id else ""
    return error_for(status, text, model_id, known, retry_after=retry_after, request=request)


def error_for(status: int, text: str, model_id: str, known: Iterable[str], *,
              retry_after: float | None = None, request: str = "") -> MediaConduitError:
    if status == 402 or any(w in text.lower() for w in CREDIT_WORDS):
        return PaymentRequiredError(
            f"Anthropic credits ran out ({text}); add credits at {BILLING_URL}{request}")
    if status == 401:
        return AuthenticationError(
            f"Anthropic rejected the API key (401: {text}); check ANTHROPIC_API_KEY "
            f"(keys are at {KEYS_URL}){request}")
    if status == 403:
        return AuthenticationError(f"Anthropic refused the request (403: {text}){request}")
    if status == 404:
        return ModelNotFoundError(model_id, _not_found(model_id, text, known) + request)
    if status == 429:
        return RateLimitError(f"Anthropic rate limit: {text}{request}", retry_after=retry_after)
    if status in (408, 409) or status >= 500:
        return ProviderUnavailableError(f"Anthropic is unavailable ({status}: {text}){request}")
    if 400 <= status < 500:
        return InvalidInputError(f"Anthropic rejected the request ({status}: {text}){request}")
    return ProviderError(f"Anthropic error ({status}): {text}{request}")


def _not_found(model_id: str, text: str, known: Iterable[str]) -> str:
    return f"Anthropic has no model {model_id!r} ({text}){did_you_mean(model_id, known)}"


def map_connection_error(error: Exception, base_url: str) -> ProviderUnavailableError:
    """A connection that failed or timed out, before or during an answer."""
    if isinstance(error, anthropic.APITimeoutError) or "timeout" in type(error).__name__.lower():
        return ProviderUnavailableError(
            f"Anthropic at {base_url} did not answer in time ({type(error).__name__}); raise "
            "config timeout, or try again later")
    return ProviderUnavailableError(
        f"cannot reach Anthropic at {base_url} ({type(error).__name__}: {error}); check "
        "ANTHROPIC_BASE_URL and the network")
