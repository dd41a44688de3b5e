"""Hugging Face's error answers as typed SDK errors.

The router answers `{"error": "..."}` or `{"error": ["..."]}` (422 adds
`"error_type": "validation"`), and may put the message in an `X-Error-Message`
header. A model that is loading is a 503 `{"error": "Model ... is currently
loading", "estimated_time": 20.0}`: `ModelLoading`, which the provider waits out.
The Hub names a missing repository with `X-Error-Code: RepoNotFound` (401 without a
valid token, 404 with one). The token never appears in a message: the SDK's HTTP
client scrubs credential headers from every error it raises.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from huggingface_provider.settings import TOKENS_URL
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

BILLING_URL = "https://huggingface.co/settings/billing"


class ModelLoading(ProviderUnavailableError):
    """A 503 for a model that is loading; `estimated_time` in seconds, if given.

    Provider-internal: it is waited out, and what reaches the caller is a plain
    `ProviderUnavailableError` (the host does not know this class).
    """

    def __init__(self, message: str, estimated_time: float | None) -> None:
        super().__init__(message)
        self.estimated_time = estimated_time


class Busy(ProviderUnavailableError):
    """A 503 that is not about loading: retried with backoff by the provider."""


def map_error(response: ErrorResponse) -> MediaConduitError:
    """The error for a router or Hub error answer (the provider's `error_mapper`)."""
    body = response.json()
    text = message(response, body)
    sent = response.sent if isinstance(response.sent, Mapping) else {}
    model_id = str(sent.get("model") or model_of(response.path))
    if response.status == 503:
        return _unavailable(text, body, model_id)
    if response.headers.get("x-error-code") in ("RepoNotFound", "EntryNotFound"):
        return ModelNotFoundError(model_id, f"Hugging Face has no model {model_id!r} ({text}); "
                                  "a private or gated one needs an HF_TOKEN that may read it")
    return error_for(response.status, text, model_id, response.retry_after)


def error_for(status: int, text: str, model_id: str,
              retry_after: float | None = None) -> MediaConduitError:
    if status == 429:
        return RateLimitError(f"Hugging Face rate limit: {text}", retry_after=retry_after)
    if status == 402:
        return PaymentRequiredError(f"Hugging Face credits ran out ({text}); see {BILLING_URL}")
    if status in (401, 403):
        return AuthenticationError(f"Hugging Face refused the token ({status}: {text}); check "
                                   f"HF_TOKEN (tokens are at {TOKENS_URL})")
    if status == 404:
        return ModelNotFoundError(model_id, f"Hugging Face cannot serve {model_id!r}: {text}")
    if status == 408 or status >= 500:
        return ProviderUnavailableError(f"Hugging Face failed ({status}) on {model_id}: {text}")
    if 400 <= status < 500:
        return InvalidInputError(f"Hugging Face rejected the input for {model_id} "
                                 f"({status}): {text}")
    return ProviderError(f"Hugging Face error ({status}) on {model_id}: {text}")


def _unavailable(text: str, body: Any, model_id: str) -> ProviderUnavailableError:
    estimated = body.get("estimated_time") if isinstance(body, Mapping) else None
    if "loading" in text.lower() or estimated is not None:
        seconds = float(estimated) if isinstance(estimated, (int, float)) else None
        return ModelLoading(f"{model_id} is loading on Hugging Face: {text}", seconds)
    return Busy(f"Hugging Face is unavailable (503) for {model_id}: {text}")


def message(response: ErrorResponse, body: Any) -> str:
    """`error` (a string or a list of them), else `X-Error-Message`, else the text."""
    error = body.get("error") if isinstance(body, Mapping) else None
    if isinstance(error, list):
        error = "; ".join(str(item) for item in error)
    if isinstance(error, Mapping):
        error = error.get("message")
    if isinstance(error, str) and error:
        return error
    header = response.headers.get("x-error-message")
    return header or response.message()


def model_of(path: str) -> str:
    """The model in a router or Hub path (`/hf-inference/models/a/b` -> `a/b`)."""
    parts = [p for p in path.split("/") if p]
    if "models" in parts:
        rest = parts[parts.index("models") + 1:]
        return "/".join(rest[:2]) or path
    return path
