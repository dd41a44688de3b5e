"""Retries with backoff, done here rather than by the client.

The `anthropic` client retries 408/409/429/5xx/529 itself, but with a fixed
0.5 s first delay. The provider turns that off (`max_retries=0`) and retries
the same answers here, with the configured backoff (tiny in tests), honouring
`x-should-retry` and `retry-after`/`retry-after-ms` as the client does. A
server asking for a longer wait than `max_retry_wait` gets no retry: the caller
gets `RateLimitError.retry_after` at once. A cancelled call stops waiting.
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Callable, Mapping
from typing import TypeVar

import anthropic

from anthropic_provider.settings import Retry
from mediaconduit.sdk import MediaConduitError, ProviderUnavailableError
from mediaconduit.sdk.calls import current_call

T = TypeVar("T")
Fail = Callable[[anthropic.APIStatusError, "float | None"], MediaConduitError]


def with_retries(send: Callable[[], T], retry: Retry, fail: Fail,
                 unreachable: Callable[[Exception], MediaConduitError]) -> T:
    """`send()`, again after a retryable failure, up to `retry.attempts` tries in all."""
    for attempt in range(retry.attempts):
        last = attempt == retry.attempts - 1
        try:
            return send()
        except anthropic.APIStatusError as error:
            after = retry_after(error.response.headers)
            if last or not should_retry(error) or (after or 0) > retry.max_retry_wait:
                raise fail(error, after) from None
            delay = retry.delay(attempt) if after is None else after
        except anthropic.APIConnectionError as error:
            if last or isinstance(error, anthropic.APITimeoutError):
                raise unreachable(error) from None
            delay = retry.delay(attempt)
        if current_call().wait(delay):
            raise ProviderUnavailableError("the call was cancelled while waiting to retry")
    raise AssertionError("unreachable: the last attempt returns or raises")


def should_retry(error: anthropic.APIStatusError) -> bool:
    """The server's `x-should-retry` if it says; else 408, 409, 429 and 5xx (529 too)."""
    header = error.response.headers.get("x-should-retry")
    if header in ("true", "false"):
        return header == "true"
    status = error.status_code
    return status in (408, 409, 429) or status >= 500


def retry_after(headers: Mapping[str, str]) -> float | None:
    """Seconds from `retry-after-ms`, else `retry-after` (seconds or an HTTP date)."""
    for name, scale in (("retry-after-ms", 1000.0), ("retry-after", 1.0)):
        value = headers.get(name)
        if value is None:
            continue
        try:
            return max(0.0, float(value) / scale)
        except ValueError:
            parsed = email.utils.parsedate_tz(value)
            if parsed is not None:
                return max(0.0, email.utils.mktime_tz(parsed) - time.time())
    return None
