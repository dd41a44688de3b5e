"""Replicate's error answers as typed SDK errors.

Replicate answers errors as RFC 7807 problem details (`application/problem+json`):
`{"title", "detail", "status"}`, a 422 adds `invalid_fields: [{"type", "field",
"description"}]` (protocols.md §5, §12). The messages quote Replicate's own words and
never the token: it is sent only in the `Authorization` header, which no message
repeats, and the SDK's HTTP client scrubs credential values from every error.
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


class PredictionFailedError(ProviderError):
    """A prediction ended `failed`: Replicate's error and the last lines of its logs.

    It reaches the host as a `ProviderError` with the same message.
    """


def problem_text(body: Any, fallback: str) -> str:
    """`title: detail` of a problem body (or the start of a body that is not one)."""
    if not isinstance(body, Mapping):
        return fallback
    title, detail = body.get("title"), body.get("detail")
    parts = [str(p).strip() for p in (title, detail) if isinstance(p, str) and p.strip()]
    return ": ".join(parts) or fallback


def invalid_fields(body: Any) -> list[str]:
    """`field: description` for each entry of a 422's `invalid_fields`."""
    fields = body.get("invalid_fields") if isinstance(body, Mapping) else None
    found = []
    for entry in fields if isinstance(fields, list) else []:
        if isinstance(entry, Mapping):
            found.append(f"{entry.get('field', '?')}: {entry.get('description', '')}".strip())
    return found


def map_error(response: ErrorResponse) -> MediaConduitError:
    """A Replicate error answer as the SDK error for its status."""
    body = response.json()
    text = problem_text(body, response.text.strip()[:300] or f"HTTP {response.status}")
    where = f"{response.method} {response.path}"
    status = response.status
    if status in (401, 403):
        return AuthenticationError(
            f"Replicate refused the token (HTTP {status}, {text}); check REPLICATE_API_TOKEN")
    if status == 402:
        return PaymentRequiredError(f"Replicate: {text} (HTTP 402); add credit or a payment "
                                    "method at https://replicate.com/account/billing")
    if status == 429:
        return RateLimitError(f"Replicate is rate limiting ({text}); retry later",
                              retry_after=response.retry_after)
    return _by_status(status, response.path, where, text, body)


def _by_status(status: int, path: str, where: str, text: str, body: Any) -> MediaConduitError:
    if status == 404:
        return _not_found(path, text)
    if status == 422:
        listed = "; ".join(invalid_fields(body)) or text
        return InvalidInputError(f"Replicate rejected the input ({where}, HTTP 422): {listed}")
    if status >= 500:
        return ProviderUnavailableError(f"Replicate failed ({where}, HTTP {status}: {text})")
    if 400 <= status < 500:
        return InvalidInputError(f"Replicate refused {where} (HTTP {status}: {text})")
    return ProviderError(f"Replicate answered {where} with HTTP {status}: {text}")


def _not_found(path: str, text: str) -> MediaConduitError:
    parts = path.strip("/").split("/")
    if len(parts) >= 4 and parts[1] == "models":
        model_id = f"{parts[2]}/{parts[3]}"
        return ModelNotFoundError(model_id, f"Replicate has no model {model_id!r} ({text}); "
                                            "ids are owner/name or owner/name:version")
    return ProviderError(f"Replicate has no {path} ({text})")
