"""HTTP to one Chatterbox server: JSON, multipart uploads, audio streamed to a file.

JSON requests go through the SDK's `HTTPClient` (timeouts, retries of 5xx and
refused connections, typed errors). Its requests carry JSON only, so the
multipart ones (a reference voice upload, travisvn's `/upload` routes) are built
on the same httpx client here and mapped to the same typed errors.
A server that cannot be reached is a `ProviderUnavailableError` that says how to
start one. On cancel, the socket of an answer being read is shut down
(`shutdown`: a `close` from another thread does not wake the read), so the server
sees the client leave.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import httpx

from chatterbox_provider.errors import map_error
from chatterbox_provider.settings import Settings
from mediaconduit.sdk import ProviderUnavailableError, cancelled, on_cancel, report_progress
from mediaconduit.sdk.hangup import hang_up
from mediaconduit.sdk.http import ErrorResponse, HTTPClient, RetryPolicy, iter_chunks, json_body

Files = Mapping[str, tuple[str, bytes, str]]


class Transport:
    """One server's base URL, its HTTP client, and the hint for when it is down."""

    def __init__(self, base_url: str, settings: Settings, api: str | None,
                 retry: RetryPolicy | None = None) -> None:
        self.base_url = base_url
        self.hint = settings.start_hint(api)
        self.http = HTTPClient(base_url, timeouts=settings.timeouts,
                               retry=retry or settings.retry, error_mapper=map_error)

    @contextlib.contextmanager
    def reachable(self) -> Iterator[None]:
        """Add how to start the server to "cannot reach" errors."""
        try:
            yield
        except ProviderUnavailableError as error:
            if not str(error).startswith("cannot reach"):
                raise
            raise ProviderUnavailableError(f"{error}; {self.hint}") from None

    def get(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        with self.reachable():
            return self.http.request_json("GET", path, params=params)

    @contextlib.contextmanager
    def stream(self, path: str, json: Any = None, data: Mapping[str, str] | None = None,
               files: Files | None = None) -> Iterator[httpx.Response]:
        """The open 2xx answer of a POST (JSON, or a form when `files` are given)."""
        with self.reachable():
            if files is None:
                with self.http.stream("POST", path, json=json) as response:
                    yield _hung_up_on_cancel(response)
                return
            response = self._send_form(path, data or {}, files, stream=True)
            try:
                yield _hung_up_on_cancel(response)
            finally:
                response.close()

    def post_form(self, path: str, data: Mapping[str, str], files: Files) -> Any:
        """POST a multipart form; the JSON of its 2xx answer."""
        with self.reachable():
            response = self._send_form(path, data, files, stream=False)
            return json_body(response)

    def _send_form(self, path: str, data: Mapping[str, str], files: Files,
                   stream: bool) -> httpx.Response:
        client = self.http.client
        request = client.build_request("POST", path.lstrip("/"), data=dict(data),
                                       files=dict(files), timeout=self.http.timeouts.for_stream())
        try:
            response = client.send(request, stream=stream)
        except httpx.TransportError as error:
            raise ProviderUnavailableError(
                f"cannot reach {self.base_url} ({type(error).__name__}: {error})") from error
        if not response.is_success:
            raise _failure(request, response)
        return response

    def close(self) -> None:
        self.http.close()


def download(response: httpx.Response, target: Path) -> int:
    """Write the body to `target` as it arrives; the number of bytes."""
    written = 0
    try:
        with target.open("wb") as file:
            for chunk in iter_chunks(response):
                file.write(chunk)
                written += len(chunk)
                report_progress(None, f"{written} bytes received")
    except Exception as error:
        target.unlink(missing_ok=True)
        if cancelled():
            raise ProviderUnavailableError("cancelled: the download was closed") from error
        raise
    return written


def _failure(request: httpx.Request, response: httpx.Response) -> Exception:
    try:
        response.read()
        text = response.text
    except httpx.HTTPError:
        text = ""
    finally:
        response.close()
    return map_error(ErrorResponse(status=response.status_code, method=request.method,
                                   path=request.url.path, headers=dict(response.headers),
                                   text=text))


def _hung_up_on_cancel(response: httpx.Response) -> httpx.Response:
    on_cancel(lambda: hang_up(response))
    return response
