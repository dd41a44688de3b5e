"""HTTP helper for remote providers: timeouts, retries, typed errors, SSE and NDJSON.

This module imports httpx, which a remote provider declares as its own
dependency; the rest of the SDK stays standard-library only, so
`mediaconduit.sdk` never imports it. Use it as `from mediaconduit.sdk.http import
HTTPClient`.

- `HTTPClient(base_url, headers=..., timeouts=Timeouts(...), retry=RetryPolicy(...),
  error_mapper=...)` sends requests relative to `base_url`.
- `request_json(method, path, json=..., params=..., headers=...)` returns the
  decoded JSON body of a 2xx answer.
- `stream(method, path, ...)` is a context manager giving the open response;
  iterate it with `iter_sse(response)` or `iter_ndjson(response)` (the stream
  parsing lives in `mediaconduit.sdk.streaming`, re-exported here).
- 429, 5xx and connection failures (refused, dropped before an answer) are
  retried with exponential backoff and jitter; `Retry-After` (seconds or an HTTP
  date) is honoured up to `RetryPolicy.max_retry_wait`. A server that asks for a
  longer wait gets no retry: the mapped error (`RateLimitError.retry_after`)
  reaches the caller at once. A read timeout is not retried: the upstream may
  still be working (and billing) on the request.
- Every failure is a typed SDK error. `error_mapper` turns an `ErrorResponse`
  into one; `default_error` maps by status. Values of credential headers
  (`Authorization`, `*-Key`, `*-Token`) are scrubbed from every error message.
- Streams enforce `Timeouts.idle`: a stream that sends nothing for that long
  raises `ProviderUnavailableError`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json as jsonlib
import random
import re
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from types import TracebackType
from typing import Any

import httpx

from mediaconduit.sdk import calls
from mediaconduit.sdk.errors import (
    AuthenticationError,
    InvalidInputError,
    MediaConduitError,
    ModelNotFoundError,
    PaymentRequiredError,
    ProviderError,
    ProviderUnavailableError,
    RateLimitError,
)
from mediaconduit.sdk.streaming import (
    SSEEvent,
    iter_chunks,
    iter_lines,
    iter_ndjson,
    iter_sse,
    parse_sse,
)
from mediaconduit.sdk.upstream import parse_retry_after

__all__ = [
    "ErrorMapper",
    "ErrorResponse",
    "HTTPClient",
    "RetryPolicy",
    "SSEEvent",
    "Timeouts",
    "default_error",
    "error_message",
    "iter_chunks",
    "iter_lines",
    "iter_ndjson",
    "iter_sse",
    "json_body",
    "parse_retry_after",
    "parse_sse",
]

_SECRET_HEADER = re.compile(r"auth|key|token|secret", re.IGNORECASE)
_SCHEMES = ("bearer ", "basic ", "token ", "key ")
_MIN_SECRET = 8


@dataclasses.dataclass(frozen=True)
class Timeouts:
    """Seconds: to connect, between bytes of a plain answer, and of a silent stream."""

    connect: float = 10.0
    read: float = 300.0
    idle: float = 60.0

    def for_request(self, read: float | None = None) -> httpx.Timeout:
        return httpx.Timeout(self.read if read is None else read, connect=self.connect)

    def for_stream(self) -> httpx.Timeout:
        return httpx.Timeout(self.idle, connect=self.connect)


@dataclasses.dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to retry: `attempts` counts the first try too."""

    attempts: int = 4
    backoff: float = 0.5
    max_backoff: float = 8.0
    max_retry_wait: float = 60.0
    jitter: float = 0.25

    def retries_status(self, status: int) -> bool:
        return status == 429 or status >= 500

    def backoff_delay(self, attempt: int) -> float:
        """Exponential backoff for the retry after attempt `attempt` (0-based), jittered up."""
        base = min(self.max_backoff, self.backoff * 2.0**attempt)
        return base * (1 + self.jitter * random.random())

    def wait(self, attempt: int, retry_after: float | None) -> float | None:
        """Seconds to wait before the next attempt, or None to give up now."""
        if attempt + 1 >= self.attempts:
            return None
        if retry_after is None:
            return self.backoff_delay(attempt)
        if retry_after > self.max_retry_wait:
            return None
        return min(retry_after * (1 + self.jitter * random.random()), self.max_retry_wait)


@dataclasses.dataclass(frozen=True)
class ErrorResponse:
    """A non-2xx answer, as an error mapper sees it (`sent` is the JSON that was sent)."""

    status: int
    method: str
    path: str
    headers: Mapping[str, str]
    text: str
    retry_after: float | None = None
    sent: Any = None

    def json(self) -> Any:
        """The body as JSON, or None when it is not JSON."""
        try:
            return jsonlib.loads(self.text)
        except ValueError:
            return None

    def message(self) -> str:
        """The API's own error message, else the start of the body."""
        return error_message(self.json()) or self.text.strip()[:300] or f"HTTP {self.status}"


ErrorMapper = Callable[[ErrorResponse], MediaConduitError]


def error_message(body: Any) -> str:
    """The message in the usual error bodies: `{"error": {"message"}}`, `{"error": "..."}`,
    `{"message"}`, `{"detail"}`."""
    if not isinstance(body, Mapping):
        return ""
    error = body.get("error")
    if isinstance(error, Mapping):
        return error_message(error) or str(error.get("type") or "")
    for value in (error, body.get("message"), body.get("detail")):
        if isinstance(value, str) and value:
            return value
    return ""


def default_error(response: ErrorResponse) -> MediaConduitError:
    """Map an error answer to a typed error by its status code."""
    text = f"HTTP {response.status} from {response.method} {response.path}: {response.message()}"
    status = response.status
    if status == 429:
        return RateLimitError(text, retry_after=response.retry_after)
    if status == 404:
        return ModelNotFoundError("", text)
    return _error_class(status)(text)


def _error_class(status: int) -> type[MediaConduitError]:
    by_status: dict[int, type[MediaConduitError]] = {
        401: AuthenticationError, 403: AuthenticationError, 402: PaymentRequiredError,
        408: ProviderUnavailableError,
    }
    if status in by_status:
        return by_status[status]
    if 400 <= status < 500:
        return InvalidInputError
    return ProviderUnavailableError if status >= 500 else ProviderError


@dataclasses.dataclass(frozen=True)
class _Failure:
    """A retryable failure: the error to raise if no retry is left."""

    error: MediaConduitError
    retry_after: float | None = None


_RETRYABLE_TRANSPORT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.RemoteProtocolError)


class HTTPClient:
    """An httpx client with a base URL, default headers, timeouts, retries and typed errors.

    The underlying connection pool is made on first use, so constructing one
    does no I/O. Thread-safe; close it with `close()` or a `with` block.
    """

    def __init__(
        self,
        base_url: str,
        *,
        headers: Mapping[str, str] | None = None,
        timeouts: Timeouts | None = None,
        retry: RetryPolicy | None = None,
        error_mapper: ErrorMapper = default_error,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/") + "/"
        self.headers = dict(headers or {})
        self.timeouts = timeouts or Timeouts()
        self.retry = retry or RetryPolicy()
        self.error_mapper = error_mapper
        self._transport = transport
        self._client: httpx.Client | None = None
        self._lock = threading.Lock()

    @property
    def client(self) -> httpx.Client:
        """The httpx client (made on first use)."""
        with self._lock:
            if self._client is None:
                self._client = httpx.Client(
                    base_url=self.base_url, headers=self.headers, transport=self._transport
                )
            return self._client

    def close(self) -> None:
        with self._lock:
            client, self._client = self._client, None
        if client is not None:
            client.close()

    def __enter__(self) -> HTTPClient:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def request(
        self, method: str, path: str, *, json: Any = None,
        params: Mapping[str, Any] | None = None, headers: Mapping[str, str] | None = None,
        timeout: float | None = None, **body: Any,
    ) -> httpx.Response:
        """Send a request (retrying as the policy says); the 2xx response, body read.

        `body` is httpx's `files=`, `data=` or `content=` (a multipart upload, a form, raw
        bytes: give bytes, not open files, so a retry can send them again); `timeout`
        replaces the read timeout for this request.
        """
        request = self._build(method, path, json=json, params=params, headers=headers,
                              timeout=self.timeouts.for_request(timeout), body=body)
        return self._send(request, json, stream=False)

    def request_json(
        self, method: str, path: str, *, json: Any = None,
        params: Mapping[str, Any] | None = None, headers: Mapping[str, str] | None = None,
        timeout: float | None = None, **body: Any,
    ) -> Any:
        """Send a request and return the JSON body of its 2xx answer."""
        return json_body(self.request(method, path, json=json, params=params, headers=headers,
                                      timeout=timeout, **body))

    @contextlib.contextmanager
    def stream(
        self, method: str, path: str, *, json: Any = None,
        params: Mapping[str, Any] | None = None, headers: Mapping[str, str] | None = None,
        **body: Any,
    ) -> Iterator[httpx.Response]:
        """The open 2xx response of a streaming request; its read timeout is `idle`.

        Retries happen before the body is read; iterate it with `iter_sse`
        or `iter_ndjson`.
        """
        request = self._build(method, path, json=json, params=params, headers=headers,
                              timeout=self.timeouts.for_stream(), body=body)
        response = self._send(request, json, stream=True)
        try:
            yield response
        except MediaConduitError as error:
            raise _scrubbed(error, _secrets(request.headers)) from error.__cause__
        finally:
            response.close()

    def _build(
        self, method: str, path: str, *, json: Any, params: Mapping[str, Any] | None,
        headers: Mapping[str, str] | None, timeout: httpx.Timeout, body: Mapping[str, Any],
    ) -> httpx.Request:
        unknown = set(body) - {"files", "data", "content"}
        if unknown:
            raise TypeError(f"unexpected keyword arguments: {', '.join(sorted(unknown))}")
        return self.client.build_request(
            method, path.lstrip("/"), json=json, params=params, headers=headers, timeout=timeout,
            **body,
        )

    def _send(self, request: httpx.Request, sent: Any, stream: bool) -> httpx.Response:
        try:
            return self._send_with_retries(request, sent, stream)
        except MediaConduitError as error:
            raise _scrubbed(error, _secrets(request.headers)) from error.__cause__

    def _send_with_retries(self, request: httpx.Request, sent: Any, stream: bool) -> httpx.Response:
        attempt = 0
        while True:
            outcome = self._attempt(request, sent, stream)
            if isinstance(outcome, httpx.Response):
                return outcome
            wait = self.retry.wait(attempt, outcome.retry_after)
            if wait is None or calls.wait(wait):  # a cancel ends the backoff at once
                raise outcome.error
            attempt += 1

    def _attempt(
        self, request: httpx.Request, sent: Any, stream: bool
    ) -> httpx.Response | _Failure:
        try:
            response = self.client.send(request, stream=stream)
        except _RETRYABLE_TRANSPORT as error:
            return _Failure(_unreachable(request, error))
        except httpx.TimeoutException as error:
            raise _timed_out(request, error) from error
        except httpx.TransportError as error:
            raise _unreachable(request, error) from error
        if response.is_success:
            return response
        failure = self._failure(request, response, sent)
        if not self.retry.retries_status(response.status_code):
            raise failure.error
        return failure

    def _failure(self, request: httpx.Request, response: httpx.Response, sent: Any) -> _Failure:
        try:
            response.read()
        except httpx.HTTPError:
            pass
        finally:
            response.close()
        error = _error_response(request, response, sent)
        return _Failure(self.error_mapper(error), error.retry_after)


def json_body(response: httpx.Response) -> Any:
    """The JSON body of a (read) response; a body that is not JSON is a clear error."""
    try:
        return response.json()
    except ValueError:
        raise ProviderUnavailableError(
            f"{response.request.method} {response.request.url.path} answered "
            f"{response.status_code} with a body that is not JSON: {response.text[:200]!r}"
        ) from None


def _error_response(request: httpx.Request, response: httpx.Response, sent: Any) -> ErrorResponse:
    try:
        text = response.text
    except httpx.HTTPError:
        text = ""
    return ErrorResponse(
        status=response.status_code, method=request.method, path=request.url.path,
        headers=dict(response.headers), text=text,
        retry_after=parse_retry_after(response.headers.get("retry-after")), sent=sent,
    )


def _unreachable(request: httpx.Request, error: Exception) -> ProviderUnavailableError:
    where = f"{request.url.scheme}://{request.url.netloc.decode()}"
    return ProviderUnavailableError(
        f"cannot reach {where} ({type(error).__name__}: {error or 'no details'}); "
        "check the network and the service's base URL"
    )


def _timed_out(request: httpx.Request, error: httpx.TimeoutException) -> ProviderUnavailableError:
    seconds = (request.extensions.get("timeout") or {}).get("read")
    return ProviderUnavailableError(
        f"{request.method} {request.url.path} got no answer within {seconds} s "
        f"({type(error).__name__})"
    )


def _secrets(headers: Mapping[str, str]) -> list[str]:
    """The credential values among `headers` (without a `Bearer ` style scheme)."""
    found = []
    for name, value in headers.items():
        if _SECRET_HEADER.search(name):
            found.append(value)
            found += [value[len(s):] for s in _SCHEMES if value.lower().startswith(s)]
    return [s.strip() for s in found if len(s.strip()) >= _MIN_SECRET]


def _scrubbed(error: MediaConduitError, secrets: Iterable[str]) -> MediaConduitError:
    """`error` with every secret in its message replaced by `***`."""
    def scrub(value: Any) -> Any:
        if not isinstance(value, str):
            return value
        for secret in sorted(secrets, key=len, reverse=True):
            value = value.replace(secret, "***")
        return value

    error.args = tuple(scrub(arg) for arg in error.args)
    return error
