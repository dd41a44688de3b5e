"""Ollama's failures as typed SDK errors, with the server's own message.

The server answers `{"error": "..."}`; the `ollama` client raises that as
`ResponseError(error, status_code)`, with status -1 for an `{"error": ...}`
line inside a 200 stream. A server that is not running is the builtin
`ConnectionError` (plain calls) or `httpx.ConnectError` (streams).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

import ollama

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

NOT_FOUND_WORDS = ("not found", "try pulling it first")
RETRIED = (429, 502, 503, 504)


def is_not_pulled(error: ollama.ResponseError) -> bool:
    """A 404 about the model (rather than, say, a route)."""
    text = str(error.error).lower()
    return error.status_code == 404 and any(w in text for w in NOT_FOUND_WORDS)


def not_pulled(model_id: str, pulled: Iterable[str]) -> ModelNotFoundError:
    close = difflib.get_close_matches(model_id, list(pulled), n=3, cutoff=0.5)
    hint = f"; pulled models like it: {', '.join(close)}" if close else ""
    return ModelNotFoundError(model_id, (
        f"Ollama has no model {model_id!r} pulled: run `ollama pull {model_id}`, or pass "
        f"pull=True (or config auto_pull: true) to pull it on first use{hint}"))


def map_response_error(error: ollama.ResponseError, model_id: str,
                       pulled: Iterable[str] = ()) -> MediaConduitError:
    """The typed error for an error answer, or an error line inside a stream."""
    status, text = error.status_code, str(error.error)
    if is_not_pulled(error):
        return not_pulled(model_id, pulled)
    if status in (401, 403):
        return AuthenticationError(
            f"Ollama refused the request ({status}: {text}); cloud models need "
            "`ollama signin` on the server")
    if status == 402:
        return PaymentRequiredError(f"Ollama: payment required ({text})")
    if status == 429:
        return RateLimitError(f"Ollama rate limit: {text}")
    if status == -1 or status >= 500:
        return ProviderUnavailableError(f"Ollama failed ({_status(status)}{text})")
    if 400 <= status < 500:
        return InvalidInputError(f"Ollama rejected the request ({status}: {text})")
    return ProviderError(f"Ollama error ({status}): {text}")


def _status(status: int) -> str:
    return "inside the stream: " if status == -1 else f"{status}: "


def not_running(host: str, error: Exception) -> ProviderUnavailableError:
    return ProviderUnavailableError(
        f"Ollama is not running at {host} ({type(error).__name__}): start it with "
        "`ollama serve` (or open the Ollama app; install it from https://ollama.com/download), "
        "or point OLLAMA_HOST / config host at the server that runs it")


def timed_out(host: str, error: Exception) -> ProviderUnavailableError:
    return ProviderUnavailableError(
        f"Ollama at {host} did not answer in time ({type(error).__name__}); a model may still "
        "be loading: raise config timeout, or try again")
