"""One job through fal's queue API: submit, poll the status with logs, fetch the result.

- `POST {queue}/{model_id}` submits; the answer gives `request_id` and the
  `status_url`, `response_url` and `cancel_url` to use. They name only owner/app
  (`fal-ai/flux/dev` is polled at `fal-ai/flux/requests/{id}`); when an answer
  lacks them they are built that way.
- The status: `GET {status_url}/stream?logs=1`, server-sent events of the status
  until `COMPLETED` (one request, and the result is fetched the moment the job
  is done); where that stream is not to be had (an error answer, a stream that
  breaks off or goes silent past `idle_timeout`) the provider polls `GET
  {status_url}?logs=1` instead, starting at `poll_interval` and growing by half up
  to `max_poll_interval`, sleeping on the call's cancellation, so a cancel wakes
  it at once. `IN_QUEUE` comes with `queue_position`, `IN_PROGRESS` with `logs`;
  each change of position and each new log line is a progress report; a `NN%`
  or `n/m` in a log line gives the fraction.
- `COMPLETED` (with `metrics`, maybe `error`): `GET {response_url}` is the result,
  or the model's error with its status.
- When the caller cancels (timeout, Ctrl-C, a closed stream) the job is cancelled
  upstream: `PUT {cancel_url}`.
"""

from __future__ import annotations

import dataclasses
import re
import sys
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from fal_provider.settings import Settings
from mediaconduit.sdk import (
    InvalidInputError,
    MediaConduitError,
    ModelNotFoundError,
    ProviderError,
    ProviderUnavailableError,
    cancelled,
    on_cancel,
    report_progress,
    wait,
)
from mediaconduit.sdk.hangup import hang_up_on_cancel
from mediaconduit.sdk.http import HTTPClient, SSEEvent, iter_sse, json_body

PERCENT = re.compile(r"(\d{1,3}(?:\.\d+)?)\s*%")
STEPS = re.compile(r"\b(\d+)\s*/\s*(\d+)\b")
DONE = "COMPLETED"


@dataclasses.dataclass(frozen=True)
class Handle:
    """A submitted request and the URLs fal gave for it."""

    request_id: str
    status_url: str
    response_url: str
    cancel_url: str


@dataclasses.dataclass
class Outcome:
    """A finished job: the result body and what is known about the run."""

    result: Any
    handle: Handle
    status: Mapping[str, Any]
    headers: Mapping[str, str]
    logs: list[str]


class Job:
    """One request of `model_id` with `args`; `run()` returns its `Outcome`."""

    def __init__(self, http: HTTPClient, settings: Settings, model_id: str,
                 args: Mapping[str, Any]) -> None:
        self.http = http
        self.settings = settings
        self.model_id = model_id
        self.args = args
        self.logs: list[str] = []
        self._seen: set[tuple[Any, ...]] = set()
        self._position: Any = None

    def run(self) -> Outcome:
        handle = self.submit()
        report_progress(message=f"fal request {handle.request_id} IN_QUEUE")
        on_cancel(lambda: self.cancel(handle))
        status = self.wait(handle)
        if cancelled():  # cancelled upstream just now: no result to fetch
            raise ProviderError(f"fal request {handle.request_id} was cancelled")
        response = self.http.request("GET", handle.response_url, headers=self._auth())
        report_progress(1.0, f"fal request {handle.request_id} {DONE}")
        return Outcome(json_body(response), handle, status, dict(response.headers), self.logs)

    def submit(self) -> Handle:
        body = self.http.request_json("POST", self.model_id, json=dict(self.args),
                                      headers=self._auth())
        return handle_from(body, self.settings.queue_url, self.model_id)

    def wait(self, handle: Handle) -> Mapping[str, Any]:
        """Follow the status until `COMPLETED`; the last status body."""
        status = self.follow(handle) if self.settings.status_stream else None
        return status if status is not None else self.poll(handle)

    def follow(self, handle: Handle) -> Mapping[str, Any] | None:
        """The status stream's events up to `COMPLETED`; None when it is not to be had."""
        try:
            with self.http.stream("GET", f"{handle.status_url}/stream", params={"logs": "1"},
                                  headers=self._auth()) as response:
                hang_up_on_cancel(response)
                for status in _statuses(iter_sse(response)):
                    self._report(handle, status)
                    if status.get("status") == DONE:
                        return status
        except (ModelNotFoundError, InvalidInputError, ProviderUnavailableError):
            pass  # no stream here: poll instead
        if cancelled():
            raise ProviderError(f"fal request {handle.request_id} was cancelled")
        return None

    def poll(self, handle: Handle) -> Mapping[str, Any]:
        """Poll until `COMPLETED`; the last status body."""
        delay = self.settings.poll_interval
        while True:
            status = self.http.request_json("GET", handle.status_url, params={"logs": "1"},
                                            headers=self._auth())
            self._report(handle, status)
            if status.get("status") == DONE:
                return status
            if wait(delay):
                raise ProviderError(f"fal request {handle.request_id} was cancelled")
            delay = min(delay * 1.5, self.settings.max_poll_interval)

    def cancel(self, handle: Handle) -> None:
        """`PUT {cancel_url}`: a failure is logged (never with the key), not raised."""
        try:
            self.http.request("PUT", handle.cancel_url, headers=self._auth())
        except MediaConduitError as error:
            print(f"fal: cancelling request {handle.request_id} failed: {error}",
                  file=sys.stderr, flush=True)

    def _report(self, handle: Handle, status: Mapping[str, Any]) -> None:
        state = str(status.get("status"))
        prefix = f"fal request {handle.request_id}"
        if state == "IN_QUEUE" and status.get("queue_position") != self._position:
            self._position = status.get("queue_position")
            report_progress(message=f"{prefix} IN_QUEUE (position {self._position})")
        elif state == "IN_PROGRESS" and self._position != state:
            self._position = state
            report_progress(message=f"{prefix} IN_PROGRESS")
        for line in self._new_logs(status.get("logs")):
            report_progress(fraction_of(line), line)

    def _new_logs(self, logs: Any) -> list[str]:
        """The log lines not reported yet (fal may send them all again each time)."""
        fresh = []
        for item in logs if isinstance(logs, list) else []:
            entry = item if isinstance(item, Mapping) else {"message": str(item)}
            key = (entry.get("timestamp"), entry.get("level"), entry.get("message"))
            if key not in self._seen and entry.get("message"):
                self._seen.add(key)
                fresh.append(str(entry["message"]))
        self.logs += fresh
        return fresh

    def _auth(self) -> dict[str, str]:
        return self.settings.auth_headers()


def _statuses(events: Iterable[SSEEvent]) -> Iterator[Mapping[str, Any]]:
    """The status objects among the events (anything else is skipped)."""
    for event in events:
        try:
            status = event.json()
        except ValueError:
            continue
        if isinstance(status, Mapping) and status.get("status"):
            yield status


def handle_from(body: Any, queue_url: str, model_id: str) -> Handle:
    """The submit answer's request id and URLs (built from owner/app when absent)."""
    if not isinstance(body, Mapping) or not body.get("request_id"):
        raise ProviderUnavailableError(f"fal's submit for {model_id} answered without a "
                                       f"request_id: {str(body)[:200]}")
    request_id = str(body["request_id"])
    base = f"{queue_url}/{app_path(model_id)}/requests/{request_id}"
    return Handle(request_id=request_id,
                  status_url=str(body.get("status_url") or f"{base}/status"),
                  response_url=str(body.get("response_url") or base),
                  cancel_url=str(body.get("cancel_url") or f"{base}/cancel"))


def app_path(model_id: str) -> str:
    """`owner/app` of `owner/app[/subpath]` (`workflows/owner/app/...` keeps its namespace)."""
    parts = model_id.split("/")
    keep = 3 if parts[0] in ("workflows", "comfy") else 2
    return "/".join(parts[:keep])


def fraction_of(line: str) -> float | None:
    """A progress fraction in a log line (`42%`, `step 3/10`), else None."""
    found = PERCENT.search(line)
    if found:
        return min(1.0, float(found.group(1)) / 100)
    steps = STEPS.search(line)
    if steps and int(steps.group(2)) > 0 and int(steps.group(1)) <= int(steps.group(2)):
        return int(steps.group(1)) / int(steps.group(2))
    return None
