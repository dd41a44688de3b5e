"""OpenRouter's error bodies as typed SDK errors.

The body is `{"error": {"code": <int>, "message": "...", "metadata": {...}}}`,
both as an HTTP error answer and as a `data:` chunk inside a 200 stream (where
`code` may also be a string). The messages never carry the API key: the SDK's
HTTP client scrubs credential headers from every error it raises.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

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

CREDITS_URL = "https://openrouter.ai/settings/credits"
KEYS_URL = "https://openrouter.ai/keys"
UNKNOWN_MODEL = ("no endpoints found for", "not a valid model id", "model not found")
#: 404s about what the request asks for (image input, tools, data policy), not the model
UNSUPPORTED = ("no endpoints found that", "no endpoints found matching")


def map_error(response: ErrorResponse) -> MediaConduitError:
    """The error for an HTTP error answer (the `error_mapper` of the provider's client)."""
    body = response.json()
    error = body.get("error") if isinstance(body, Mapping) else None
    if not isinstance(error, Mapping):
        error = {"message": response.message()}
    sent = response.sent if isinstance(response.sent, Mapping) else {}
    return error_for(response.status, error, str(sent.get("model") or ""), response.retry_after)


def stream_error(error: Mapping[str, Any], model_id: str) -> MediaConduitError:
    """The error for an `error` object that arrived inside a 200 stream."""
    code = error.get("code")
    status = code if isinstance(code, int) else _status_of(error)
    return error_for(status, error, model_id, None)


def _status_of(error: Mapping[str, Any]) -> int:
    metadata = error.get("metadata")
    kind = metadata.get("error_type") if isinstance(metadata, Mapping) else error.get("code")
    return 429 if "rate_limit" in str(kind) else 502


def error_for(
    status: int, error: Mapping[str, Any], model_id: str, retry_after: float | None
) -> MediaConduitError:
    """The typed error for an OpenRouter status and error object."""
    text = describe(error)
    if status == 429 or _rate_limited(error):
        return RateLimitError(f"OpenRouter rate limit: {text}", retry_after=retry_after)
    if _unknown_model(status, text):
        return ModelNotFoundError(model_id, f"OpenRouter cannot serve model {model_id!r}: {text}")
    if status == 402:
        return _payment(error, text)
    if status in (401, 403):
        return _refused(status, error, text)
    if status == 408 or status >= 500:
        return ProviderUnavailableError(f"OpenRouter failed ({status}): {text}")
    if 400 <= status < 500:
        return InvalidInputError(f"OpenRouter rejected the request ({status}): {text}")
    return ProviderError(f"OpenRouter error ({status}): {text}")


def _unknown_model(status: int, text: str) -> bool:
    lowered = text.lower()
    if any(s in lowered for s in UNSUPPORTED):
        return False
    return status == 404 or (status == 400 and any(s in lowered for s in UNKNOWN_MODEL))


def _rate_limited(error: Mapping[str, Any]) -> bool:
    metadata = error.get("metadata")
    return isinstance(metadata, Mapping) and "rate_limit" in str(metadata.get("error_type"))


def _payment(error: Mapping[str, Any], text: str) -> PaymentRequiredError:
    metadata = error.get("metadata")
    source = metadata.get("limit_source") if isinstance(metadata, Mapping) else None
    if source == "openrouter_key_limit":
        return PaymentRequiredError(
            f"the OpenRouter API key reached its spending limit ({text}); raise the key's "
            f"limit at {KEYS_URL} or use another key"
        )
    return PaymentRequiredError(
        f"OpenRouter credits ran out ({text}); add credits at {CREDITS_URL}"
    )


def _refused(status: int, error: Mapping[str, Any], text: str) -> MediaConduitError:
    metadata = error.get("metadata")
    if status == 403 and isinstance(metadata, Mapping) and "flagged_input" in metadata:
        return InvalidInputError(f"OpenRouter's moderation refused the input: {text}")
    if status == 403:
        return AuthenticationError(f"OpenRouter refused the request (403): {text}")
    return AuthenticationError(
        f"OpenRouter rejected the API key (401: {text}); check OPENROUTER_API_KEY "
        f"(keys are at {KEYS_URL})"
    )


def describe(error: Mapping[str, Any]) -> str:
    """The message of an error object, with the upstream's own words and name if given."""
    message = str(error.get("message") or "no message").strip()
    metadata = error.get("metadata")
    if not isinstance(metadata, Mapping):
        return message
    raw, name = metadata.get("raw"), metadata.get("provider_name")
    if isinstance(raw, str) and raw and raw not in message:
        message = f"{message}: {raw[:500]}"
    return f"{message} [upstream: {name}]" if isinstance(name, str) and name else message
